#pragma once

#include "storage/connection.hpp"
#include "workflow/error.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <mutex>
#include <string>
#include <thread>

namespace checkpoint::storage {

enum class commit_mode {
    // One writer thread batches concurrent writes into one transaction and one fsync.
    group,
    // Each write is its own transaction in the caller's thread: the baseline group commit is measured against.
    per_call,
};

// The single writer: owns the write connection and batches concurrent writes into one transaction
// and one fsync. A caller either hands over a completion (submit with `done`, nothing waits) or waits
// for its write to be durable (submit without).
class write_queue {
public:
    // Returns true to keep its writes, false to roll back what it wrote; throwing also rolls back.
    // A work may run more than once (a batch is re-run when another item in it rolls back), so it must
    // report only through its return value and what it assigns, never by appending to outside state.
    using work = std::function<bool(connection&)>;
    // Called once the batch holding the write committed (nullopt) or failed (the error), on the writer's
    // thread: it must be quick (hand the rest to another thread), and must not submit and wait.
    using completion = std::function<void(std::optional<workflow::error>)>;

    // `conn`: the write connection, used by the writer's thread only from now on.
    write_queue(std::unique_ptr<connection> conn, commit_mode mode, std::size_t max_batch);
    ~write_queue();
    write_queue(const write_queue&) = delete;
    write_queue& operator=(const write_queue&) = delete;

    // Runs `w` inside the next batch, isolated from the other items' failures; returns once that batch committed
    // (an error if the batch failed or `w` threw).
    workflow::result<void> submit(work w);
    // Queues `w` for the next batch and returns at once; `done` hears how it ended.
    void submit(work w, completion done);

    // What the writer has done so far, for metrics and benchmarks: how many writes shared an fsync, and
    // where the writer's time went.
    struct statistics {
        std::size_t batches = 0;
        std::size_t writes = 0;
        std::chrono::nanoseconds in_writes{0};
        std::chrono::nanoseconds in_commits{0};
    };
    statistics stats() const;
    std::size_t batches() const { return stats().batches; }
    // Writes waiting for the writer; lets tests line up a batch without sleeping.
    std::size_t queued() const;

private:
    struct item {
        work fn;
        completion done;
        std::optional<workflow::error> failure;
    };

    void run();
    enum class attempt_outcome { committed, item_rolled_back, failed };
    void commit(std::span<item*> batch);
    attempt_outcome attempt(std::span<item*> batch, bool savepoints, std::chrono::steady_clock::time_point started);

    std::unique_ptr<connection> conn_;
    commit_mode mode_;
    std::size_t max_batch_;
    mutable std::mutex mutex_;
    std::condition_variable has_work_;
    std::deque<std::unique_ptr<item>> queue_;
    bool stopping_ = false;
    statistics stats_;
    std::mutex per_call_mutex_;
    std::thread thread_;
};

} // namespace checkpoint::storage
