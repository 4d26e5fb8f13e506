#include "workflow/route.hpp"

#include <algorithm>

namespace checkpoint::workflow {

bool route_step::has_reviewer(std::string_view person_id) const
{
    return std::any_of(reviewers.begin(), reviewers.end(), [&](const auto& r) { return r.person_id == person_id; });
}

const reviewer& route_step::assignee(std::size_t moved_on) const
{
    return reviewers[(start + moved_on) % reviewers.size()];
}

std::string rotation_key(const route& r, const route_step& s)
{
    // A resource kind's requests share its policy, so they share its rotation (not one per resource id).
    const auto target = r.is_resource ? r.target.substr(0, r.target.find(':')) : r.target;
    return target + "/" + s.name;
}

void place_in_rotation(route& r, const std::function<std::size_t(const std::string& key)>& rotation)
{
    for (auto& s : r.steps)
        if (s.assign == assign_mode::round_robin && !s.reviewers.empty())
            s.start = rotation(rotation_key(r, s)) % s.reviewers.size();
}

namespace {

// The last day a person is away, as a card names it.
std::string back_after(const out_of_office& away)
{
    return away.until ? describe_day(*away.until - std::chrono::seconds{1}) : std::string("further notice");
}

std::string join(const std::vector<std::string>& parts, std::string_view sep)
{
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty())
            out += sep;
        out += p;
    }
    return out;
}

// Everything a decision needs while it builds the steps.
class route_builder {
public:
    route_builder(const manifests& m, person_index requester, time_point now, const away_overlay* away)
        : m_(m), dir_(m.directory), requester_(requester), now_(now), away_(away)
    {
    }

    // The person's out of office: the overlay's entry when it has one, else the manifests'.
    const out_of_office* away_of(person_index p) const
    {
        if (away_) {
            if (auto it = away_->find(dir_.at(p).id); it != away_->end())
                return it->second ? &*it->second : nullptr;
        }
        return dir_.at(p).away ? &*dir_.at(p).away : nullptr;
    }

    bool is_away(person_index p) const
    {
        const auto* a = away_of(p);
        return a && a->covers(now_);
    }

    person_index delegate_of(person_index p) const
    {
        if (away_ && away_->find(dir_.at(p).id) != away_->end()) {
            const auto* a = away_of(p);
            return a && !a->delegate.empty() ? dir_.find(a->delegate) : no_person;
        }
        return dir_.delegate_of(p);
    }

    std::string back_after_of(person_index p) const
    {
        const auto* a = away_of(p);
        return a ? back_after(*a) : std::string("later");
    }

    bool available(person_index p) const { return p != no_person && p != requester_ && !is_away(p); }

    // Adds `p`, or their delegate while they are away; the requester and duplicates are skipped.
    void add(route_step& s, person_index p, std::string_view why) const
    {
        if (p == no_person || p == requester_)
            return;
        const auto& who = dir_.at(p);
        if (!is_away(p)) {
            push(s, p, who.name + ": " + std::string(why));
            return;
        }
        auto d = delegate_of(p);
        if (available(d))
            push(s, d, dir_.at(d).name + ": delegate for " + who.name + " (" + std::string(why) +
                           "), out of office until " + back_after_of(p));
    }

    void add_spec(route_step& s, const reviewer_spec& spec, std::string_view step_name) const
    {
        switch (spec.kind) {
        case reviewer_kind::person:
        case reviewer_kind::email:
            add(s, dir_.find(spec.name), "named for the " + std::string(step_name) + " step");
            return;
        case reviewer_kind::group:
            for (auto p : dir_.group_members(spec.name))
                add(s, p, "in group " + spec.name);
            return;
        case reviewer_kind::team:
            for (auto p : dir_.team_members(spec.name))
                add(s, p, "on " + spec.name);
            return;
        case reviewer_kind::oncall:
            add(s, dir_.on_call(spec.name, now_), "on call for " + spec.name);
            return;
        }
    }

