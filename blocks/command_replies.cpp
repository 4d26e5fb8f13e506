#include "blocks/command_replies.hpp"

#include "blocks/approval_card.hpp"
#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/petition_summary.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

namespace {

using workflow::petition_state;

std::string found_line(const workflow::route& r)
{
    return ":white_check_mark: " + std::string(r.is_resource ? "Resource" : "Bundle") + " found: *" + target_shown(r) +
           "* (owner " + escape(r.owner_team.empty() ? r.platform_team : r.owner_team) + ", risk " +
           std::string(workflow::title(r.level)) + ")";
}

std::string decision_line(const workflow::route& r)
{
    switch (r.outcome) {
    case workflow::route_outcome::auto_approved:
        return ":white_check_mark: " + escape(r.rule_reason);
    case workflow::route_outcome::break_glass:
    case workflow::route_outcome::override_grant:
        return ":rotating_light: " + escape(r.rule_reason);
    case workflow::route_outcome::needs_approval:
        return ":hourglass_flowing_sand: " + escape(r.rule_reason);
    }
    return escape(r.rule_reason);
}

std::string notes_text(const workflow::route& r)
{
    std::string out;
    for (const auto& n : r.notes)
        out += (out.empty() ? "" : "\n") + std::string(":information_source: ") + escape(n);
    return out;
}

bool holds_access(const workflow::petition& p)
{
    return p.state == petition_state::approved || p.state == petition_state::provisioning ||
           p.state == petition_state::active;
}

std::string ends_text(const workflow::petition& p)
{
    if (p.ends_at)
        return "until " + slack_time(*p.ends_at);
    return "for " + format_length(p.length()) + " once it is set up";
}

boost::json::object reply(const std::string& text, boost::json::array blocks) { return ephemeral_message(text, std::move(blocks)); }

} // namespace

boost::json::object request_reply(const workflow::petition& p)
{
    const auto& r = p.route;
    boost::json::array blocks;
    std::string lines = found_line(r) + "\n:white_check_mark: Requesting access for *" + format_length(r.length) +
                        "*\n" + decision_line(r);
    if (auto notes = notes_text(r); !notes.empty())
        lines += "\n" + notes;
    blocks.push_back(section_block(lines));
    std::string next;
    switch (r.outcome) {
    case workflow::route_outcome::auto_approved:
        next = ":gear: Access is being set up now; I will message you when it is active. It ends " +
               format_length(r.length) + " after it starts.";
        break;
    case workflow::route_outcome::override_grant:
        next = ":gear: Access is being set up now and ends " + format_length(r.length) + " after it starts." +
               (r.notify_channels.empty() ? std::string() : " The security channel has been told.");
        break;
    case workflow::route_outcome::break_glass:
        blocks.push_back(section_block(route_steps_text(r)));
        next = ":gear: Access is being set up now and ends " + format_length(r.length) + " after it starts." +
               (r.notify_channels.empty() ? std::string() : " The security channel has been told.");
        break;
    case workflow::route_outcome::needs_approval:
        blocks.push_back(section_block(route_steps_text(r)));
        next = ":envelope: The reviewers of step 1 have the request now; I will message you at every step. "
               "Access starts when the last step approves.";
        break;
    }
    blocks.push_back(section_block(next));
    blocks.push_back(context_block("Request `" + escape(p.id) + "` · `/checkpoint status " + escape(p.id) + "`" +
                                   (p.state == petition_state::pending
                                        ? " · `/checkpoint cancel " + escape(p.id) + "`"
                                        : std::string())));
    return reply(lines + "\n" + next, std::move(blocks));
}

