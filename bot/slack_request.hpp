#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace checkpoint::bot {

struct slash_command {
    std::string command;
    std::string text;
    std::string user_id;
    std::string team_id;
    std::string channel_id;
    std::string trigger_id;
    std::string response_url;
};

enum class interaction_kind { block_actions, view_submission, view_closed, block_suggestion, shortcut, message_action };

struct interaction {
    interaction_kind kind;
    std::string user_id;
    boost::json::object payload;
};

struct url_verification {
    std::string challenge;
};

struct event_callback {
    std::string event_id;
    std::string event_type;
    std::string team_id;
    boost::json::object event;
};

// Slack's periodic `ssl_check=1` probe of a slash command URL.
struct ssl_check {};

using slack_request = std::variant<slash_command, interaction, url_verification, event_callback, ssl_check>;

// A request Slack would never send; `reason` says what was wrong, for the 400 and the log.
struct bad_slack_request {
    std::string reason;
};

// True for Slack's unsigned `ssl_check=1` form probe, answered before verification as Bolt does.
bool is_ssl_check(std::string_view content_type, std::string_view body);

// Decodes a verified body into the kind of Slack request it is, by content type as Bolt does:
// a form with `command` is a slash command, a form with `payload` an interaction, JSON an event.
std::variant<slack_request, bad_slack_request> parse_slack_request(std::string_view content_type,
                                                                    std::string_view body);

// The same decoding from what the body held, for transports that carry it already decoded (Socket Mode):
// a slash command from its fields, an interaction from its payload object, an Events API callback
// (url_verification or event_callback) from its JSON object.
std::variant<slack_request, bad_slack_request>
command_from(const std::function<std::optional<std::string_view>(std::string_view)>& field);
std::variant<slack_request, bad_slack_request> interaction_from(boost::json::object payload);
std::variant<slack_request, bad_slack_request> callback_from(boost::json::object body);

std::string_view to_string(interaction_kind k);

} // namespace checkpoint::bot
