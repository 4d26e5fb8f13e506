#include "blocks/notifications.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/petition_summary.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

namespace {

using workflow::notice;

constexpr std::size_t max_listed_params = 8;

std::string what_of(const workflow::petition& p) { return "*" + target_label(p.route) + "*"; }

const workflow::decision_record* last_decision(const workflow::petition& p)
{
    return p.decisions.empty() ? nullptr : &p.decisions.back();
}

std::string by_whom(const workflow::petition& p, std::string_view id, const notice_context& ctx)
{
    return escape(person_name(p, id, ctx.directory));
}

// "You can now use": the bundle's entitlements as the manifest words them; a bundle without any says its
// description and what the integration is asked to grant.
std::string grants_text(const notice_context& ctx)
{
    if (!ctx.bundle)
        return {};
    const auto& b = *ctx.bundle;
    std::string out = "*You can now use:*";
    if (!b.entitlements.empty()) {
        for (const auto& e : b.entitlements)
            out += "\n• " + escape(e.description);
        return out;
    }
    out += "\n• " + escape(b.description);
    std::size_t shown = 0;
    for (const auto& param : b.provision.params) {
        if (shown++ == max_listed_params)
            break;
        std::vector<std::string> values;
        for (const auto& v : param.values)
            values.push_back("`" + escape(v) + "`");
        out += "\n• " + escape(param.key) + ": " + join_words(values);
    }
    return out;
}

boost::json::object decide_buttons(const workflow::petition& p)
{
    return actions_block(petition_block_id(p.id),
                         {petition_button(action::approve, p.id), petition_button(action::deny, p.id)});
}

const workflow::route& open_route(const workflow::petition& p)
{
    return p.pending_extension ? p.pending_extension->route : p.route;
}

const workflow::approval_progress& open_progress(const workflow::petition& p)
{
    return p.pending_extension ? p.pending_extension->progress : p.progress;
}

std::string waiting_on(const workflow::petition& p)
{
    const auto& r = open_route(p);
    const auto step = open_progress(p).step;
    if (step >= r.steps.size())
        return {};
    const auto& s = r.steps[step];
    std::vector<std::string> names;
    for (const auto& rv : s.reviewers)
        names.push_back(escape(rv.name));
    if (names.size() > 5) {
        const auto more = names.size() - 5;
        names.resize(5);
        names.push_back(std::to_string(more) + " more");
    }
    return "Now waiting on step " + std::to_string(step + 1) + " of " + std::to_string(r.steps.size()) + " (" +
           escape(s.name) + "): " + join_words(names) + ".";
}

} // namespace

