#pragma once

#include "workflow/directory.hpp"
#include "workflow/petition_json.hpp"

#include <concepts>
#include <cstdint>
#include <memory>
#include <set>
#include <utility>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::storage {

// Times are stored as whole milliseconds, petitions as the domain codec's JSON (workflow/petition_json).
using workflow::from_millis;
using workflow::parse_petition_state;
using workflow::petition_from_json;
using workflow::petition_to_json;
using workflow::to_millis;

// Which database a connection talks to. The stores' SQL is the subset both understand (`?` parameters,
// ON CONFLICT, RETURNING, partial indexes); the few places that differ ask the connection which it is.
enum class backend { sqlite, postgresql };

// A statement that failed in the database, from either backend.
class sql_error : public std::runtime_error {
public:
    enum class kind { other, unique_violation, serialization };
    sql_error(const std::string& what, kind k = kind::other) : std::runtime_error(what), kind_(k) {}
    bool unique_violation() const { return kind_ == kind::unique_violation; }
    // Another transaction changed what this one read (PostgreSQL's 40001/40P01): run it again.
    bool retryable() const { return kind_ == kind::serialization; }

private:
    kind kind_;
};

class statement;

// One value of the current row. The names follow SQLiteCpp's Column, which the stores were written against.
class column_value {
public:
    column_value(statement& s, int index) : s_(s), index_(index) {}
    std::int64_t getInt64() const;
    int getInt() const;
    std::string getString() const;
    bool isNull() const;

private:
    statement& s_;
    int index_;
};

// A prepared statement of either backend: bind parameters (1-based; `?`, `?N` or `:name` in the SQL),
// then step through rows or exec. The names follow SQLiteCpp's Statement, which the stores were written against.
class statement {
public:
    virtual ~statement() = default;

    template <std::integral T>
    void bind(int index, T value)
    {
        bind_int64(index, static_cast<std::int64_t>(value));
    }
    void bind(int index, std::string_view value) { bind_text(index, value); }
    void bind(int index, const char* value) { bind_text(index, value); }
    void bind(int index, const std::string& value) { bind_text(index, value); }
    // NULL.
    void bind(int index) { bind_null(index); }
    template <class T>
    void bind(const char* name, const T& value)
    {
        bind(index_of(name), value);
    }

    // Runs the statement on the first call; true while there is a row to read.
    virtual bool executeStep() = 0;
    // Runs a statement that returns no rows; how many rows it changed.
    virtual int exec() = 0;
    column_value getColumn(int index) { return column_value(*this, index); }
    // Ready to run again with new bindings.
    virtual void reset() = 0;

    // The result's columns (after the first executeStep), for copying whole tables.
    virtual int column_count() = 0;
    virtual std::string column_name(int index) = 0;

    virtual std::int64_t int64_at(int index) = 0;
    virtual std::string text_at(int index) = 0;
    virtual bool null_at(int index) = 0;

protected:
    virtual void bind_int64(int index, std::int64_t value) = 0;
    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_null(int index) = 0;
    virtual int index_of(const char* name) = 0;
};

inline std::int64_t column_value::getInt64() const { return s_.int64_at(index_); }
inline int column_value::getInt() const { return static_cast<int>(s_.int64_at(index_)); }
inline std::string column_value::getString() const { return s_.text_at(index_); }
inline bool column_value::isNull() const { return s_.null_at(index_); }

// A prepared statement borrowed from a connection's cache; reset on return so it never pins a snapshot.
class statement_ref {
public:
    explicit statement_ref(statement& s) : s_(&s) {}
    statement_ref(statement_ref&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    statement_ref(const statement_ref&) = delete;
    statement_ref& operator=(const statement_ref&) = delete;
    statement_ref& operator=(statement_ref&&) = delete;
    ~statement_ref()
    {
        if (s_)
            s_->reset();
    }

    statement* operator->() const { return s_; }
    statement& operator*() const { return *s_; }

private:
    statement* s_;
};

class audit_key;

// One database connection with a cache of prepared statements; one thread at a time. SQLite's is in
// storage/sqlite_connection, PostgreSQL's in storage/pg_connection.
class connection {
public:
    virtual ~connection() = default;
    connection() = default;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    virtual storage::backend backend() const = 0;

    // The cached statement for `sql`, reset and ready to bind.
    statement_ref use(std::string_view sql);
    // Runs a statement that returns no rows, through the cache.
    int exec(std::string_view sql) { return use(sql)->exec(); }
    // Runs several statements at once (a migration), not cached.
    virtual void exec_script(const std::string& sql) = 0;

    // Opens a transaction that will write: SQLite takes the write lock now (BEGIN IMMEDIATE).
    virtual void begin_write() = 0;
    // Opens a transaction that reads one consistent snapshot.
    virtual void begin_read() = 0;
    // Whether a transaction is open (false also when the database abandoned it by itself).
    virtual bool in_transaction() = 0;
    // Whether a failed statement left the open transaction unusable until a rollback (PostgreSQL aborts the whole
    // transaction on any error; SQLite undoes the failed statement alone, so never there).
    virtual bool transaction_aborted() { return false; }
    // Tells the other processes on this database, once the write transaction commits, that something changed:
    // `channel` is a change_listener channel (storage/change_listener.hpp), `payload` what changed. Told once per
    // transaction however often asked; a no-op on SQLite, where one process holds the database.
    void notify_at_commit(std::string_view channel, std::string_view payload = {})
    {
        if (backend() == storage::backend::postgresql)
            notifications_.emplace(std::string(channel), std::string(payload));
    }
    // Commits the write transaction, sending what notify_at_commit() gathered with it (on PostgreSQL in the same
    // round trip as the COMMIT). forget_notifications() drops it instead (after a rollback).
    virtual void commit()
    {
        notifications_.clear();
        exec("COMMIT");
    }
    void forget_notifications() { notifications_.clear(); }
    // What is to be told so far, and putting it back (a write rolled back to its savepoint tells nothing).
    using notification_set = std::set<std::pair<std::string, std::string>>;
    notification_set notifications() const { return notifications_; }
    void restore_notifications(notification_set n) { notifications_ = std::move(n); }

    // Before a unit of work, outside any transaction: a connection the server dropped is opened again (its
    // prepared statements are forgotten, so no statement_ref may be held across this call).
    virtual void ensure_open() {}

    // The key audit appends on this connection chain with; null when the process has none. Set before the
    // connection is shared (at open), never after.
    const audit_key* audit_key_in_use() const { return audit_key_.get(); }
    void use_audit_key(std::shared_ptr<const audit_key> key) { audit_key_ = std::move(key); }

protected:
    virtual std::unique_ptr<statement> prepare(const std::string& sql) = 0;
    notification_set notifications_;
    // After a reconnect: the server forgot every prepared statement.
    void forget_statements() { cache_.clear(); }

private:
    std::shared_ptr<const audit_key> audit_key_;
    workflow::string_map<std::unique_ptr<statement>> cache_;
};

} // namespace checkpoint::storage
