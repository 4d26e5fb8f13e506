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

    // Takes the channel's slot when it is free (nullopt), else returns how long until it is. With a
    // `key` (one message), a caller told to wait holds the next free slot under that key: it gets it
    // when it comes back, and callers behind it get later ones, so a burst to one channel goes out one
    // per interval, in the order the messages first asked.
    std::optional<std::chrono::milliseconds> reserve(std::string_view channel, std::string_view key = {});

private:
    const workflow::clock& clock_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::unordered_map<std::string, workflow::time_point> next_allowed_;
    // Slots held by key; a holder that never comes back (its job was cancelled) is forgotten later.
    std::unordered_map<std::string, workflow::time_point> held_;
};

} // namespace checkpoint::bot
