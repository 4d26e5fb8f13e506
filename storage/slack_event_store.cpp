#include "storage/slack_event_store.hpp"


#include <chrono>

namespace checkpoint::storage {

namespace {

std::int64_t unix_seconds(workflow::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

} // namespace

bool slack_event_store::first_delivery(std::string_view event_id, workflow::time_point now)
{
    auto first = db_.write([&](connection& c) -> workflow::result<bool> {
        auto insert = c.use("INSERT INTO slack_events (event_id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING");
        insert->bind(1, std::string(event_id));
        insert->bind(2, unix_seconds(now));
        return insert->exec() == 1;
    });
    return first ? *first : true;
}

int slack_event_store::purge_before(workflow::time_point cutoff)
{
    auto purged = db_.write([&](connection& c) -> workflow::result<int> {
        auto del = c.use("DELETE FROM slack_events WHERE received_at < ?");
        del->bind(1, unix_seconds(cutoff));
        return del->exec();
    });
    return purged ? *purged : 0;
}

} // namespace checkpoint::storage
