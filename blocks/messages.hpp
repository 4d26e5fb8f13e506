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
// Ask in thread, refused or already done: by the requester themselves; a second time; from a DM card
// of a request that has no channel card, where the requester could not see a thread.
boost::json::object ask_in_thread_own_request_reply();
boost::json::object ask_in_thread_already_asked_reply(std::string_view channel);
boost::json::object ask_in_thread_no_shared_card_reply(const workflow::petition& p, std::string_view requester_slack_id);
// Ask in thread, done: where the question went, and that the requester is told.
boost::json::object ask_in_thread_asked_reply(std::string_view channel, std::string_view requester_name);
// A reviewer out of office presses Approve or Deny on a step that went to their delegate (or up the
// chain): who decides meanwhile, then the refusal itself.
boost::json::object away_reviewer_reply(const workflow::out_of_office& away, std::string_view delegate_name,
                                        const workflow::error& refusal);
// The requester's DM: a reviewer asks about their request in a card's thread.
boost::json::object asked_about_your_request_message(const workflow::petition& p, std::string_view asker_slack_id,
                                                     std::string_view asker_name, std::string_view channel);
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
