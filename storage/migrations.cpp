#include "storage/migrations.hpp"

#include <array>

namespace checkpoint::storage {

namespace {

constexpr std::array all_migrations{
    migration{1, "Slack event ids already processed, for de-duplicating retries",
              R"sql(
CREATE TABLE slack_events (
    event_id    TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX slack_events_received_at ON slack_events (received_at);
)sql"},
};

} // namespace

std::span<const migration> migrations() { return all_migrations; }

} // namespace checkpoint::storage
