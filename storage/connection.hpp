#pragma once

#include "workflow/directory.hpp"
#include "workflow/petition_json.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <string_view>

namespace checkpoint::storage {

// Times are stored as whole milliseconds, petitions as the domain codec's JSON (workflow/petition_json).
using workflow::from_millis;
using workflow::parse_petition_state;
using workflow::petition_from_json;
using workflow::petition_to_json;
using workflow::to_millis;

// A prepared statement borrowed from a connection's cache; reset on return so it never pins a snapshot.
class statement_ref {
public:
    explicit statement_ref(SQLite::Statement& s) : s_(&s) {}
    statement_ref(statement_ref&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    statement_ref(const statement_ref&) = delete;
    statement_ref& operator=(const statement_ref&) = delete;
    statement_ref& operator=(statement_ref&&) = delete;
    ~statement_ref()
    {
        if (s_)
            s_->tryReset();
    }

    SQLite::Statement* operator->() const { return s_; }
    SQLite::Statement& operator*() const { return *s_; }

private:
    SQLite::Statement* s_;
};

class audit_key;

// One SQLite connection with the durable settings and a cache of prepared statements; one thread at a time.
class connection {
public:
    explicit connection(const std::string& path);

    SQLite::Database& db() { return db_; }
    // The cached statement for `sql`, with its bindings cleared.
    statement_ref use(std::string_view sql);
    // Runs a statement that returns no rows, through the cache.
    int exec(std::string_view sql);

    // The key audit appends on this connection chain with; null when the process has none. Set before the
    // connection is shared (at open), never after.
    const audit_key* audit_key_in_use() const { return audit_key_.get(); }
    void use_audit_key(std::shared_ptr<const audit_key> key) { audit_key_ = std::move(key); }

private:
    SQLite::Database db_;
    std::shared_ptr<const audit_key> audit_key_;
    workflow::string_map<std::unique_ptr<SQLite::Statement>> cache_;
};

} // namespace checkpoint::storage
