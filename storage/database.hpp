#pragma once

#include "storage/connection.hpp"
#include "storage/write_queue.hpp"
#include "workflow/error.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace checkpoint::storage {

struct database_options {
    commit_mode mode = commit_mode::group;
    // Writes sharing one transaction at most; bounds how long one batch holds the write lock.
    std::size_t max_batch = 1024;
    // The audit chain's key (kept outside the database). With it, open() checks it is the chain's key
    // (audit_key_mismatch otherwise) and seals a chain written before there was one; audit appends are
    // keyed. Without it, a keyed chain can be read and verified only by its plain hashes, and appends are
    // refused.
    std::shared_ptr<const storage::audit_key> audit_key{};
    // False: events written before there was a key are left unsealed (and the key unused) for checkpointd to
    // seal and announce at its start; host-side tools open this way. An empty chain is sealed either way.
    bool seal_audit = true;
};

// What open() found of the audit chain's key.
struct audit_seal_report {
    // Events that existed, unkeyed, when this open sealed them with the key (0: nothing sealed now).
    std::uint64_t sealed_now = 0;
    // Whether the chain is keyed with the key now (false: left unsealed, seal_audit off).
    bool keyed = false;
};

// The SQLite database: WAL, foreign keys, durable commits, numbered migrations applied at open.
// Reads share one connection behind a mutex (`lock()` + `connection()`, or `read()`); writes go
// through a single writer that commits concurrent callers' writes together (`write()`).
class database {
public:
    // Opens (creating if needed) and migrates; refuses a database newer than this binary.
    static workflow::result<std::unique_ptr<database>> open(const std::string& path, database_options options = {});

    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
    // The read connection; hold `lock()` while using it.
    SQLite::Database& connection() { return reader_.db(); }

    // The audit key appends are chained with (null: none), and what open() did with it.
    const storage::audit_key* audit_key() const { return audit_key_.get(); }
    const audit_seal_report& audit_seal() const { return audit_seal_; }

    // The schema version applied (PRAGMA user_version).
    int schema_version();
    // A cheap query that proves the file is open and readable.
    bool ping();

    static int latest_schema_version();

    // Runs `f(storage::connection&) -> result<T>` on the read connection; exceptions become errors.
    template <class F>
    auto read(F&& f) -> std::invoke_result_t<F&, storage::connection&>
    {
        auto guard = lock();
        try {
            return f(reader_);
        } catch (const std::exception& e) {
            return workflow::error{"storage_failed", e.what()};
        }
    }

    // Runs `f(storage::connection&) -> result<T>` in the writer's next transaction and returns once it is
    // durable. An error result (or an exception) rolls back only `f`'s own writes.
    template <class F>
    auto write(F&& f) -> std::invoke_result_t<F&, storage::connection&>
    {
        using R = std::invoke_result_t<F&, storage::connection&>;
        std::optional<R> out;
        auto committed = writer_->submit([&](storage::connection& c) {
            out.emplace(f(c));
            return out->has_value();
        });
        if (!committed)
            return committed.error();
        return std::move(*out);
    }

    // write() without waiting: `done(result)` runs on the writer's thread once the transaction
    // committed or failed (see write_queue::completion: quick, and never a waiting write).
    template <class R>
    void write_async(std::function<R(storage::connection&)> f, std::function<void(R)> done)
    {
        auto out = std::make_shared<std::optional<R>>();
        writer_->submit(
            [f = std::move(f), out](storage::connection& c) {
                out->emplace(f(c));
                return (*out)->has_value();
            },
            [out, done = std::move(done)](std::optional<workflow::error> failure) {
                if (failure)
                    done(R(std::move(*failure)));
                else
                    done(std::move(**out));
            });
    }

    write_queue& writer() { return *writer_; }
    const std::string& path() const { return path_; }

    // A consistent copy of the live database to `file` through SQLite's online backup; writers carry on.
    workflow::result<void> backup(const std::string& file);
    // PRAGMA integrity_check: "ok", or what it found.
    workflow::result<std::string> integrity_check();

private:
    explicit database(const std::string& path);

    std::string path_;
    std::shared_ptr<const storage::audit_key> audit_key_;
    audit_seal_report audit_seal_;
    std::mutex mutex_;
    storage::connection reader_;
    // Declared last: its thread stops before the read connection closes.
    std::unique_ptr<write_queue> writer_;
};

} // namespace checkpoint::storage
