#pragma once

#include "storage/database.hpp"
#include "workflow/clock.hpp"

#include <string_view>

namespace checkpoint::storage {

// Remembers the Slack event ids already handled, so a retried delivery does nothing twice.
class slack_event_store {
public:
    explicit slack_event_store(database& db) : db_(db) {}

    // True the first time an id is seen; false for a repeat. Durable before it returns. Also true when the
    // store cannot tell: handling an event twice is guarded by compare-and-set, dropping it is not.
    bool first_delivery(std::string_view event_id, workflow::time_point now);

    // Forgets ids received before `cutoff`; Slack retries for at most a day.
    int purge_before(workflow::time_point cutoff);

private:
    database& db_;
};

} // namespace checkpoint::storage
