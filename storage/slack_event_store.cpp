#include "storage/slack_event_store.hpp"

#include <SQLiteCpp/Statement.h>

#include <chrono>

namespace checkpoint::storage {

namespace {

long long unix_seconds(workflow::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

bool slack_event_store::first_delivery(std::string_view event_id, workflow::time_point now)
{
    auto guard = db_.lock();
    SQLite::Statement insert(db_.connection(),
                             "INSERT OR IGNORE INTO slack_events (event_id, received_at) VALUES (?, ?)");
    insert.bind(1, std::string(event_id));
    insert.bind(2, static_cast<int64_t>(unix_seconds(now)));
    return insert.exec() == 1;
}

int slack_event_store::purge_before(workflow::time_point cutoff)
{
    auto guard = db_.lock();
    SQLite::Statement del(db_.connection(), "DELETE FROM slack_events WHERE received_at < ?");
    del.bind(1, static_cast<int64_t>(unix_seconds(cutoff)));
    return del.exec();
}

} // namespace checkpoint::storage