boost::json::object notice_message(const workflow::petition& p, notice what, std::string_view recipient_id,
                                   const notice_context& ctx)
{
    const auto& r = p.route;
    const bool to_requester = recipient_id == r.requester_id;
    const std::string id_line = "Request `" + escape(p.id) + "` · `/checkpoint status " + escape(p.id) + "`";
    std::string lead;
    boost::json::array extra;
    switch (what) {
    case notice::submitted:
        lead = ":envelope: Your request for " + what_of(p) + " (" + format_length(r.length) +
               ") is waiting for approval. " + escape(r.rule_reason);
        extra.push_back(section_block(route_steps_text(r)));
        break;
    case notice::step_approved: {
        const auto* d = last_decision(p);
        lead = ":white_check_mark: " + std::string(p.pending_extension ? "Your extension of " : "Your request for ") +
               what_of(p) + " passed a step" + (d ? ": " + escape(d->step) + ", approved by " + by_whom(p, d->by, ctx) : "") +
               (d && d->granted ? " for " + format_length(*d->granted) + " (you asked for " +
                                      format_length(p.asked_length.value_or(r.length)) + ")"
                                : std::string()) +
               ". " + waiting_on(p);
        break;
    }
    case notice::approved:
        if (p.asked_length) {
            // A reviewer set a shorter duration: say so, and who.
            std::string who;
            for (const auto& d : p.decisions)
                if (d.granted)
                    who = by_whom(p, d.by, ctx);
            lead = ":white_check_mark: Your request for " + what_of(p) + " is approved for " + format_length(r.length) +
                   " (you asked for " + format_length(*p.asked_length) + (who.empty() ? "" : "; " + who + " set it") +
                   "). Access is being set up; I will tell you when it is active. Need longer later? Extend it.";
        } else {
            lead = ":white_check_mark: Your request for " + what_of(p) + " (" + format_length(r.length) +
                   ") is approved. Access is being set up; I will tell you when it is active.";
        }
        break;
    case notice::auto_approved:
        lead = ":white_check_mark: " + escape(r.rule_reason) + " Access to " + what_of(p) + " for " +
               format_length(r.length) + " is being set up; I will tell you when it is active.";
        break;
    case notice::denied:
        lead = ":x: Your request for " + what_of(p) + " was denied" +
               (p.closed_by.empty() ? std::string() : " by " + by_whom(p, p.closed_by, ctx)) + ".";
        if (!p.close_reason.empty())
            lead += "\n" + quoted(p.close_reason);
        lead += "\nYou can ask again with more context, or for a shorter time.";
        break;
    case notice::cancelled:
        lead = ":heavy_multiplication_x: Your request for " + what_of(p) + " is cancelled; the reviewers' cards say so.";
        break;
    case notice::active:
        lead = ":large_green_circle: Access to " + what_of(p) + " is active" +
               (p.ends_at ? " until " + slack_time(*p.ends_at) : std::string()) + ". It ends on its own.";
        if (auto g = grants_text(ctx); !g.empty())
            extra.push_back(section_block(g));
        break;
    case notice::expiring:
        lead = ":hourglass: Access to " + what_of(p) + " ends " +
               (p.ends_at ? slack_time(*p.ends_at) : std::string("soon")) + ".";
        if (p.pending_extension)
            lead += " An extension is waiting for approval.";
        else
            extra.push_back(section_with_button("Need more time? Ask for an extension; the reviewers see your reason.",
                                                button(action::extend, info(action::extend).label, p.id, button_style::primary)));
        break;
    case notice::expired:
        lead = ":checkered_flag: Access to " + what_of(p) + " ended" +
               (p.ends_at ? " at " + slack_time(*p.ends_at) : std::string()) + ". `/checkpoint request " +
               escape(r.target) + "` asks again.";
        break;
    case notice::revoked:
        lead = ":no_entry: Access to " + what_of(p) + " was revoked" +
               (p.closed_by.empty() ? std::string() : " by " + by_whom(p, p.closed_by, ctx)) + ".";
        if (!p.close_reason.empty())
            lead += "\n" + quoted(p.close_reason);
        break;
    case notice::failed:
        if (to_requester) {
            lead = ":warning: Setting up access to " + what_of(p) + " failed" +
                   (p.close_reason.empty() ? std::string(".") : ":\n" + quoted(p.close_reason)) +
                   "\nNothing is left half-granted. Tell " + escape(r.platform_team) + ", or request it again.";
        } else {
            // The owning team and the platform team: someone has to look at the integration.
            lead = ":warning: Setting up " + escape(r.requester_name) + "'s access to " + what_of(p) + " failed" +
                   (p.close_reason.empty() ? std::string(".") : ":\n" + quoted(p.close_reason)) +
                   "\nThe request is marked failed and " + escape(r.requester_name) +
                   " was told. Check the integration" +
                   (r.integration.empty() ? std::string() : " `" + escape(r.integration) + "`") +
                   "; the audit log has what it answered.";
        }
        break;
    case notice::deprecated: {
        const auto* successor = ctx.bundle && !ctx.bundle->successor.empty() ? &ctx.bundle->successor : nullptr;
        lead = ":warning: *" + escape(r.target) + "* is deprecated. Your access (`" + escape(p.id) + "`) stays" +
               (p.ends_at ? " until " + slack_time(*p.ends_at) : std::string()) +
               " and ends on its own; it cannot be extended, and new requests for it are refused.";
        lead += successor ? "\nUse *" + escape(*successor) + "* instead: `/checkpoint request " + escape(*successor) +
                                "` asks for it."
                          : std::string("\nAsk ") + escape(r.owner_team) + " what replaces it.";
        break;
    }
    case notice::revoke_failed:
        // Told to the owning and platform teams: the access may still be there, and only a person can
        // take it away now.
        lead = ":rotating_light: Removing " + escape(r.requester_name) + "'s access to " + what_of(p) +
               " failed for good, so they may still have it. Remove it by hand" +
               (r.integration.empty() ? std::string() : " where `" + escape(r.integration) + "` would have") +
               "; the audit log has what the integration answered.";
        break;
    case notice::break_glass:
        if (recipient_id.empty()) {
            lead = ":rotating_light: *Break-glass:* " + escape(r.requester_name) + " took " + what_of(p) + " for " +
                   format_length(r.length) + " at " + slack_time(p.created_at) + ". " + escape(r.rule_reason);
            extra.push_back(section_block("*Reason*\n" + (p.reason.empty() ? std::string("_none given_") : quoted(p.reason))));
        } else {
            lead = ":rotating_light: Break-glass access to " + what_of(p) + " for " + format_length(r.length) +
                   " is being set up now. " + escape(r.rule_reason) + " Every step is in the audit log.";
        }
        break;
    case notice::override_granted: {
        const auto granter = by_whom(p, p.filed_by, ctx);
        if (recipient_id.empty()) {
            // The security channel: an exception to the approval flow, said as one, with its justification.
            lead = ":warning: *Manual override:* " + granter + " granted " + escape(r.requester_name) + " " +
                   what_of(p) + " for " + format_length(r.length) + " at " + slack_time(p.created_at) +
                   ", outside the approval flow. It expires and is revoked like any other grant; `checkpoint report "
                   "bypassed-approval` lists every exception.";
            extra.push_back(section_block("*Justification*\n" + quoted(p.reason) +
                                          (p.ticket.empty() ? std::string() : "\n*Ticket* " + escape(p.ticket))));
        } else {
            lead = ":unlock: " + granter + " granted you " + what_of(p) + " for " + format_length(r.length) +
                   " outside the usual approval, as an exception. It is being set up now and ends on its own; the "
                   "security channel has been told.\n" +
                   quoted(p.reason);
        }
        break;
    }
    case notice::review_requested:
        lead = ":mag: " + escape(r.requester_name) + "'s break-glass access to " + what_of(p) +
               " needs your review. The card in your messages has the details.";
        extra.push_back(actions_block(petition_block_id(p.id),
                                      {petition_button(action::approve, p.id, true),
                                       petition_button(action::deny, p.id, true)}));
        break;
    case notice::reviewed: {
        const auto* d = last_decision(p);
        lead = ":white_check_mark: Your break-glass access to " + what_of(p) + " was reviewed" +
               (d ? " by " + by_whom(p, d->by, ctx) : std::string()) + "; nothing more is needed.";
        break;
    }
    case notice::extension_requested:
        lead = ":envelope: You asked to extend " + what_of(p) +
               (p.pending_extension ? " by " + format_length(p.pending_extension->added) + ". " +
                                          escape(p.pending_extension->route.rule_reason)
                                    : std::string(".")) +
               " Access stays " + (p.ends_at ? "until " + slack_time(*p.ends_at) : std::string("as it is")) +
               " meanwhile.";
        if (p.pending_extension)
            extra.push_back(section_block(route_steps_text(p.pending_extension->route)));
        break;
    case notice::extended:
        lead = ":white_check_mark: Access to " + what_of(p) + " is extended" +
               (p.ends_at ? " until " + slack_time(*p.ends_at) : std::string()) + " (" + format_length(r.length) +
               " in all).";
        break;
    case notice::extension_denied: {
        const auto* d = last_decision(p);
        lead = ":x: Your extension of " + what_of(p) + " was denied" +
               (d && !d->approved ? " by " + by_whom(p, d->by, ctx) : std::string()) + ". Access stays " +
               (p.ends_at ? "until " + slack_time(*p.ends_at) : std::string("as it was")) + ".";
        if (d && !d->approved && !d->reason.empty())
            lead += "\n" + quoted(d->reason);
        break;
    }
    case notice::extension_cancelled:
        lead = ":heavy_multiplication_x: You withdrew the extension of " + what_of(p) + "; access stays " +
               (p.ends_at ? "until " + slack_time(*p.ends_at) : std::string("as it was")) + ".";
        break;
    case notice::reassigned:
        if (to_requester) {
            lead = ":arrow_double_up: No answer on your request for " + what_of(p) + " within " +
                   format_length(r.escalate_after) + ", so it moved on. " + waiting_on(p);
        } else {
            lead = ":arrow_double_up: " + petition_line(p) + " is now assigned to you: no answer within " +
                   format_length(open_route(p).escalate_after) + " from the reviewer before you.";
            extra.push_back(section_block("*Reason*\n" + quoted(p.pending_extension ? p.pending_extension->reason : p.reason)));
            extra.push_back(decide_buttons(p));
        }
        break;
    case notice::withdrawn:
        lead = ":heavy_multiplication_x: Your request for " + what_of(p) + " was withdrawn; nothing was granted.\n" +
               quoted(p.close_reason);
        break;
    case notice::extension_withdrawn: {
        // The withdrawal's reason is the service's decision on the extension: the newest such one.
        std::string reason;
        for (auto it = p.decisions.rbegin(); it != p.decisions.rend(); ++it)
            if (it->by == "checkpoint" && it->step == "extension" && !it->approved) {
                reason = it->reason;
                break;
            }
        lead = ":heavy_multiplication_x: The extension you asked for on " + what_of(p) + " was withdrawn; access stays " +
               (p.ends_at ? "until " + slack_time(*p.ends_at) : std::string("as it was")) + ".\n" + quoted(reason);
        break;
    }
    case notice::rerouted:
        // The manifests or the directory changed who must approve.
        if (to_requester)
            lead = ":twisted_rightwards_arrows: The approval policy changed, so your " +
                   std::string(p.pending_extension ? "extension of " : "request for ") + what_of(p) +
                   " waits on other reviewers. " + waiting_on(p);
        else
            lead = ":twisted_rightwards_arrows: " + petition_line(p) +
                   " no longer waits on you: the approval policy changed. " + waiting_on(p);
        break;
    case notice::reminder:
        lead = ":alarm_clock: Reminder: " + petition_line(p) + " has waited for you since " + slack_time(p.created_at) +
               ".";
        extra.push_back(section_block("*Reason*\n" + quoted(p.pending_extension ? p.pending_extension->reason : p.reason)));
        extra.push_back(decide_buttons(p));
        break;
    }
    boost::json::array blocks;
    blocks.push_back(section_block(lead));
    for (auto& b : extra)
        blocks.push_back(std::move(b));
    blocks.push_back(context_block(id_line));
    return message(lead, std::move(blocks));
}

} // namespace checkpoint::blocks
