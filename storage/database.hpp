#pragma once

#include "storage/connection.hpp"
#include "storage/write_queue.hpp"
#include "workflow/error.hpp"

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

// Where the data lives: an SQLite file (a path, or `sqlite:PATH`) or a PostgreSQL database
// (`postgresql://…` or `postgres://…`, libpq's URI syntax).
struct database_target {
    storage::backend backend = storage::backend::sqlite;
    // The file's path, or the libpq URI.
    std::string location;
    // For messages and logs: the path, or the URI without its password.
    std::string shown() const;
};
workflow::result<database_target> parse_database_target(std::string_view given);

// The database: numbered migrations applied at open (SQLite: WAL, foreign keys, durable commits;
// PostgreSQL: under an advisory lock, so replicas starting together take turns).
// Reads share one connection behind a mutex (`lock()` + `connection()`, or `read()`); writes go
// through a single writer that commits concurrent callers' writes together (`write()`).
class database {
public:
    // Opens (creating an SQLite file if needed) and migrates; refuses a database newer than this binary.
    static workflow::result<std::unique_ptr<database>> open(const std::string& target, database_options options = {});

    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
    // The read connection; hold `lock()` while using it.
    storage::connection& connection() { return *reader_; }
    storage::backend backend() const { return target_.backend; }

    // The audit key appends are chained with (null: none), and what open() did with it.
    const storage::audit_key* audit_key() const { return audit_key_.get(); }
    const audit_seal_report& audit_seal() const { return audit_seal_; }

    // The schema version applied (SQLite: PRAGMA user_version; PostgreSQL: the checkpoint_schema row).
    int schema_version();
    // A cheap query that proves the database is reachable and readable.
    bool ping();

    static int latest_schema_version();

    // Runs `f(storage::connection&) -> result<T>` on the read connection; exceptions become errors.
    template <class F>
    auto read(F&& f) -> std::invoke_result_t<F&, storage::connection&>
    {
        auto guard = lock();
        try {
            reader_->ensure_open();
            return f(*reader_);
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
    // The SQLite file's path, or the PostgreSQL URI (with its password: never log it; see target().shown()).
    const std::string& path() const { return target_.location; }
    const database_target& target() const { return target_; }
    // PostgreSQL: what this database's writer tags its notifications with (storage/pg_connection's
    // tag_notifications), so its own change_listener passes over them. Empty on SQLite.
    const std::string& notification_origin() const { return origin_; }

    // A connection of its own, for a long read that must not hold up the shared reader (SQLite: read-only).
    std::unique_ptr<storage::connection> connect();

    // A consistent copy of the live database to `file` through SQLite's online backup; writers carry on.
    // (PostgreSQL: refused; pg_dump is the tool.)
    workflow::result<void> backup(const std::string& file);
    // SQLite's PRAGMA integrity_check: "ok", or what it found. (PostgreSQL: refused.)
    workflow::result<std::string> integrity_check();

private:
    explicit database(database_target target);
    void migrate();

    database_target target_;
    std::shared_ptr<const storage::audit_key> audit_key_;
    audit_seal_report audit_seal_;
    std::string origin_;
    std::mutex mutex_;
    std::unique_ptr<storage::connection> reader_;
    // Declared last: its thread stops before the read connection closes.
    std::unique_ptr<write_queue> writer_;
};

} // namespace checkpoint::storage
