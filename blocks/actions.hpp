#pragma once

#include "workflow/petition.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace checkpoint::blocks {

// Every interactive thing Checkpoint renders. A new one is one row here and in actions.cpp;
// switches over it have no default, so the compiler points at every renderer and dispatcher that must learn it.
enum class action {
    approve,                // button on a card or App Home; value = petition id
    deny,                   // button; opens the deny-reason modal; value = petition id
    ask_in_thread,          // button on a card; value = petition id
    extend,                 // button on an expiring notice or App Home; opens the extend modal; value = petition id
    revoke,                 // button on App Home; value = petition id
    cancel,                 // button on App Home; value = petition id
    open_request_modal,     // button on App Home and replies; value = a bundle name or empty
    request_submit,         // view_submission of the request modal (callback_id)
    bundle_select,          // request modal: bundle (static or external select, dispatches on change)
    duration_select,        // request modal: duration
    reason_input,           // request modal: reason
    ticket_input,           // request modal: ticket
    deny_submit,            // view_submission of the deny-reason modal (callback_id)
    deny_reason_input,      // deny-reason modal: reason
    extend_submit,          // view_submission of the extend modal (callback_id)
    extend_duration_select, // extend modal: how much longer
    extend_reason_input,    // extend modal: why
    approve_for,            // select on a request card: approve for less; option value = "<petition id> <duration>"
};

enum class action_kind {
    button, // block_actions; `value` carries the petition id
    select, // an input element; block_id is the key of view state and of `response_action: errors`
    input,  // a plain_text_input; same keys as a select
    view,   // a modal's callback_id; arrives as view_submission
    menu,   // a static select in a message's actions block (block_actions); each option's value carries the petition
};

enum class button_style { plain, primary, danger };

// Who may press a petition's button; the workflow refuses anyone else too, and the API asks for the
// scope that goes with it.
enum class who_may {
    reviewer,              // a reviewer of the step being decided (API scope `review`)
    requester,             // the person who asked (API scope `requests`)
    requester_or_reviewer, // either (API scope `requests` or `review`): ending access early
    anyone,                // anyone in the directory
};

struct action_info {
    action id;
    action_kind kind;
    // The action_id for elements, the callback_id for views.
    std::string_view name;
    // The input block holding an element; empty for buttons (their block is per petition) and views.
    std::string_view block_id;
    // For buttons: the label, and the label on a break-glass review card (where approving marks the
    // access reviewed and denying revokes it); empty when the same.
    std::string_view label = {};
    std::string_view review_label = {};
    button_style style = button_style::plain;
    // The workflow event a petition button makes (extend and deny make theirs on their modal's submission).
    std::optional<workflow::event_kind> event = std::nullopt;
    who_may who = who_may::anyone;
    // The REST API's name for the same act (POST /api/v1/petitions/{id}/<verb>); empty when it has none.
    std::string_view api_verb = {};
    // The act in a sentence ("… which approving needs").
    std::string_view doing = {};
};

// Every action, in enum order.
std::span<const action_info> actions();
const action_info& info(action a);

constexpr std::string_view action_prefix = "checkpoint.";

// The dispatcher's way back from an action_id (or a view's callback_id) to the action.
std::optional<action> parse_action_id(std::string_view id);
// The API's way from POST /petitions/{id}/<verb> to the same row.
const action_info* find_api_verb(std::string_view verb);

// The block_id of a petition's buttons: unique per petition so that App Home can hold many.
std::string petition_block_id(std::string_view petition_id);

} // namespace checkpoint::blocks
