#include "blocks/approval_card.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/petition_summary.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

namespace {

using workflow::petition_state;

constexpr std::size_t max_listed_reviewers = 10;

bool holds_access(const workflow::petition& p)
{
    return p.state == petition_state::approved || p.state == petition_state::provisioning ||
           p.state == petition_state::active;
}

const workflow::route& route_of(const card_input& in)
{
    if (in.kind == card_kind::extension && in.petition.pending_extension)
        return in.petition.pending_extension->route;
    return in.petition.route;
}

bool is_open(const card_input& in)
{
    const auto& p = in.petition;
    switch (in.kind) {
    case card_kind::request:
        return p.state == petition_state::pending && p.progress.step == in.step;
    case card_kind::extension:
        return p.state == petition_state::active && p.pending_extension && p.pending_extension->progress.step == in.step;
    case card_kind::break_glass_review:
        return p.review_pending && holds_access(p);
    }
    return false;
}

std::string step_name(const card_input& in)
{
    const auto& r = route_of(in);
    if (in.step < r.steps.size())
        return r.steps[in.step].name;
    return {};
}

std::string who_and_when(const card_input& in, const workflow::decision_record& d)
{
    return escape(person_name(in.petition, d.by, in.directory)) + " on " + slack_time(d.at);
}

// What became of the card's step, and of the petition since.
std::string outcome_text(const card_input& in)
{
    const auto& p = in.petition;
    const std::string prefix = in.kind == card_kind::extension ? "extension: " : "";
    const auto recorded = decisions_for(p, prefix + step_name(in));
    std::vector<std::string> approvers;
    const workflow::decision_record* denial = nullptr;
    for (const auto* d : recorded) {
        if (d->approved)
            approvers.push_back(who_and_when(in, *d));
        else
            denial = d;
    }
    std::string out;
    switch (in.kind) {
    case card_kind::request:
        if (denial)
            out = ":x: *Denied* by " + who_and_when(in, *denial);
        else if (!approvers.empty())
            out = ":white_check_mark: *Approved* by " + join_words(approvers);
        else if (p.state == petition_state::cancelled)
            out = ":heavy_multiplication_x: *Cancelled* by " + escape(p.route.requester_name);
        else
            out = ":white_small_square: Closed without a decision on this step";
        break;
    case card_kind::extension:
        if (denial)
            out = ":x: *Extension denied* by " + who_and_when(in, *denial);
        else if (!approvers.empty() && !p.pending_extension)
            out = ":white_check_mark: *Extension approved* by " + join_words(approvers);
        else if (!approvers.empty())
            out = ":white_check_mark: *Step approved* by " + join_words(approvers);
        else
            out = ":heavy_multiplication_x: *Extension closed* without a decision";
        break;
    case card_kind::break_glass_review:
        if (denial)
            out = ":no_entry: *Revoked on review* by " + who_and_when(in, *denial);
        else if (!approvers.empty())
            out = ":white_check_mark: *Reviewed* by " + join_words(approvers);
        else
            out = ":white_small_square: Access ended before anyone reviewed it";
        break;
    }
    // The denier's reason; the request's close reason for decisions recorded before reasons were kept.
    if (denial) {
        const auto& why = !denial->reason.empty() || in.kind == card_kind::extension ? denial->reason : p.close_reason;
        if (!why.empty())
            out += "\n" + quoted(why);
    }
    // Later steps and the grant itself, so every copy tells the whole story.
    if (p.state != petition_state::denied && p.state != petition_state::cancelled)
        out += "\n" + state_text(p);
    if ((p.state == petition_state::revoked || p.state == petition_state::failed) && !denial) {
        if (!p.closed_by.empty())
            out += " by " + escape(person_name(p, p.closed_by, in.directory));
        if (!p.close_reason.empty())
            out += "\n" + quoted(p.close_reason);
    }
    return out;
}

std::string headline(const card_input& in)
{
    const auto& p = in.petition;
    const std::string who = "*" + escape(p.route.requester_name) + "*";
    const std::string what = "*" + target_label(p.route) + "*";
    switch (in.kind) {
    case card_kind::request:
        return who + " is requesting access to " + what;
    case card_kind::extension:
        return who + " is asking to extend access to " + what + " by " +
               (p.pending_extension ? format_length(p.pending_extension->added) : std::string("more time"));
    case card_kind::break_glass_review:
        return who + " broke glass and has access to " + what + " now; review it after the fact";
    }
    return who;
}

std::string header_text(card_kind k)
{
    switch (k) {
    case card_kind::request:
        return "🔐 Access Request";
    case card_kind::extension:
        return "🔐 Extension Request";
    case card_kind::break_glass_review:
        return "🚨 Break-glass Access";
    }
    return "🔐 Access Request";
}

std::vector<field> card_fields(const card_input& in)
{
    const auto& p = in.petition;
    const auto& r = p.route;
    std::vector<field> f{
        {r.is_resource ? "Resource" : "Bundle", target_shown(r)},
        {"Owner", escape(r.owner_team.empty() ? r.platform_team : r.owner_team)},
        {"Risk", std::string(workflow::title(r.level))},
    };
    switch (in.kind) {
    case card_kind::request:
    case card_kind::break_glass_review:
        f.push_back({"Duration", format_length(r.length)});
        break;
    case card_kind::extension:
        if (p.pending_extension) {
            f.push_back({"Extension", "+" + format_length(p.pending_extension->added)});
            f.push_back({"Total", format_length(p.pending_extension->route.length)});
        }
        if (p.ends_at)
            f.push_back({"Ends now", slack_time(*p.ends_at)});
        if (p.ends_at && p.pending_extension)
            f.push_back({"Would end", slack_time(*p.ends_at + p.pending_extension->added)});
        break;
    }
    f.push_back({"Ticket", escape(p.ticket)});
    f.push_back({"Requested", slack_time(p.created_at)});
    return f;
}

std::string reason_of(const card_input& in)
{
    if (in.kind == card_kind::extension && in.petition.pending_extension && !in.petition.pending_extension->reason.empty())
        return in.petition.pending_extension->reason;
    return in.petition.reason;
}

// "Why you" for a reviewer's own copy; the step's reviewers and reasons for a channel copy.
std::string why_text(const card_input& in)
{
    const auto& r = route_of(in);
    if (in.step >= r.steps.size())
        return {};
    const auto& s = r.steps[in.step];
    if (!in.recipient_id.empty()) {
        for (const auto& rv : s.reviewers)
            if (rv.person_id == in.recipient_id)
                return "*Why you:* " + escape(reason_without_name(rv));
    }
    std::string out = "*Reviewers*";
    for (std::size_t i = 0; i < s.reviewers.size() && i < max_listed_reviewers; ++i)
        out += "\n• *" + escape(s.reviewers[i].name) + "*: " + escape(reason_without_name(s.reviewers[i]));
    if (s.reviewers.size() > max_listed_reviewers)
        out += "\n• …and " + std::to_string(s.reviewers.size() - max_listed_reviewers) + " more";
    return out;
}

std::string step_context(const card_input& in)
{
    const auto& r = route_of(in);
    const auto& p = in.petition;
    if (in.step >= r.steps.size())
        return {};
    const auto& s = r.steps[in.step];
    const auto& prog = in.kind == card_kind::extension && p.pending_extension ? p.pending_extension->progress : p.progress;
    std::string out;
    if (in.kind == card_kind::break_glass_review)
        out = "Review by " + escape(s.name);
    else
        out = "Step " + std::to_string(in.step + 1) + " of " + std::to_string(r.steps.size()) + " · " + escape(s.name);
    out += " · " + std::to_string(prog.approvals.size()) + " of " + std::to_string(s.min_approvals) +
           " approvals so far";
    if (!prog.approvals.empty()) {
        std::vector<std::string> names;
        for (const auto& id : prog.approvals)
            names.push_back(escape(person_name(p, id, in.directory)));
        out += " (" + join_words(names) + ")";
    }
    if (s.assign == workflow::assign_mode::round_robin && prog.assigned > 0 && !s.reviewers.empty()) {
        const auto& now = s.assignee(prog.assigned);
        const auto& before = s.assignee(prog.assigned - 1);
        out += "\n:arrow_double_up: Escalated to *" + escape(now.name) + "*: no answer from " + escape(before.name) +
               " within " + format_length(r.escalate_after);
    }
    if (!s.escalated.empty())
        out += "\n:arrow_double_up: " + escape(s.escalated) + ".";
    if (!s.fallback.empty())
        out += "\n" + escape(r.platform_team) + " stands in: " + escape(s.fallback);
    out += "\n" + escape(r.rule_reason) + " · `" + escape(p.id) + "`";
    return out;
}

// "Approve for less…": the usual durations shorter than asked (none when an hour or less was asked).
std::optional<boost::json::object> approve_for_menu(const card_input& in)
{
    using namespace std::chrono;
    if (in.kind != card_kind::request || in.petition.state != workflow::petition_state::pending)
        return std::nullopt;
    boost::json::array options;
    for (workflow::duration d : {workflow::duration{hours{1}}, workflow::duration{hours{4}}, workflow::duration{hours{24}},
                                 workflow::duration{hours{72}}, workflow::duration{hours{24 * 7}},
                                 workflow::duration{hours{24 * 14}}})
        if (d < in.petition.length())
            options.push_back(boost::json::object{
                {"text", boost::json::object{{"type", "plain_text"}, {"text", format_length(d)}}},
                {"value", in.petition.id + " " + workflow::format_duration(d)}});
    if (options.empty())
        return std::nullopt;
    return boost::json::object{
        {"type", "static_select"},
        {"action_id", std::string(info(action::approve_for).name)},
        {"placeholder", boost::json::object{{"type", "plain_text"}, {"text", std::string(info(action::approve_for).label)}}},
        {"options", std::move(options)}};
}

boost::json::array card_buttons(const card_input& in)
{
    const bool review = in.kind == card_kind::break_glass_review;
    boost::json::array out{petition_button(action::approve, in.petition.id, review),
                           petition_button(action::deny, in.petition.id, review),
                           petition_button(action::ask_in_thread, in.petition.id)};
    if (auto menu = approve_for_menu(in))
        out.push_back(std::move(*menu));
    return out;
}

// The notification and fallback text: what a phone shows. Escaped like the blocks, since names and
// resource ids are not ours to trust.
std::string fallback_text(const card_input& in, bool open)
{
    const auto& p = in.petition;
    const auto who = escape(p.route.requester_name) + " → " + escape(p.route.target);
    std::string out;
    switch (in.kind) {
    case card_kind::request:
        out = "Access request: " + who + " (" + format_length(p.length()) + ")";
        break;
    case card_kind::extension:
        // The time asked for now, and the total it makes: not the length already granted.
        out = "Extension request: " + who +
              (p.pending_extension ? " (+" + format_length(p.pending_extension->added) + ", " +
                                         format_length(p.pending_extension->route.length) + " in total)"
                                   : " (" + format_length(p.length()) + ")");
        break;
    case card_kind::break_glass_review:
        out = "Break-glass access: " + who + " (" + format_length(p.length()) + "), granted at once";
        break;
    }
    if (!open)
        return out + ". " + std::string(workflow::name(p.state)) + ".";
    return out + (in.kind == card_kind::break_glass_review ? ". Review it in Slack." : ". Approve or deny in Slack.");
}

} // namespace

