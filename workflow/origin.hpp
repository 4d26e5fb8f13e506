#pragma once

#include <cstdint>
#include <string>

namespace checkpoint::workflow {

// Through which front a change came, and with which API token: every audit record names both
// (its details' "channel" and "caller_token"), so a change made with someone's token is told apart
// from one they made in Slack.
struct origin {
    // "slack", "api", "cli", "web", or "system" (the service's own workers and schedules).
    std::string channel = "system";
    // The id of the API token the caller presented; 0 when there was none (Slack, the service itself).
    std::int64_t token_id = 0;
};

inline origin slack_origin() { return {"slack", 0}; }

} // namespace checkpoint::workflow
