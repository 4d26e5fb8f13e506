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

// The codes with words of their own: a lead-in before the domain's sentence and a next step after it.
struct own_words {
    workflow::error_code code;
    wording words;
};

using ec = workflow::error_code;

constexpr own_words own[] = {
    {ec::unknown_person,
     {":bust_in_silhouette: You are not in Checkpoint's directory yet.", "An admin adds you to `manifests/directory/`."}},
    {ec::unknown_bundle, {":mag: No such bundle.", "`/checkpoint catalog` lists every bundle."}},
    {ec::unknown_resource_kind, {":mag: No such resource.", "`/checkpoint help` shows how to name one."}},
    {ec::deprecated, {":no_entry: That bundle is retired.", ""}},
    {ec::too_long, {":hourglass: That is longer than the bundle allows.", ""}},
    {ec::break_glass_not_allowed, {":no_entry: No break-glass for that bundle.", ""}},
    {ec::break_glass_not_permitted, {":no_entry: You cannot break glass right now.", ""}},
    {ec::no_reviewers, {":warning: No one is available to approve this.", "Tell the platform team."}},
    {ec::illegal_transition, {":information_source: That no longer applies.", "`/checkpoint status` shows where it stands."}},
    {ec::self_approval, {":raised_hand: Not your own request.", "Another reviewer of the step decides."}},
    {ec::not_a_reviewer, {":lock: You are not a reviewer of this step.", ""}},
    {ec::not_assigned, {":arrows_counterclockwise: Someone else has this one.", ""}},
    {ec::already_approved, {":white_check_mark: Already counted.", "Waiting on the other reviewers."}},
    {ec::not_requester, {":lock: Only the requester can do that.", ""}},
    {ec::not_allowed_to_revoke, {":lock: You cannot revoke this access.", ""}},
    {ec::not_due, {":hourglass: Not yet.", ""}},
    {ec::extension_pending, {":hourglass: An extension is already waiting.", "`/checkpoint status` shows it."}},
    {ec::bad_extension, {":warning: That extension does not add up.", ""}},
    {ec::already_open, {":information_source: Nothing new was filed.", ""}},
    {ec::second_step, {":raised_hand: One step per person.", ""}},
    {ec::unterminated_quote, {":pencil2: Checkpoint could not read that command.", "`/checkpoint help` shows the forms."}},
    {ec::bad_duration, {":hourglass:", ""}},
    {ec::bad_date, {":hourglass:", ""}},
    {ec::not_found, {":mag:", "`/checkpoint mine` lists your requests."}},
    {ec::petition_not_found, {":mag:", "`/checkpoint mine` lists your requests."}},
    {ec::slack_unavailable, {":hourglass:", ""}},
    {ec::unavailable, {":hourglass:", ""}},
};

// Every other code, by its class (class_of is complete).
wording words_of(workflow::error_class c)
{
    switch (c) {
    case workflow::error_class::invalid_input: return {":pencil2:", ""};
    case workflow::error_class::not_found: return {":mag:", ""};
    case workflow::error_class::refused: return {":no_entry:", ""};
    case workflow::error_class::conflict: return {":arrows_counterclockwise:", ""};
    case workflow::error_class::internal: return {"", ""};
    }
    return {"", ""};
}

wording wording_of(workflow::error_code c)
{
    for (const auto& o : own)
        if (o.code == c)
            return o.words;
    return words_of(workflow::class_of(c));
}

// Codes from inside Checkpoint (and not merely waiting on Slack): their messages are for its log.
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