card_kind card_kind_for(workflow::notice what)
{
    using n = workflow::notice;
    switch (what) {
    case n::extension_requested:
        return card_kind::extension;
    case n::review_requested:
    case n::break_glass:
        return card_kind::break_glass_review;
    case n::submitted:
    case n::step_approved:
    case n::approved:
    case n::auto_approved:
    case n::denied:
    case n::cancelled:
    case n::active:
    case n::expiring:
    case n::expired:
    case n::revoked:
    case n::failed:
    case n::reviewed:
    case n::deprecated:
    case n::extended:
    case n::extension_denied:
    case n::extension_cancelled:
    case n::reassigned:
    case n::reminder:
    case n::revoke_failed:
    case n::override_granted:
    case n::rerouted:
    case n::withdrawn:
    case n::extension_withdrawn:
        return card_kind::request;
    }
    return card_kind::request;
}

boost::json::object approval_card(const card_input& in)
{
    const bool open = is_open(in);
    boost::json::array blocks;
    blocks.push_back(header_block(header_text(in.kind)));
    blocks.push_back(section_block(headline(in)));
    blocks.push_back(fields_block(card_fields(in)));
    const auto reason = reason_of(in);
    blocks.push_back(section_block("*Reason*\n" + (reason.empty() ? std::string("_none given_") : quoted(reason))));
    if (open) {
        if (auto why = why_text(in); !why.empty())
            blocks.push_back(section_block(why));
        if (auto ctx = step_context(in); !ctx.empty())
            blocks.push_back(context_block(ctx));
        blocks.push_back(actions_block(petition_block_id(in.petition.id), card_buttons(in)));
    } else {
        blocks.push_back(section_block(outcome_text(in)));
        blocks.push_back(context_block("`" + escape(in.petition.id) + "` · " + escape(in.petition.route.rule_reason)));
    }
    return message(fallback_text(in, open), std::move(blocks));
}

boost::json::object already_decided_reply(const card_input& in)
{
    const auto& steps = route_of(in).steps;
    card_input last = in;
    if (!steps.empty() && last.step >= steps.size())
        last.step = steps.size() - 1;
    const auto text = "This " + std::string(in.kind == card_kind::extension ? "extension" : "request") +
                      " is no longer waiting on you.\n" + outcome_text(last);
    return ephemeral_message(text, boost::json::array{section_block(text)});
}

std::string mention(std::string_view slack_id, std::string_view name)
{
    if (!slack_id.empty())
        return "<@" + escape(slack_id) + ">";
    return escape(name);
}

boost::json::object ask_in_thread_message(const workflow::petition& p, std::string_view requester_slack_id,
                                          std::string_view asker_slack_id, std::string_view asker_name)
{
    const auto text = mention(requester_slack_id, p.route.requester_name) + ", " +
                      mention(asker_slack_id, asker_name) + " has a question about your request for *" +
                      target_label(p.route) + "* (`" + escape(p.id) +
                      "`). Answer here in the thread; the request stays pending until someone decides.";
    return message(text, boost::json::array{section_block(text)});
}

} // namespace checkpoint::blocks
