#include "blocks/messages.hpp"

#include "blocks/error_text.hpp"
#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/request_modal.hpp"

namespace checkpoint::blocks {

boost::json::object slack_unavailable_reply(std::string_view why)
{
    return error_reply({"slack_unavailable", "Slack did not tell me who you are just now (" + std::string(why) +
                                                 "); please try again in a moment."});
}

boost::json::object opening_form_reply() { return ephemeral_message("Opening the request form…", {}); }

boost::json::object no_requests_yet_reply(std::string_view command)
{
    return ephemeral_message("You have no requests yet. Try `" + std::string(command) + " catalog`.", {});
}

boost::json::object delegate_not_in_directory_reply(std::string_view slack_user_id)
{
    return error_reply({"unknown_delegate", "<@" + std::string(slack_user_id) +
                                                "> is not in the directory, so they cannot approve for you. Pick "
                                                "someone who is."});
}

boost::json::object delegate_unknown_reply(std::string_view ref)
{
    return error_reply({"unknown_delegate", "No one in the directory is \"" + std::string(ref) +
                                                "\"; mention them (@name) or give their email."});
}

boost::json::object ask_in_thread_needs_card_reply()
{
    return ephemeral_message("Ask in thread works on a card in a channel or a DM.", {});
}

boost::json::object ask_in_thread_own_request_reply()
{
    return ephemeral_message("Ask in thread is for reviewers to ask you about your request; add what they need "
                             "to know in the card's thread, or with `/checkpoint status`.",
                             {});
}

boost::json::object ask_in_thread_already_asked_reply(std::string_view channel)
{
    return ephemeral_message("You already asked about this request in its thread in <#" + escape(channel) +
                                 ">; the requester was told.",
                             {});
}

boost::json::object ask_in_thread_no_shared_card_reply(const workflow::petition& p, std::string_view requester_slack_id)
{
    const std::string who = requester_slack_id.empty() ? escape(p.route.requester_name)
                                                       : "<@" + escape(requester_slack_id) + ">";
    return ephemeral_message("Request `" + escape(p.id) + "` has no card in a channel, so a thread here (your DM "
                                 "with Checkpoint) is one " + who + " cannot see. Message " + who + " directly.",
                             {});
}

boost::json::object ask_in_thread_asked_reply(std::string_view channel, std::string_view requester_name)
{
    return ephemeral_message("Asked in the card's thread in <#" + escape(channel) + ">; " + escape(requester_name) +
                                 " is told by DM. The request stays pending until someone decides.",
                             {});
}

boost::json::object asked_about_your_request_message(const workflow::petition& p, std::string_view asker_slack_id,
                                                     std::string_view asker_name, std::string_view channel)
{
    const std::string who = asker_slack_id.empty() ? "*" + escape(asker_name) + "*"
                                                   : "<@" + escape(asker_slack_id) + ">";
    const auto text = ":speech_balloon: " + who + " has a question about your request for *" +
                      escape(p.route.target) + "* (`" + escape(p.id) + "`): answer in the card's thread in <#" +
                      escape(channel) + ">.";
    return message(text, boost::json::array{section_block(text)});
}

boost::json::object away_reviewer_reply(const workflow::out_of_office& away, std::string_view delegate_name,
                                        const workflow::error& refusal)
{
    std::string text = ":palm_tree: You are out of office" +
                       (away.until ? " until " + slack_time(*away.until) : std::string(" until further notice")) + ", so ";
    text += delegate_name.empty() ? std::string("requests for you went to the next person up, or to the platform team.")
                                  : "*" + escape(delegate_name) + "* decides in your place.";
    text += " " + escape(refusal.message) + " `/checkpoint ooo off` if you are back.";
    return ephemeral_message(text, boost::json::array{section_block(text)});
}

boost::json::object only_requester_extends_reply(const workflow::petition& p)
{
    return ephemeral_message("Only the requester can extend request `" + p.id + "`.", {});
}

boost::json::object only_active_extends_reply(const workflow::petition& p)
{
    return ephemeral_message("Request `" + p.id + "` is " + std::string(workflow::name(p.state)) +
                                 "; only active access can be extended.",
                             {});
}

boost::json::object extend_by_command_reply(const workflow::petition& p)
{
    return ephemeral_message("Extend it with `/checkpoint extend " + p.id + " <duration>`.", {});
}

namespace field_text {

std::string deny_reason_missing() { return "Say why, in a few words: the requester reads this."; }
std::string not_in_directory()
{
    return "Checkpoint does not know you: an admin must add your Slack account to the directory.";
}
std::string pick_extension() { return "Pick how much longer."; }
std::string pick_bundle() { return "Pick what you need access to."; }
std::string pick_offered_duration() { return "Pick one of the offered durations."; }
std::string reason_too_short()
{
    return "Say why in at least " + std::to_string(min_reason_length) + " characters: reviewers read this.";
}
std::string ticket_too_long()
{
    return "A ticket reference is at most " + std::to_string(max_ticket_length) + " characters.";
}

} // namespace field_text

} // namespace checkpoint::blocks
