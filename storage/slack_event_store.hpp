#pragma once

#include "storage/database.hpp"
#include "workflow/slack_event_store.hpp"

#include <string_view>

namespace checkpoint::storage {

// The slack_events table: event ids with the time they arrived.
class slack_event_store final : public workflow::slack_event_store {
public:
    explicit slack_event_store(database& db) : db_(db) {}

    bool first_delivery(std::string_view event_id, workflow::time_point now) override;
    int purge_before(workflow::time_point cutoff) override;

private:
    database& db_;
};

} // namespace checkpoint::storage
