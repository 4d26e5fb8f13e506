#pragma once

#include "bot/slack_request.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace checkpoint::bot::socket_mode {

// Slack's first message on a new connection.
struct hello {
    int num_connections = 0;
    // debug_info.approximate_connection_time: seconds until Slack refreshes this connection; 0 unknown.
    long long approximate_connection_time_s = 0;
};

// Slack is about to close this connection: "warning" comes ~10 s before "refresh_requested";
// "link_disabled" means Socket Mode was turned off for the app.
struct disconnect {
    std::string reason;
};

// One request carried over the socket, to be acknowledged by its envelope_id.
struct envelope {
    std::string envelope_id;
    // events_api, slash_commands or interactive.
    std::string type;
    bool accepts_response_payload = false;
    // 0 on the first delivery; Slack counts up when it sends the envelope again.
    int retry_attempt = 0;
    std::string retry_reason;
    slack_request request;
};

// A message that is none of the above or does not decode. With an envelope_id it is still
// acknowledged (so Slack does not send it again and again); either way it is logged.
struct unusable {
    std::string envelope_id;
    std::string reason;
};

using message = std::variant<hello, disconnect, envelope, unusable>;

// Socket Mode's largest message: an event or a view submission is tens of kB; a megabyte is refused.
inline constexpr std::size_t max_message_bytes = 1024 * 1024;

// Decodes one text frame. The payload inside an envelope is the same JSON Slack sends over HTTP, and
// it is decoded by the same functions (command_from, interaction_from, callback_from).
message parse_message(std::string_view text);

// A string from Slack made safe for one log line: control characters become '?', at most `max` bytes.
std::string printable(std::string_view text, std::size_t max = 64);

// The acknowledgement of `envelope_id`, carrying `payload` (the HTTP response's equivalent) when given.
std::string ack(std::string_view envelope_id, const std::optional<boost::json::object>& payload);

} // namespace checkpoint::bot::socket_mode