    // The platform team stands in for a step left with no one; fails only if it has no one either.
    result<void> fall_through(route_step& s, std::string why) const
    {
        s.reviewers.clear();
        s.min_approvals = 1;
        s.assign = assign_mode::broadcast;
        const auto& team = m_.settings.platform_team;
        for (auto p : dir_.team_members(team))
            add(s, p, "on " + team + ", standing in because " + why);
        s.fallback = std::move(why);
        if (s.reviewers.empty())
            return error{std::string(route_error::no_reviewers),
                         "No one can approve this: " + s.fallback + ", and no one on " + team +
                             " other than the requester is available."};
        if (s.channels.empty() && !m_.settings.default_channel.empty())
            s.channels.push_back(m_.settings.default_channel);
        return {};
    }

    result<route_step> manager_step() const
    {
        route_step s;
        s.kind = step_kind::manager;
        s.name = "manager";
        const auto& req = dir_.at(requester_);
        std::vector<std::string> skipped;
        std::vector<person_index> visited;
        std::string relation = req.name + "'s manager";
        for (auto cur = dir_.manager_of(requester_); cur != no_person; cur = dir_.manager_of(cur)) {
            // Cycles are rejected at load, but a directory edited at run time must not hang a request.
            if (std::find(visited.begin(), visited.end(), cur) != visited.end())
                break;
            visited.push_back(cur);
            const auto& who = dir_.at(cur);
            std::string trail = skipped.empty() ? "" : " (" + join(skipped, "; ") + ")";
            if (cur == requester_) {
                skipped.push_back(who.name + " is the requester");
            } else if (!is_away(cur)) {
                push(s, cur, who.name + ": " + relation + trail);
                return s;
            } else if (auto d = delegate_of(cur); available(d)) {
                push(s, d, dir_.at(d).name + ": delegate for " + who.name + " (" + relation + trail +
                               "), out of office until " + back_after_of(cur));
                return s;
            } else {
                std::string why = who.name + " is out of office until " + back_after_of(cur);
                if (d == no_person)
                    why += " with no delegate";
                else if (d == requester_)
                    why += " and delegated to the requester";
                else
                    why += " and delegate " + dir_.at(d).name + " is also out of office";
                skipped.push_back(std::move(why));
            }
            relation = "next manager up for " + req.name;
        }
        std::string why = skipped.empty() ? req.name + " has no manager in the directory"
                                          : "no manager of " + req.name + " is available: " + join(skipped, "; ");
        if (auto r = fall_through(s, std::move(why)); !r)
            return r.error();
        return s;
    }

    std::vector<std::string> channels_or_default(const std::vector<std::string>& channels) const
    {
        if (!channels.empty())
            return channels;
        if (m_.settings.default_channel.empty())
            return {};
        return {m_.settings.default_channel};
    }

    result<route_step> named_step(const step_spec& spec, const std::vector<std::string>& channels) const
    {
        route_step s;
        s.kind = step_kind::bundle;
        s.name = spec.name;
        s.min_approvals = spec.min_approvals;
        s.assign = spec.assign;
        s.channels = channels_or_default(channels);
        for (const auto& r : spec.reviewers)
            add_spec(s, r, spec.name);
        if (s.reviewers.empty()) {
            if (auto r = fall_through(s, "no reviewer of the " + spec.name + " step is available"); !r)
                return r.error();
        } else if (s.reviewers.size() < s.min_approvals) {
            auto why = "the " + spec.name + " step needs " + std::to_string(s.min_approvals) +
                       " approvals but only " + std::to_string(s.reviewers.size()) + " reviewers are available";
            if (auto r = fall_through(s, std::move(why)); !r)
                return r.error();
        }
        return s;
    }

    result<route_step> owner_step(std::string_view team, std::string_view target,
                                  const std::vector<std::string>& channels) const
    {
        route_step s;
        s.kind = step_kind::owner;
        s.name = "owner";
        s.channels = channels_or_default(channels);
        std::string why = "on " + std::string(team) + ", which owns " + std::string(target);
        for (auto p : dir_.team_members(team))
            add(s, p, why);
        if (s.reviewers.empty()) {
            std::string reason = team.empty() ? std::string(target) + " has no owning team"
                                              : "no one on " + std::string(team) + " other than " +
                                                    dir_.at(requester_).name + " is available";
            if (auto r = fall_through(s, std::move(reason)); !r)
                return r.error();
        }
        return s;
    }

