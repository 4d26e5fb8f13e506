#include "storage/connection.hpp"

namespace checkpoint::storage {

connection::connection(const std::string& path)
    // No mutex of SQLite's own: a connection is used by one thread at a time (the writer's thread, or a
    // reader holding the database's lock), so serialized mode would only add a lock to every call.
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX)
{
    db_.setBusyTimeout(5000);
    db_.exec("PRAGMA journal_mode=WAL");
    // A request acknowledged to Slack must survive a power cut; the setting is per connection.
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=ON");
}

statement_ref connection::use(std::string_view sql)
{
    auto it = cache_.find(sql);
    if (it == cache_.end())
        it = cache_.emplace(std::string(sql), std::make_unique<SQLite::Statement>(db_, std::string(sql))).first;
    auto& slot = it->second;
    slot->tryReset();
    slot->clearBindings();
    return statement_ref(*slot);
}

int connection::exec(std::string_view sql) { return use(sql)->exec(); }

} // namespace checkpoint::storage
