#pragma once

#include "outbound/http_client.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot {

// What a caller does next: use the answer, try again later, or give up and record why.
enum class slack_outcome { ok, retryable, permanent };

std::string_view to_string(slack_outcome outcome) noexcept;

// One Web API call's result, read from Slack's {ok, error} envelope.
struct slack_result {
    slack_outcome outcome = slack_outcome::permanent;
    // Slack's code ("channel_not_found"), or ours: "http_<status>", "transport_<kind>",
    // "invalid_response", "paced" (our pacer held the call back; Slack was not called).
    std::string error;
    // Do not try again before this much time has passed: Retry-After, or our pacer's wait.
    std::optional<std::chrono::milliseconds> retry_after;
    // 0 when no HTTP answer came back.
    unsigned http_status = 0;
    // The whole answer, for fields the helpers below do not read.
    boost::json::object body;

    bool ok() const noexcept { return outcome == slack_outcome::ok; }
    // Not ok, yet Slack may have carried the call out: the request went out and no answer came back
    // (a timeout, a broken connection), or Slack answered 5xx or internal_error.
    bool may_have_landed() const noexcept;
    // "ts" (chat.postMessage, chat.update) or "message_ts" (chat.postEphemeral).
    std::optional<std::string> ts() const;
    // "channel" as a string (chat.*) or "channel.id" (conversations.open).
    std::optional<std::string> channel() const;
    // "view.id" and "view.hash" (views.*).
    std::optional<std::string> view_id() const;
    std::optional<std::string> view_hash() const;
    // "user.id" and "user.profile.email" (users.info, users.lookupByEmail).
    std::optional<std::string> user_id() const;
    std::optional<std::string> user_email() const;
};

// Slack error codes that mean "later", not "never".
bool is_retryable_slack_error(std::string_view error) noexcept;

// Reads an HTTP answer from the Web API: HTTP 429 and 5xx, the envelope, Retry-After.
slack_result classify_slack_response(const outbound::outbound_response& res);

// No answer came back: worth retrying unless the URL or the TLS peer is wrong.
slack_result classify_transport_failure(const outbound::transport_failure& failure);

} // namespace checkpoint::bot