    result<route_step> platform_step(std::string_view because) const
    {
        route_step s;
        s.kind = step_kind::platform;
        s.name = "platform";
        s.channels = channels_or_default({});
        const auto& team = m_.settings.platform_team;
        for (auto p : dir_.team_members(team))
            add(s, p, "on " + team + "; " + std::string(because));
        if (s.reviewers.empty())
            return error{std::string(route_error::no_reviewers),
                         "No one can approve this: it needs " + team + ", and no one on " + team +
                             " other than the requester is available."};
        return s;
    }

    // Why the requester may break glass, or nothing.
    std::optional<std::string> break_glass_reason() const
    {
        return named_in(m_.settings.break_glass.who, "the break-glass settings", dir_, requester_, now_);
    }

    std::string who_may_break_glass() const
    {
        std::vector<std::string> parts;
        for (const auto& spec : m_.settings.break_glass.who) {
            switch (spec.kind) {
            case reviewer_kind::person:
            case reviewer_kind::email: {
                auto p = dir_.find(spec.name);
                parts.push_back(p == no_person ? spec.name : dir_.at(p).name);
                break;
            }
            case reviewer_kind::group: parts.push_back("members of " + spec.name); break;
            case reviewer_kind::team: parts.push_back("people on " + spec.name); break;
            case reviewer_kind::oncall: {
                auto p = dir_.on_call(spec.name, now_);
                parts.push_back("whoever is on call for " + spec.name +
                                (p == no_person ? std::string() : " (now " + dir_.at(p).name + ")"));
                break;
            }
            }
        }
        return parts.empty() ? "no one" : join(parts, ", ");
    }

    route_step review_step() const
    {
        route_step s;
        s.kind = step_kind::break_glass_review;
        s.name = "break-glass review";
        const auto& team = m_.settings.break_glass.review_by.empty() ? m_.settings.platform_team
                                                                     : m_.settings.break_glass.review_by;
        if (!m_.settings.security_channel.empty())
            s.channels.push_back(m_.settings.security_channel);
        for (auto p : dir_.team_members(team))
            add(s, p, "on " + team + ", which reviews every break-glass grant");
        if (s.reviewers.empty() && team != m_.settings.platform_team) {
            for (auto p : dir_.team_members(m_.settings.platform_team))
                add(s, p, "on " + m_.settings.platform_team + ", standing in for " + team);
            s.fallback = "no one on " + team + " is available";
        }
        return s;
    }

private:
    void push(route_step& s, person_index p, std::string reason) const
    {
        const auto& who = dir_.at(p);
        if (s.has_reviewer(who.id))
            return;
        s.reviewers.push_back(reviewer{who.id, who.name, std::move(reason)});
    }

    const manifests& m_;
    const directory& dir_;
    person_index requester_;
    time_point now_;
    const away_overlay* away_ = nullptr;
};

// What a request is for, once its name is resolved.
struct resolved_target {
    std::string key;
    std::string label;
    bool is_resource = false;
    std::string owner_team;
    risk level = risk::low;
    const duration_policy* durations = nullptr;
    const approval_policy* approval = nullptr;
    const std::vector<std::string>* channels = nullptr;
    std::string integration;
};

result<resolved_target> resolve_target(const manifests& m, std::string_view target)
{
    resolved_target t;
    if (auto colon = target.find(':'); colon != std::string_view::npos) {
        auto kind = target.substr(0, colon);
        auto id = target.substr(colon + 1);
        const auto* rk = m.settings.find_resource(kind);
        if (!rk || id.empty()) {
            std::vector<std::string> kinds;
            for (const auto& r : m.settings.resources)
                kinds.push_back(r.kind + ":<id>");
            return error{std::string(route_error::unknown_resource_kind),
                         "\"" + std::string(target) + "\" is not a resource you can request" +
                             (kinds.empty() ? std::string(".") : "; resources are written " + join(kinds, ", ") + ".")};
        }
        t.key = std::string(target);
        t.label = t.key;
        t.is_resource = true;
        t.owner_team = rk->owner_team;
        t.level = rk->level;
        t.durations = &rk->durations;
        t.approval = &rk->approval;
        t.channels = &rk->channels;
        t.integration = rk->integration;
        return t;
    }
    const auto* b = m.catalog.find(target);
    if (!b) {
        auto near = m.catalog.closest(target);
        std::string msg = "There is no bundle named \"" + std::string(target) + "\".";
        if (!near.empty()) {
            msg += " Did you mean ";
            for (std::size_t i = 0; i < near.size(); ++i)
                msg += (i == 0 ? "" : i + 1 == near.size() ? " or " : ", ") + std::string(near[i]);
            msg += "?";
        }
        return error{std::string(route_error::unknown_bundle), std::move(msg)};
    }
    if (b->deprecated)
        return error{std::string(route_error::deprecated),
                     b->name + " is deprecated and takes no new requests" +
                         (b->successor.empty() ? std::string(".") : "; request " + b->successor + " instead.")};
    t.key = b->name;
    t.label = b->name;
    t.owner_team = b->owner_team;
    t.level = b->level;
    t.durations = &b->durations;
    t.approval = &b->approval;
    t.channels = &b->channels;
    t.integration = b->provision.integration;
    return t;
}

} // namespace

