#include "blocks/petition_summary.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"

namespace checkpoint::blocks {

namespace {

std::string step_counter(const workflow::route& r, std::size_t step)
{
    return "step " + std::to_string(step + 1) + " of " + std::to_string(r.steps.size()) + " (" +
           escape(r.steps[step].name) + ")";
}

std::string names_of(const workflow::petition& p, const std::vector<std::string>& ids, const workflow::directory* dir)
{
    std::vector<std::string> names;
    for (const auto& id : ids)
        names.push_back(escape(person_name(p, id, dir)));
    return join_words(names);
}

} // namespace

std::string state_text(const workflow::petition& p)
{
    using s = workflow::petition_state;
    switch (p.state) {
    case s::pending:
        if (p.route.steps.empty())
            return ":hourglass_flowing_sand: Pending";
        return ":hourglass_flowing_sand: Waiting on " + step_counter(p.route, p.progress.step);
    case s::approved:
        return ":white_check_mark: Approved; access is being set up";
    case s::provisioning:
        return ":gear: Access is being set up";
    case s::active:
        return ":large_green_circle: Active" + (p.ends_at ? " until " + slack_time(*p.ends_at) : std::string());
    case s::expired:
        return ":checkered_flag: Expired" + (p.ends_at ? " at " + slack_time(*p.ends_at) : std::string());
    case s::denied:
        return ":x: Denied";
    case s::cancelled:
        return ":heavy_multiplication_x: Cancelled";
    case s::revoked:
        return ":no_entry: Revoked";
    case s::failed:
        return ":warning: Provisioning failed";
    }
    return "";
}

std::vector<const workflow::decision_record*> decisions_for(const workflow::petition& p, std::string_view step_name)
{
    std::vector<const workflow::decision_record*> out;
    for (const auto& d : p.decisions)
        if (d.step == step_name)
            out.push_back(&d);
    return out;
}

std::string progress_text(const workflow::petition& p, bool extension, const workflow::directory* dir)
{
    const bool ext = extension && p.pending_extension;
    const auto& r = ext ? p.pending_extension->route : p.route;
    const auto& prog = ext ? p.pending_extension->progress : p.progress;
    const bool open = ext || p.state == workflow::petition_state::pending;
    std::string out;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto& s = r.steps[i];
        if (!out.empty())
            out += "\n";
        const std::string label = s.kind == workflow::step_kind::break_glass_review
                                      ? "*" + escape(s.name) + "*"
                                      : "*Step " + std::to_string(i + 1) + " of " + std::to_string(r.steps.size()) +
                                            " · " + escape(s.name) + "*";
        const auto recorded = decisions_for(p, (ext ? "extension: " : "") + s.name);
        const workflow::decision_record* denial = nullptr;
        std::vector<std::string> approvers;
        for (const auto* d : recorded) {
            if (!d->approved)
                denial = d;
            else
                approvers.push_back(escape(person_name(p, d->by, dir)) + " (" + slack_time(d->at) + ")");
        }
        if (denial) {
            out += ":x: " + label + ": denied by " + escape(person_name(p, denial->by, dir)) + " (" +
                   slack_time(denial->at) + ")";
        } else if (open && i == prog.step) {
            out += ":hourglass_flowing_sand: " + label + ": " + std::to_string(prog.approvals.size()) + " of " +
                   std::to_string(s.min_approvals) + " approvals";
            if (!prog.approvals.empty())
                out += " so far (" + names_of(p, prog.approvals, dir) + ")";
            if (s.assign == workflow::assign_mode::round_robin && !s.reviewers.empty())
                out += "; assigned to " + escape(s.assignee(prog.assigned).name);
        } else if (!approvers.empty()) {
            out += ":white_check_mark: " + label + ": approved by " + join_words(approvers);
        } else if (open && i > prog.step) {
            out += ":white_small_square: " + label + ": after the steps before it";
        } else {
            out += ":white_small_square: " + label + ": not decided";
        }
    }
    return out;
}

std::string petition_line(const workflow::petition& p)
{
    return escape(p.route.requester_name) + " → *" + target_label(p.route) + "* for " + format_length(p.length()) +
           " · `" + escape(p.id) + "`";
}

std::string quoted(std::string_view text)
{
    if (text.empty())
        return "_none given_";
    std::string out = "> ";
    // People mention colleagues in reasons ("pairing with @alex"): shown as mentions, not as markup.
    for (char c : escape_keeping_mentions(text)) {
        out += c;
        if (c == '\n')
            out += "> ";
    }
    return out;
}

} // namespace checkpoint::blocks
