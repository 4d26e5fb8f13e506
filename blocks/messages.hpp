#pragma once

#include "workflow/petition.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace checkpoint::blocks {

// The short answers the Slack front gives outside the larger replies (command_replies, notifications,
// cards): every sentence a person reads is written in blocks/, none in bot/.

// Ephemeral replies.
boost::json::object slack_unavailable_reply(std::string_view why);
boost::json::object opening_form_reply();
boost::json::object no_requests_yet_reply(std::string_view command);
boost::json::object delegate_not_in_directory_reply(std::string_view slack_user_id);
boost::json::object delegate_unknown_reply(std::string_view ref);
boost::json::object ask_in_thread_needs_card_reply();
boost::json::object only_requester_extends_reply(const workflow::petition& p);
boost::json::object only_active_extends_reply(const workflow::petition& p);
boost::json::object extend_by_command_reply(const workflow::petition& p);

// What a form's field says when its value is refused (views' `response_action: errors`).
namespace field_text {
std::string deny_reason_missing();
std::string not_in_directory();
std::string pick_extension();
std::string pick_bundle();
std::string pick_offered_duration();
std::string reason_too_short();
std::string ticket_too_long();
} // namespace field_text

} // namespace checkpoint::blocks
