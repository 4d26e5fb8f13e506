#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot {

enum class signature_error {
    missing_timestamp,
    malformed_timestamp,
    stale_timestamp,
    missing_signature,
    malformed_signature,
    signature_mismatch,
};

std::string_view describe(signature_error e);
// A short stable code, for metric labels.
std::string_view code(signature_error e);

// Slack allows five minutes either way between its clock and ours.
inline constexpr std::chrono::seconds slack_replay_window{300};

// Checks `v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))` over the raw body,
// in constant time, and the timestamp against the replay window. Nothing is parsed before this.
std::optional<signature_error> verify_slack_signature(std::string_view signing_secret,
                                                      std::string_view timestamp_header,
                                                      std::string_view signature_header,
                                                      std::string_view raw_body,
                                                      std::chrono::system_clock::time_point now);

// The lowercase hex HMAC-SHA256 of `v0:<timestamp>:<body>`: Slack's scheme, also used to sign
// outbound webhooks.
std::string hmac_sha256_v0_hex(std::string_view secret, std::string_view timestamp, std::string_view body);

// `v0=<hex>`, as Slack sends in X-Slack-Signature.
std::string sign_slack_request(std::string_view secret, std::string_view timestamp, std::string_view body);

} // namespace checkpoint::bot
