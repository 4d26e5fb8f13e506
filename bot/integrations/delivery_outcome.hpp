#pragma once

#include "bot/integrations/access_event.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::bot {

enum class delivery_status {
    done,              // the effect is applied
    retry,             // worth trying again later, with backoff
    permanent_failure, // will not succeed by retrying; audit it and tell people
};

constexpr std::string_view name(delivery_status s)
{
    switch (s) {
    case delivery_status::done: return "done";
    case delivery_status::retry: return "retry";
    case delivery_status::permanent_failure: return "permanent_failure";
    }
    return "permanent_failure";
}

// The audit keeps this much of a command's output.
inline constexpr std::size_t max_kept_output = 4096;

// What one delivery attempt came to; the worker records it and decides what happens next.
struct delivery_outcome {
    delivery_status status = delivery_status::done;
    // For the audit log and the people told about a failure; never holds a secret.
    std::string message;
    // When the receiver asked for a pause (Retry-After); the worker waits at least this long.
    std::optional<std::chrono::seconds> retry_after;
    // exec: the first max_kept_output bytes of stdout and stderr, interleaved as written.
    std::string output;
    // pull/update: what the receiver listed, validated.
    std::vector<event_resource> resources;

    bool is_done() const noexcept { return status == delivery_status::done; }
    bool is_retry() const noexcept { return status == delivery_status::retry; }
    bool is_permanent_failure() const noexcept { return status == delivery_status::permanent_failure; }

    static delivery_outcome done(std::string message) { return {delivery_status::done, std::move(message), {}, {}, {}}; }
    static delivery_outcome retry(std::string message, std::optional<std::chrono::seconds> after = {})
    {
        return {delivery_status::retry, std::move(message), after, {}, {}};
    }
    static delivery_outcome failed(std::string message)
    {
        return {delivery_status::permanent_failure, std::move(message), {}, {}, {}};
    }
};

} // namespace checkpoint::bot