boost::json::object status_reply(const workflow::petition& p, const workflow::directory* dir, bool withheld)
{
    const std::string kept = "_kept for the requester, its reviewers and auditors_";
    const auto& r = p.route;
    boost::json::array blocks;
    blocks.push_back(header_block("Request " + p.id + " · " + target_plain(r)));
    blocks.push_back(section_block(state_text(p)));
    std::vector<field> f{{"Requester", escape(r.requester_name)},
                         {r.is_resource ? "Resource" : "Bundle", target_shown(r)},
                         {"Risk", std::string(workflow::title(r.level))},
                         {"Duration", format_length(r.length)},
                         {"Requested", slack_time(p.created_at)},
                         {"Ticket", withheld ? kept : escape(p.ticket)}};
    if (p.active_since)
        f.push_back({"Active since", slack_time(*p.active_since)});
    if (p.ends_at)
        f.push_back({is_terminal(p.state) ? "Ended" : "Ends", slack_time(*p.ends_at)});
    blocks.push_back(fields_block(f));
    blocks.push_back(section_block("*Reason*\n" + (withheld         ? kept
                                                     : p.reason.empty() ? std::string("_none given_")
                                                                        : quoted(p.reason))));
    blocks.push_back(section_block(decision_line(r) + (r.steps.empty() ? std::string() : "\n" + progress_text(p, false, dir))));
    if (p.pending_extension) {
        const auto& e = *p.pending_extension;
        blocks.push_back(section_block("*Extension requested:* +" + format_length(e.added) + " (total " +
                                       format_length(e.route.length) + ")\n" + progress_text(p, true, dir)));
    }
    // Extensions denied before, newest last, each with the denier's reason (the last few: a block each).
    std::vector<const workflow::decision_record*> denied;
    for (const auto& d : p.decisions)
        if (!d.approved && d.step.starts_with("extension: "))
            denied.push_back(&d);
    constexpr std::size_t shown_denials = 3;
    for (std::size_t i = denied.size() > shown_denials ? denied.size() - shown_denials : 0; i < denied.size(); ++i)
        blocks.push_back(section_block(":x: *Extension denied* by " + escape(person_name(p, denied[i]->by, dir)) +
                                       " (" + slack_time(denied[i]->at) + ")" +
                                       (denied[i]->reason.empty() ? std::string() : "\n" + quoted(denied[i]->reason))));
    if (!p.closed_by.empty() || !p.close_reason.empty()) {
        std::string closed = "*Closed*";
        if (!p.closed_by.empty())
            closed += " by " + escape(person_name(p, p.closed_by, dir));
        if (!p.close_reason.empty())
            closed += "\n" + quoted(p.close_reason);
        blocks.push_back(section_block(closed));
    }
    // The notification text is mrkdwn too: the target is escaped there as in the blocks.
    const std::string text = "Request " + escape(p.id) + " (" + target_shown(r) + "): " + std::string(workflow::name(p.state));
    return reply(text, std::move(blocks));
}

boost::json::object mine_reply(std::span<const workflow::petition> petitions)
{
    std::vector<boost::json::array> live;
    std::vector<boost::json::array> open;
    for (const auto& p : petitions) {
        const std::string what = "*" + target_label(p.route) + "* · `" + escape(p.id) + "`";
        if (holds_access(p)) {
            std::string line = what + "\n" + state_text(p);
            if (p.pending_extension)
                line += "\n:hourglass_flowing_sand: Extension of +" + format_length(p.pending_extension->added) +
                        " waiting for approval";
            if (p.state == petition_state::active && !p.pending_extension)
                live.push_back({section_with_button(line, petition_button(action::extend, p.id))});
            else
                live.push_back({section_block(line)});
        } else if (p.state == petition_state::pending) {
            open.push_back({section_with_button(what + " for " + format_length(p.length()) + "\n" + state_text(p),
                                                petition_button(action::cancel, p.id))});
        }
    }
    boost::json::array blocks;
    blocks.push_back(header_block("Your access"));
    const std::size_t half = (max_message_blocks - 4) / 2;
    if (live.empty())
        blocks.push_back(section_block("_No access right now._ `/checkpoint request &lt;bundle&gt;` asks for some."));
    else
        append_fitting(blocks, std::move(live), blocks.size() + half, "the App Home lists them all.");
    blocks.push_back(header_block("Your open requests"));
    if (open.empty())
        blocks.push_back(section_block("_Nothing waiting for approval._"));
    else
        append_fitting(blocks, std::move(open), max_message_blocks, "the App Home lists them all.");
    return reply("Your access and open requests", std::move(blocks));
}

boost::json::object pending_reply(std::span<const workflow::petition> waiting, std::string_view reviewer_id)
{
    boost::json::array blocks;
    blocks.push_back(header_block("Waiting on you"));
    if (waiting.empty()) {
        blocks.push_back(section_block("_Nothing is waiting on you._ :tada:"));
        return reply("Nothing is waiting on you.", std::move(blocks));
    }
    std::vector<boost::json::array> items;
    for (const auto& p : waiting) {
        const bool ext = p.state == petition_state::active && p.pending_extension;
        const auto& r = ext ? p.pending_extension->route : p.route;
        const auto step = ext ? p.pending_extension->progress.step : p.progress.step;
        std::string why;
        if (step < r.steps.size())
            for (const auto& rv : r.steps[step].reviewers)
                if (rv.person_id == reviewer_id)
                    why = "\n*Why you:* " + escape(reason_without_name(rv));
        std::string line = (ext ? ":hourglass: Extension +" + format_length(p.pending_extension->added) + ": " : "") +
                           petition_line(p) + why + "\n" + quoted(truncate(p.reason, 280));
        items.push_back({section_block(line),
                         actions_block(petition_block_id(p.id),
                                       {petition_button(action::approve, p.id), petition_button(action::deny, p.id)})});
    }
    const auto total = items.size();
    append_fitting(blocks, std::move(items), max_message_blocks, "the App Home lists them all.");
    return reply(std::to_string(total) + " request" + (total == 1 ? "" : "s") + " waiting on you", std::move(blocks));
}