namespace {

// Who approves a step, in a summary's words.
std::string approver_of(const route_step& s, const std::string& owner, const std::string& platform)
{
    switch (s.kind) {
    case step_kind::manager: return "the manager";
    case step_kind::owner: return owner;
    case step_kind::platform: return platform;
    case step_kind::bundle:
    case step_kind::break_glass_review: return s.name;
    }
    return s.name;
}

// The rule line of a route that needs approval names every step, in order, and does not say
// "Auto-approved" when the bundle's own steps ask for approval anyway: "the manager, then api-team
// approve: high risk up to 7 days needs owner approval."
std::string summary_of_steps(const route& r, const std::string& label, const std::string& cell_words,
                             const std::string& owner, const std::string& platform)
{
    std::string why = r.rule_reason;
    if (r.applied == approval_rule::auto_all)
        why = label + " has its own approval steps, although " + cell_words + " alone would be automatic.";
    else if (const auto colon = why.find(": "); colon != std::string::npos)
        why = why.substr(colon + 2);
    if (r.steps.size() == 1 && r.applied != approval_rule::auto_all)
        return r.rule_reason;
    std::string who;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto name = approver_of(r.steps[i], owner, platform);
        if (i > 0 && who.ends_with(name))
            continue;
        who += (i == 0 ? "" : ", then ") + name;
    }
    if (!who.empty())
        who[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(who[0])));
    return who + (r.steps.size() == 1 ? " approves: " : " approve: ") + why;
}

} // namespace

