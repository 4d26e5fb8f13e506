#pragma once

#include "workflow/clock.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace checkpoint::bot::api {

// Each API token's share of the service, so one caller (a runaway script, a leaked token) cannot crowd out
// the rest: a bucket of requests that refills at `rate` per second up to `burst`, and a cap on the long
// polls it holds at once. Safe from any thread.
class token_budget {
public:
    // `rate` 0: requests are not limited. `waits` 0: long polls are not limited.
    token_budget(unsigned rate, unsigned burst, std::size_t waits);

    // Spends one request of token `id` at `now`: nullopt when allowed, else how long until one is earned.
    std::optional<std::chrono::seconds> spend(std::int64_t id, workflow::time_point now);
    // One of token `id`'s long polls, held until the handle is released; null when it holds all its share.
    std::shared_ptr<void> hold_wait(std::int64_t id);

    std::size_t waits_per_token() const { return waits_; }

private:
    struct state;
    unsigned rate_;
    unsigned burst_;
    std::size_t waits_;
    // Shared with the wait handles, which may outlive the router (a poll answered during shutdown).
    std::shared_ptr<state> state_;
};

} // namespace checkpoint::bot::api
