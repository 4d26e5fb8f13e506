#include "blocks/error_text.hpp"

#include "blocks/kit.hpp"
#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <array>
#include <string_view>

namespace checkpoint::blocks {

namespace {

// A lead-in and a next step around the domain's own sentence, by error code.
struct wording {
    std::string_view code;
    std::string_view lead;
    std::string_view next;
};

namespace re = workflow::route_error;
namespace pe = workflow::petition_error;

constexpr std::array<wording, 21> table{{
    {re::unknown_person, ":bust_in_silhouette: You are not in Checkpoint's directory yet.",
     "An admin adds you to `manifests/directory/`."},
    {re::unknown_bundle, ":mag: No such bundle.", "`/checkpoint catalog` lists every bundle."},
    {re::unknown_resource_kind, ":mag: No such resource.", "`/checkpoint help` shows how to name one."},
    {re::deprecated, ":no_entry: That bundle is retired.", ""},
    {re::too_long, ":hourglass: That is longer than the bundle allows.", ""},
    {re::break_glass_not_allowed, ":no_entry: No break-glass for that bundle.", ""},
    {re::break_glass_not_permitted, ":no_entry: You cannot break glass right now.", ""},
    {re::no_reviewers, ":warning: No one is available to approve this.", "Tell the platform team."},
    {pe::illegal_transition, ":information_source: That no longer applies.", "`/checkpoint status` shows where it stands."},
    {pe::self_approval, ":raised_hand: Not your own request.", "Another reviewer of the step decides."},
    {pe::not_a_reviewer, ":lock: You are not a reviewer of this step.", ""},
    {pe::not_assigned, ":arrows_counterclockwise: Someone else has this one.", ""},
    {pe::already_approved, ":white_check_mark: Already counted.", "Waiting on the other reviewers."},
    {pe::not_requester, ":lock: Only the requester can do that.", ""},
    {pe::not_allowed_to_revoke, ":lock: You cannot revoke this access.", ""},
    {pe::not_due, ":hourglass: Not yet.", ""},
    {pe::extension_pending, ":hourglass: An extension is already waiting.", "`/checkpoint status` shows it."},
    {pe::bad_extension, ":warning: That extension does not add up.", ""},
    {"bad_duration", ":hourglass:", ""},
    {"not_found", ":mag:", "`/checkpoint mine` lists your requests."},
    {"unterminated_quote", ":pencil2: Checkpoint could not read that command.", "`/checkpoint help` shows the forms."},
}};

} // namespace

std::string error_text(const workflow::error& e)
{
    for (const auto& w : table) {
        if (w.code != e.code)
            continue;
        std::string out(w.lead);
        if (!e.message.empty())
            out += " " + escape(e.message);
        if (!w.next.empty())
            out += " " + std::string(w.next);
        return out;
    }
    // A code this table has not learnt yet still reads as a sentence, never as a bare code.
    return ":warning: " + (e.message.empty() ? "Something went wrong (" + escape(e.code) + ")." : escape(e.message));
}

boost::json::object error_reply(const workflow::error& e)
{
    const auto text = error_text(e);
    return ephemeral_message(text, boost::json::array{section_block(text)});
}

} // namespace checkpoint::blocks