result<route> decide(const manifests& m, const request_input& in, time_point now, const away_overlay* away)
{
    const auto& dir = m.directory;
    auto requester = dir.find(in.requester);
    if (requester == no_person)
        return error{std::string(route_error::unknown_person),
                     "\"" + in.requester + "\" is not in the directory; ask the platform team to add you."};
    auto target = resolve_target(m, in.target);
    if (!target)
        return target.error();
    const auto& t = *target;
    const auto& req = dir.at(requester);
    route_builder b(m, requester, now, away);

    route r;
    r.requester_id = req.id;
    r.requester_name = req.name;
    r.target = t.key;
    r.is_resource = t.is_resource;
    r.owner_team = t.owner_team;
    r.platform_team = m.settings.platform_team;
    r.level = t.level;
    r.integration = t.integration;
    r.pending_after = m.settings.reminders.pending_after;
    r.escalate_after = m.settings.reminders.escalate_after;
    r.expiring_before = m.settings.reminders.expiring_before;

    if (in.break_glass) {
        if (!t.approval->break_glass)
            return error{std::string(route_error::break_glass_not_allowed),
                         t.label + " does not allow break-glass; request it without --break-glass."};
        auto why = b.break_glass_reason();
        if (!why)
            return error{std::string(route_error::break_glass_not_permitted),
                         "Break-glass is only for " + b.who_may_break_glass() + "; request " + t.label +
                             " without --break-glass."};
        const auto cap = std::min(m.settings.break_glass.max_duration, t.durations->max);
        r.length = in.length.value_or(cap);
        if (r.length > cap) {
            r.notes.push_back("Capped at " + describe_duration(cap) + ", the break-glass maximum (asked for " +
                              describe_duration(r.length) + ").");
            r.length = cap;
        }
        r.outcome = route_outcome::break_glass;
        r.cell = r.applied = m.settings.matrix.cell(t.level, r.length);
        auto review = b.review_step();
        r.rule_reason = "Break-glass: granted at once because " + *why + "; " +
                        (review.reviewers.empty() ? std::string("no one is available to review it")
                                                  : review.name + " by " + (m.settings.break_glass.review_by.empty()
                                                                                 ? m.settings.platform_team
                                                                                 : m.settings.break_glass.review_by)) +
                        " follows.";
        r.steps.push_back(std::move(review));
        if (!m.settings.security_channel.empty())
            r.notify_channels.push_back(m.settings.security_channel);
        return r;
    }

    if (!in.override_by.empty()) {
        // Outside the approval flow, but not outside the bundle: its maximum still holds, and nobody grants
        // themselves access this way (break-glass is the path for that, with its review).
        const auto by = dir.find(in.override_by);
        if (by == no_person)
            return error{std::string(route_error::unknown_person),
                         "A manual override is granted by a person in the directory; \"" + in.override_by +
                             "\" is not one."};
        if (by == requester)
            return error{std::string(route_error::override_for_self),
                         "A manual override cannot grant access to yourself; another admin must grant it, or request "
                         "it (with --break-glass if you are on call)."};
        r.length = in.length.value_or(t.durations->initial);
        if (r.length > t.durations->max)
            return error{std::string(route_error::too_long), t.label + " allows at most " +
                                                                 describe_duration(t.durations->max) +
                                                                 ", even by a manual override; ask for " +
                                                                 format_duration(t.durations->max) + " or less."};
        r.outcome = route_outcome::override_grant;
        r.cell = r.applied = m.settings.matrix.cell(t.level, r.length);
        const auto& granter = dir.at(by).name;
        r.rule_reason = "Manual override: granted by " + granter +
                        " outside the approval flow, and recorded as an exception.";
        if (!m.settings.security_channel.empty())
            r.notify_channels.push_back(m.settings.security_channel);
        return r;
    }

    r.length = in.length.value_or(t.durations->initial);
    if (r.length > t.durations->max) {
        const auto max = t.durations->max;
        if (in.extending <= duration{})
            return error{std::string(route_error::too_long), t.label + " allows at most " + describe_duration(max) +
                                                                 "; ask for " + format_duration(max) + " or less."};
        if (in.extending >= max)
            return error{std::string(route_error::too_long),
                         t.label + " allows at most " + describe_duration(max) +
                             " in total, and this access already has that; it cannot be extended further."};
        return error{std::string(route_error::too_long),
                     t.label + " allows at most " + describe_duration(max) + " in total; this access already has " +
                         describe_duration(in.extending) + ", so extend by " + format_duration(max - in.extending) +
                         " or less."};
    }

    const auto& matrix = m.settings.matrix;
    const auto& policy = *t.approval;
    r.cell = matrix.cell(t.level, r.length);
    const std::string cell_words =
        std::string(name(t.level)) + " risk " + matrix.describe_column(matrix.column(r.length));
    const std::string owner = t.owner_team.empty() ? m.settings.platform_team : t.owner_team;
    const bool on_owner_team = !t.owner_team.empty() && req.team == t.owner_team;
    switch (r.cell) {
    case approval_rule::auto_all:
        r.applied = approval_rule::auto_all;
        r.rule_reason = "Auto-approved: " + cell_words + " is automatic for everyone.";
        break;
    case approval_rule::auto_owner:
        if (on_owner_team) {
            r.applied = approval_rule::auto_all;
            r.rule_reason = "Auto-approved: " + req.name + " is on " + t.owner_team + ", which owns " + t.label +
                            " (" + cell_words + ").";
        } else {
            r.applied = approval_rule::owner;
            r.rule_reason = owner + " approves: " + cell_words + " is automatic only for " + owner + ".";
        }
        break;
    case approval_rule::owner:
        r.applied = approval_rule::owner;
        r.rule_reason = owner + " approves: " + cell_words + " needs owner approval.";
        break;
    case approval_rule::platform:
        r.applied = approval_rule::platform;
        r.rule_reason = m.settings.platform_team + " approves: " + cell_words + " needs the platform team.";
        break;
    }
    if (r.applied == approval_rule::auto_all) {
        if (policy.max_auto_approve && r.length > *policy.max_auto_approve) {
            r.applied = approval_rule::owner;
            r.rule_reason = owner + " approves: " + t.label + " never auto-approves longer than " +
                            describe_duration(*policy.max_auto_approve) + ".";
        } else if (policy.require_owner_approval) {
            r.applied = approval_rule::owner;
            r.rule_reason = owner + " approves: " + t.label + " always requires owner approval.";
        }
    }

    if (policy.require_manager) {
        auto s = b.manager_step();
        if (!s)
            return s.error();
        r.steps.push_back(std::move(*s));
    }
    for (const auto& spec : policy.steps) {
        auto s = b.named_step(spec, *t.channels);
        if (!s)
            return s.error();
        r.steps.push_back(std::move(*s));
    }
    if (r.applied == approval_rule::owner) {
        auto s = b.owner_step(t.owner_team, t.label, *t.channels);
        if (!s)
            return s.error();
        r.steps.push_back(std::move(*s));
    } else if (r.applied == approval_rule::platform) {
        auto s = b.platform_step(cell_words + " needs the platform team");
        if (!s)
            return s.error();
        r.steps.push_back(std::move(*s));
    }
    if (r.steps.empty()) {
        r.outcome = route_outcome::auto_approved;
    } else {
        r.outcome = route_outcome::needs_approval;
        if (r.applied == approval_rule::auto_all)
            r.notes.push_back("The matrix would auto-approve, but " + t.label + " has its own approval steps.");
        r.rule_reason = summary_of_steps(r, t.label, cell_words, owner, m.settings.platform_team);
    }
    return r;
}

