#pragma once

#include "workflow/clock.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace checkpoint::bot {

// Slack asks for no more than about one message per second per channel. The pacer keeps each
// channel's next allowed time and never waits itself: a caller told to wait reschedules its job,
// so no worker thread sleeps and tests move the injected clock instead.
class channel_pacer {
public:
    channel_pacer(const workflow::clock& clock, std::chrono::milliseconds interval);

    // Takes the channel's slot when it is free (nullopt), else returns how long until it is.
    std::optional<std::chrono::milliseconds> reserve(std::string_view channel);

private:
    const workflow::clock& clock_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::unordered_map<std::string, workflow::time_point> next_allowed_;
};

} // namespace checkpoint::bot
