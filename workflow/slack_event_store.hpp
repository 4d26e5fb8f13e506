#pragma once

#include "workflow/clock.hpp"

#include <string_view>

namespace checkpoint::workflow {

// Remembers the Slack event ids already handled, so a retried delivery does nothing twice.
class slack_event_store {
public:
    virtual ~slack_event_store() = default;

    // True the first time an id is seen; false for a repeat. Durable before it returns. Also true when the
    // store cannot tell: handling an event twice is guarded by compare-and-set, dropping it is not.
    virtual bool first_delivery(std::string_view event_id, time_point now) = 0;

    // Forgets ids received before `cutoff`; Slack retries for at most a day.
    virtual int purge_before(time_point cutoff) = 0;
};

} // namespace checkpoint::workflow
