#include "blocks/error_text.hpp"

#include "blocks/kit.hpp"
#include "workflow/error_code.hpp"

#include <string_view>

namespace checkpoint::blocks {

namespace {

// A lead-in and a next step around the domain's own sentence.
struct wording {
    std::string_view lead;
    std::string_view next;
};

// Every code Checkpoint gives, in people's words: no default, so a new code must be worded here.
wording wording_of(workflow::error_code c)
{
    using ec = workflow::error_code;
    switch (c) {
    case ec::unknown_person:
        return {":bust_in_silhouette: You are not in Checkpoint's directory yet.",
                "An admin adds you to `manifests/directory/`."};
    case ec::unknown_bundle: return {":mag: No such bundle.", "`/checkpoint catalog` lists every bundle."};
    case ec::unknown_resource_kind: return {":mag: No such resource.", "`/checkpoint help` shows how to name one."};
    case ec::deprecated: return {":no_entry: That bundle is retired.", ""};
    case ec::too_long: return {":hourglass: That is longer than the bundle allows.", ""};
    case ec::break_glass_not_allowed: return {":no_entry: No break-glass for that bundle.", ""};
    case ec::break_glass_not_permitted: return {":no_entry: You cannot break glass right now.", ""};
    case ec::no_reviewers: return {":warning: No one is available to approve this.", "Tell the platform team."};
    case ec::illegal_transition:
        return {":information_source: That no longer applies.", "`/checkpoint status` shows where it stands."};
    case ec::self_approval: return {":raised_hand: Not your own request.", "Another reviewer of the step decides."};
    case ec::not_a_reviewer: return {":lock: You are not a reviewer of this step.", ""};
    case ec::not_assigned: return {":arrows_counterclockwise: Someone else has this one.", ""};
    case ec::already_approved: return {":white_check_mark: Already counted.", "Waiting on the other reviewers."};
    case ec::not_requester: return {":lock: Only the requester can do that.", ""};
    case ec::not_allowed_to_revoke: return {":lock: You cannot revoke this access.", ""};
    case ec::not_due: return {":hourglass: Not yet.", ""};
    case ec::extension_pending:
        return {":hourglass: An extension is already waiting.", "`/checkpoint status` shows it."};
    case ec::bad_extension: return {":warning: That extension does not add up.", ""};
    case ec::unterminated_quote:
        return {":pencil2: Checkpoint could not read that command.", "`/checkpoint help` shows the forms."};
    case ec::unknown_subcommand:
    case ec::unknown_option:
    case ec::unexpected_argument:
    case ec::missing_argument:
    case ec::missing_value:
    case ec::unexpected_value:
    case ec::usage: return {":pencil2:", "`/checkpoint help` shows the forms."};
    case ec::bad_duration:
    case ec::bad_date: return {":hourglass:", ""};
    case ec::bad_delegate:
    case ec::unknown_delegate: return {":bust_in_silhouette:", ""};
    case ec::missing_reason:
    case ec::too_long_input:
    case ec::bad_cursor:
    case ec::bad_labels:
    case ec::bad_petition_id: return {":pencil2:", ""};
    case ec::not_found:
    case ec::petition_not_found: return {":mag:", "`/checkpoint mine` lists your requests."};
    case ec::unknown_resource:
    case ec::unknown_kind:
    case ec::unknown_report:
    case ec::exists: return {":mag:", ""};
    case ec::conflict: return {":arrows_counterclockwise:", ""};
    case ec::not_syncable:
    case ec::too_many:
    case ec::integration_refused: return {":no_entry:", ""};
    case ec::unavailable:
    case ec::slack_unavailable: return {":hourglass:", ""};
    case ec::storage_failed:
    case ec::invalid_write:
    case ec::invalid_audit:
    case ec::bad_audit_details:
    case ec::bad_payload:
    case ec::corrupt_petition:
    case ec::database_open_failed:
    case ec::database_too_new:
    case ec::backup_failed:
    case ec::invalid_pull_response:
    case ec::manifests: return {"", ""};
    }
    return {"", ""};
}

// Codes from inside Checkpoint: their messages are for its log, not for people in Slack.
bool internal(workflow::error_code c)
{
    return wording_of(c).lead.empty();
}

} // namespace

std::string error_text(const workflow::error& e)
{
    const auto c = workflow::parse_error_code(e.code);
    if (!c) // not a code Checkpoint gives (tests keep them all in the enum): the sentence, never a bare code
        return ":warning: " + (e.message.empty() ? "Something went wrong (" + escape(e.code) + ")." : escape(e.message));
    if (internal(*c))
        return ":warning: Something went wrong inside Checkpoint; please try again, and tell the platform team if it "
               "keeps happening.";
    const auto w = wording_of(*c);
    std::string out(w.lead);
    if (!e.message.empty())
        out += " " + escape(e.message);
    if (!w.next.empty())
        out += " " + std::string(w.next);
    return out;
}

boost::json::object error_reply(const workflow::error& e)
{
    const auto text = error_text(e);
    return ephemeral_message(text, boost::json::array{section_block(text)});
}

} // namespace checkpoint::blocks
