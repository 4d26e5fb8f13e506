#pragma once

#include "bot/integrations/access_event.hpp"
#include "bot/integrations/delivery_outcome.hpp"
#include "outbound/http_client.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace checkpoint::bot {

// The longest pause a receiver may ask for; beyond it the retry window decides.
inline constexpr std::chrono::seconds max_retry_after{std::chrono::hours{24}};

// `Retry-After` as delay-seconds or an HTTP-date (IMF-fixdate), relative to `now`, clamped to
// [0, max_retry_after]; nothing when unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// MANIFESTS.md's outcome rules for an answer: 2xx without an `error` object is done (for
// pull/update, with its resources parsed); 408, 429 and 5xx retry; anything else is permanent.
delivery_outcome classify_webhook_reply(const outbound::outbound_response& res, event_kind kind,
                                        std::chrono::system_clock::time_point now);

// No answer: a bad URL or a failed certificate check is permanent, everything else retries.
delivery_outcome classify_webhook_transport_failure(const outbound::transport_failure& failure);

} // namespace checkpoint::bot