result<route> explain(const manifests& m, std::string_view person, std::string_view target,
                      std::optional<duration> length, time_point now, const away_overlay* away)
{
    return decide(m, request_input{std::string(person), std::string(target), length, false}, now, away);
}

std::optional<std::string> named_in(std::span<const reviewer_spec> who, std::string_view where, const directory& dir,
                                    person_index p, time_point now)
{
    const auto& person = dir.at(p);
    for (const auto& spec : who) {
        switch (spec.kind) {
        case reviewer_kind::person:
        case reviewer_kind::email:
            if (dir.find(spec.name) == p)
                return person.name + " is named in " + std::string(where);
            break;
        case reviewer_kind::group: {
            auto members = dir.group_members(spec.name);
            if (std::find(members.begin(), members.end(), p) != members.end())
                return person.name + " is in group " + spec.name;
            break;
        }
        case reviewer_kind::team:
            if (person.team == spec.name)
                return person.name + " is on " + spec.name;
            break;
        case reviewer_kind::oncall:
            if (dir.on_call(spec.name, now) == p)
                return person.name + " is on call for " + spec.name;
            break;
        }
    }
    return std::nullopt;
}

std::vector<std::string> describe(const route& r)
{
    std::vector<std::string> lines;
    lines.push_back(r.target + " (" + std::string(name(r.level)) + " risk" +
                    (r.owner_team.empty() ? std::string() : ", owner " + r.owner_team) + ") for " +
                    describe_duration(r.length) + ", asked by " + r.requester_name);
    lines.push_back(r.rule_reason);
    for (const auto& n : r.notes)
        lines.push_back(n);
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto& s = r.steps[i];
        std::string head = (s.kind == step_kind::break_glass_review ? "Afterwards: " : "Step " + std::to_string(i + 1) +
                                                                                           " of " +
                                                                                           std::to_string(r.steps.size()) +
                                                                                           ": ") +
                           s.name + ", " + std::to_string(s.min_approvals) + " of " +
                           std::to_string(s.reviewers.size()) + " must approve" +
                           (s.assign == assign_mode::round_robin ? ", one at a time" : "");
        lines.push_back(std::move(head));
        if (!s.fallback.empty())
            lines.push_back("  " + r.platform_team + " stands in: " + s.fallback);
        for (const auto& rv : s.reviewers)
            lines.push_back("  • " + rv.reason);
    }
    return lines;
}

} // namespace checkpoint::workflow
