#include "blocks/format.hpp"

#include "blocks/kit.hpp"

#include <chrono>
#include <cstdio>

namespace checkpoint::blocks {

std::string format_time(workflow::time_point t)
{
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::minutes>(t - day)};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d UTC", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
    return buf;
}

std::string slack_time(workflow::time_point t)
{
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    return "<!date^" + std::to_string(secs) + "^{date_short_pretty} {time}|" + format_time(t) + ">";
}

std::string format_length(workflow::duration d) { return workflow::describe_duration(d); }

std::string person_name(const workflow::petition& p, std::string_view id, const workflow::directory* directory)
{
    if (id == "checkpoint")
        return "Checkpoint";
    if (id.starts_with("token:"))
        return "service token " + std::string(id.substr(6));
    if (id == p.route.requester_id)
        return p.route.requester_name;
    auto from_route = [&](const workflow::route& r) -> const std::string* {
        for (const auto& s : r.steps)
            for (const auto& rv : s.reviewers)
                if (rv.person_id == id)
                    return &rv.name;
        return nullptr;
    };
    if (const auto* n = from_route(p.route))
        return *n;
    if (p.pending_extension)
        if (const auto* n = from_route(p.pending_extension->route))
            return *n;
    if (directory)
        if (auto i = directory->find(id); i != workflow::no_person)
            return directory->at(i).name;
    return std::string(id);
}

std::string reason_without_name(const workflow::reviewer& r)
{
    const std::string prefix = r.name + ": ";
    if (r.reason.starts_with(prefix))
        return r.reason.substr(prefix.size());
    return r.reason;
}

std::string target_label(const workflow::route& r)
{
    return target_shown(r) + (r.is_resource && r.target_name.empty() ? " (resource)" : "");
}

std::string target_plain(const workflow::route& r)
{
    return r.target_name.empty() ? r.target : r.target_name + " (" + r.target + ")";
}

std::string target_shown(const workflow::route& r)
{
    return escape(target_plain(r));
}

std::string join_words(const std::vector<std::string>& words)
{
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i)
            out += i + 1 == words.size() ? " and " : ", ";
        out += words[i];
    }
    return out;
}

std::string route_hint(const workflow::route& r)
{
    switch (r.outcome) {
    case workflow::route_outcome::auto_approved:
        return "Auto-approved";
    case workflow::route_outcome::break_glass:
        return "Granted at once, reviewed afterwards";
    case workflow::route_outcome::override_grant:
        return "Granted by an admin outside the approval flow";
    case workflow::route_outcome::needs_approval:
        break;
    }
    std::vector<std::string> who;
    for (const auto& s : r.steps) {
        switch (s.kind) {
        case workflow::step_kind::manager:
            who.push_back("your manager");
            break;
        case workflow::step_kind::owner:
            who.push_back(r.owner_team.empty() ? r.platform_team : r.owner_team);
            break;
        case workflow::step_kind::platform:
            who.push_back(r.platform_team);
            break;
        case workflow::step_kind::bundle:
        case workflow::step_kind::break_glass_review:
            who.push_back(s.name);
            break;
        }
    }
    std::string out = "Needs ";
    for (std::size_t i = 0; i < who.size(); ++i)
        out += (i ? ", then " : "") + who[i];
    return out;
}

std::string route_steps_text(const workflow::route& r, std::size_t max_reviewers)
{
    std::string out;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto& s = r.steps[i];
        if (!out.empty())
            out += "\n";
        if (s.kind == workflow::step_kind::break_glass_review)
            out += "*Afterwards: " + escape(s.name) + "*";
        else
            out += "*Step " + std::to_string(i + 1) + " of " + std::to_string(r.steps.size()) + ": " + escape(s.name) +
                   "*";
        out += " · " + std::to_string(s.min_approvals) + " of " + std::to_string(s.reviewers.size()) +
               " must approve" + (s.assign == workflow::assign_mode::round_robin ? ", one at a time" : "");
        if (!s.fallback.empty())
            out += "\n_" + escape(r.platform_team) + " stands in: " + escape(s.fallback) + "_";
        for (std::size_t k = 0; k < s.reviewers.size() && k < max_reviewers; ++k)
            out += "\n• *" + escape(s.reviewers[k].name) + "*: " + escape(reason_without_name(s.reviewers[k]));
        if (s.reviewers.size() > max_reviewers)
            out += "\n• …and " + std::to_string(s.reviewers.size() - max_reviewers) + " more";
    }
    return out;
}

} // namespace checkpoint::blocks
