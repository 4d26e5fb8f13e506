#pragma once

#include "workflow/clock.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace checkpoint::bot {

// Remembers the signatures of the Slack requests taken in the replay window, so a captured command or click
// sent again within it (its signature and timestamp still valid) is refused instead of acted on twice.
// Events are not refused here: Slack may retry one with the same signature, and `event_id` de-duplicates them.
// Bounded: past `capacity` the oldest signatures are forgotten first. Safe from any thread.
class replay_guard {
public:
    explicit replay_guard(std::size_t capacity = 100'000) : capacity_(capacity) {}

    // True the first time `signature` (v0=<hex>, already verified) is seen; false for a repeat. `sent` is the
    // request's timestamp: signatures older than the window are forgotten, as Slack's check refuses them anyway.
    bool first_use(std::string_view signature, workflow::time_point sent, workflow::time_point now);
    std::size_t size() const;

private:
    // The first 128 bits of the HMAC, as hex: enough to tell signatures apart, and small.
    using key = std::array<char, 32>;
    struct key_hash {
        std::size_t operator()(const key& k) const noexcept;
    };
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_set<key, key_hash> seen_;
    std::deque<std::pair<workflow::time_point, key>> order_;
};

} // namespace checkpoint::bot
