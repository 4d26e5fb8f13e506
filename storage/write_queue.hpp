#pragma once

#include "storage/connection.hpp"
#include "workflow/error.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>

namespace checkpoint::storage {

enum class commit_mode {
    // One writer thread batches concurrent writes into one transaction and one fsync.
    group,
    // Each write is its own transaction in the caller's thread: the baseline group commit is measured against.
    per_call,
};

// The single writer: owns the write connection; callers block until their write is durable.
class write_queue {
public:
    // Returns true to keep its writes, false to roll back to its savepoint; throwing also rolls back.
    using work = std::function<bool(connection&)>;

    write_queue(const std::string& path, commit_mode mode, std::size_t max_batch);
    ~write_queue();
    write_queue(const write_queue&) = delete;
    write_queue& operator=(const write_queue&) = delete;

    // Runs `w` in its own savepoint inside the next batch; returns once that batch committed
    // (an error if the batch failed or `w` threw).
    workflow::result<void> submit(work w);

    // Batches committed so far, to show in benchmarks how many writes shared an fsync.
    std::size_t batches() const;
    // Writes waiting for the writer; lets tests line up a batch without sleeping.
    std::size_t queued() const;

private:
    struct item {
        work fn;
        std::optional<workflow::error> failure;
        std::binary_semaphore ready{0};
    };

    void run();
    void commit(std::span<item*> batch);

    connection conn_;
    commit_mode mode_;
    std::size_t max_batch_;
    mutable std::mutex mutex_;
    std::condition_variable has_work_;
    std::deque<item*> queue_;
    bool stopping_ = false;
    std::size_t batches_ = 0;
    std::mutex per_call_mutex_;
    std::thread thread_;
};

} // namespace checkpoint::storage