boost::json::object explain_reply(const workflow::route& r)
{
    boost::json::array blocks;
    std::string lines = found_line(r) + "\n:stopwatch: For *" + format_length(r.length) + "*\n" + decision_line(r);
    if (auto notes = notes_text(r); !notes.empty())
        lines += "\n" + notes;
    blocks.push_back(section_block(lines));
    if (!r.steps.empty())
        blocks.push_back(section_block(route_steps_text(r)));
    blocks.push_back(context_block("Nothing was requested. `/checkpoint request " + escape(r.target) + " --duration " +
                                   workflow::format_duration(r.length) + "` asks for it."));
    return reply(lines, std::move(blocks));
}

boost::json::object unknown_bundle_reply(std::string_view asked, std::span<const std::string_view> closest)
{
    std::string text = ":mag: There is no bundle named `" + escape(truncate(asked, 100)) + "`.";
    if (!closest.empty()) {
        std::vector<std::string> names;
        for (auto n : closest)
            names.push_back("`" + escape(n) + "`");
        text += " Did you mean " + join_words(names) + "?";
    }
    text += " `/checkpoint catalog [words]` lists the bundles.";
    return reply(text, {section_block(text)});
}

boost::json::object ooo_not_away_reply()
{
    const std::string text = "You are not out of office, so nothing changed. `/checkpoint ooo <YYYY-MM-DD|3d> "
                             "[--delegate @someone]` sets it.";
    return reply(text, {section_block(text)});
}

boost::json::object ooo_reply(const std::optional<workflow::out_of_office>& away, std::string_view delegate_name)
{
    std::string text;
    if (!away) {
        text = ":wave: Welcome back: requests come to you again.";
    } else {
        text = ":palm_tree: You are out of office from " + slack_time(away->from) + " until " +
               (away->until ? slack_time(*away->until) : std::string("further notice")) +
               ". ";
        text += delegate_name.empty()
                    ? "Requests for you go to the next person up, or to the platform team."
                    : "Requests for you go to *" + escape(delegate_name) + "* meanwhile.";
        text += " `/checkpoint ooo off` ends it early.";
    }
    return reply(text, {section_block(text)});
}

boost::json::object request_usage_reply(std::string_view command_name)
{
    const std::string text = ":memo: Say what you need: `" + escape(command_name) +
                             " request " + escape("<bundle|kind:id> --reason \"why\" [--duration 7d] [--ticket PROJ-1]") +
                             "`. `" + escape(command_name) + " catalog` lists the bundles.";
    return reply(text, {section_block(text)});
}

boost::json::object not_in_directory_reply(std::string_view slack_user_id, std::string_view email,
                                           std::string_view why)
{
    if (!why.empty()) {
        const std::string text = ":bust_in_silhouette: Checkpoint cannot tell who you are from your Slack email `" +
                                 escape(email) + "`: " + escape(why) +
                                 ". Ask an admin to add `slack_id: " + escape(slack_user_id) +
                                 "` to your entry in `manifests/directory/people.yaml`.";
        return reply(text, {section_block(text)});
    }
    std::string text = ":bust_in_silhouette: Checkpoint does not know you yet: no one in the directory has Slack id `" +
                       escape(slack_user_id) + "`" +
                       (email.empty() ? std::string() : " or email `" + escape(email) + "`") +
                       ". Ask an admin to add you to `manifests/directory/people.yaml` with `slack_id: " +
                       escape(slack_user_id) + "`" + (email.empty() ? std::string() : " or `email: " + escape(email) + "`") +
                       ".";
    return reply(text, {section_block(text)});
}

boost::json::object changed_reply(const workflow::petition& p, workflow::event_kind what,
                                  const workflow::petition* still_held)
{
    std::string text;
    using e = workflow::event_kind;
    switch (what) {
    case e::cancel:
        text = p.state == petition_state::cancelled ? ":heavy_multiplication_x: Cancelled " + petition_line(p) + "."
                                                    : ":heavy_multiplication_x: Withdrew the extension of " +
                                                          petition_line(p) + "; access stays " + ends_text(p) + ".";
        break;
    case e::revoke:
        text = ":no_entry: Revoked " + petition_line(p) + ". " +
               (still_held ? "Access stays: request `" + escape(still_held->id) + "` still grants it " +
                                 ends_text(*still_held) + "; revoke that one to remove it."
                           : std::string("Access is being removed."));
        break;
    case e::request_extension:
        if (p.pending_extension)
            text = ":hourglass_flowing_sand: Asked to extend " + petition_line(p) + " by " +
                   format_length(p.pending_extension->added) + ". " + escape(p.pending_extension->route.rule_reason) +
                   "\n" + route_steps_text(p.pending_extension->route);
        else
            text = ":white_check_mark: Extended " + petition_line(p) + ": access now runs " + ends_text(p) + ".";
        break;
    case e::approve:
        text = ":white_check_mark: Approved " + petition_line(p) + ".\n" + state_text(p);
        break;
    case e::deny:
        text = ":x: Denied " + petition_line(p) + ".";
        break;
    case e::start_provisioning:
    case e::provisioned:
    case e::provisioning_failed:
    case e::expire:
    case e::escalate:
    case e::reroute:
        text = petition_line(p) + ": " + state_text(p);
        break;
    }
    return reply(text, {section_block(text)});
}

} // namespace checkpoint::blocks
