#pragma once

#include "workflow/directory.hpp"
#include "workflow/petition.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <string_view>

namespace checkpoint::blocks {

// Which card: a request's step, a pending extension's step, or the review after a break-glass grant.
enum class card_kind { request, extension, break_glass_review };

// The card a post_card effect asks for, from its notice (submitted, extension_requested, review_requested).
card_kind card_kind_for(workflow::notice what);

struct card_input {
    const workflow::petition& petition;
    card_kind kind = card_kind::request;
    // The step the copy was posted for (the post_card effect's `step`).
    std::size_t step = 0;
    // The reviewer's person id for a direct-message copy ("Why you: …"); empty for a channel copy.
    std::string_view recipient_id;
    // Names of deciders who are not on the route (a revoker from the owning team).
    const workflow::directory* directory = nullptr;
};

// The approval card with Approve / Deny / Ask in thread while its step is open; once decided, the same
// card with the outcome, who decided and when, and no buttons (every copy is re-rendered with this).
boost::json::object approval_card(const card_input& in);

// A click on a card that is no longer open: who decided and when, as an ephemeral reply. A step past the
// route's end (a finished route's progress) means its last step.
boost::json::object already_decided_reply(const card_input& in);

// "Ask in thread": posted in the card's thread, mentioning the requester and the reviewer who asked.
// Slack ids may be empty; the names are used then.
boost::json::object ask_in_thread_message(const workflow::petition& p, std::string_view requester_slack_id,
                                          std::string_view asker_slack_id, std::string_view asker_name);

// "<@U01MARY>" when the Slack id is known, else the escaped name.
std::string mention(std::string_view slack_id, std::string_view name);

} // namespace checkpoint::blocks
