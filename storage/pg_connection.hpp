#pragma once

#include "storage/connection.hpp"

#include <optional>
#include <string>

struct pg_conn;

namespace checkpoint::storage {

// A connection to PostgreSQL through libpq, given a libpq URI (postgresql://user:pass@host:port/db).
// Statements are prepared on the server once per connection; `?`, `?N` and `:name` in the stores' SQL become
// `$N`. A connection the server dropped is opened again at the next transaction (ensure_open).
class pg_connection final : public connection {
public:
    // Throws sql_error when the server cannot be reached; its message never holds the password.
    explicit pg_connection(const std::string& uri);
    ~pg_connection() override;

    storage::backend backend() const override { return storage::backend::postgresql; }
    void exec_script(const std::string& sql) override;
    void begin_write() override;
    void begin_read() override;
    bool in_transaction() override;
    bool transaction_aborted() override;
    void ensure_open() override;
    void commit() override;
    // Tags what commit() sends with `origin` (`origin:payload`), so the change_listener of the same
    // database can pass over what its own writer told (see notification_payload()).
    void tag_notifications(std::string origin) { origin_ = std::move(origin); }

    pg_conn* raw() { return conn_; }
    // A change_listener channel as it is named on the server: LISTEN/NOTIFY spans the whole database, so outside
    // the `public` schema the channel carries the schema's name (deployments, or tests, sharing a database in
    // schemas of their own hear only their own changes).
    std::string server_channel(std::string_view channel) const;
    // The next prepared statement's server-side name.
    std::string next_statement_name();

protected:
    std::unique_ptr<statement> prepare(const std::string& sql) override;

private:
    pg_conn* conn_ = nullptr;
    unsigned long named_ = 0;
    std::string schema_;
    std::string origin_;
};

// A new origin for tag_notifications(): 16 random hex digits, one per database opened.
std::string new_notification_origin();
// A notification's payload as sent: `origin:payload` from a writer tagged with tag_notifications(), else `payload`.
std::string tagged_payload(std::string_view origin, std::string_view payload);
// What a listener heard, split again: nullopt when it came from `own_origin` (this database's own writer, whose
// process already acted on its commit), else the payload as given to notify_at_commit().
std::optional<std::string> notification_payload(std::string_view heard, std::string_view own_origin);

// `sql` with `?`, `?N` and `:name` parameters numbered as PostgreSQL's `$N`, and each `:name`'s number (1-based,
// in `names` order). Quoted text and `::` casts are left alone.
struct numbered_sql {
    std::string sql;
    std::vector<std::string> names;
    int parameters = 0;
};
numbered_sql number_parameters(std::string_view sql);

// `uri` with its password replaced by ***, for messages and logs.
std::string redacted_uri(std::string_view uri);

} // namespace checkpoint::storage
