#include "workflow/policy_change.hpp"

#include "workflow/duration.hpp"

#include <algorithm>
#include <tuple>
#include <map>
#include <set>
#include <utility>

namespace checkpoint::workflow {

namespace {

using fields = std::vector<std::pair<std::string, std::string>>;

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ")
{
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : std::string(sep)) + s;
    return out;
}

std::string text(const std::optional<duration>& d) { return d ? format_duration(*d) : std::string("none"); }

std::string text(const duration_policy& d)
{
    std::vector<std::string> choices;
    for (auto c : d.choices)
        choices.push_back(format_duration(c));
    return "initial " + format_duration(d.initial) + ", max " + format_duration(d.max) +
           (choices.empty() ? std::string() : ", choices " + join(choices));
}

std::string text(const std::vector<step_spec>& steps)
{
    std::vector<std::string> out;
    for (const auto& s : steps) {
        std::vector<std::string> who;
        for (const auto& r : s.reviewers)
            who.push_back(std::string(name(r.kind)) + " " + r.name);
        out.push_back(s.name + " (" + join(who) + "; " + std::to_string(s.min_approvals) + " of them, " +
                      std::string(name(s.assign)) + ")");
    }
    return out.empty() ? std::string("none") : join(out, "; ");
}

void add_approval(fields& f, const std::string& prefix, const approval_policy& a)
{
    f.emplace_back(prefix + "max_auto_approve", text(a.max_auto_approve));
    f.emplace_back(prefix + "require_owner_approval", a.require_owner_approval ? "true" : "false");
    f.emplace_back(prefix + "require_manager", a.require_manager ? "true" : "false");
    f.emplace_back(prefix + "steps", text(a.steps));
    f.emplace_back(prefix + "break_glass", a.break_glass ? "true" : "false");
}

fields fields_of(const bundle& b)
{
    fields f;
    f.emplace_back("description", b.description);
    f.emplace_back("owner_team", b.owner_team);
    f.emplace_back("risk", std::string(name(b.level)));
    f.emplace_back("durations", text(b.durations));
    add_approval(f, "approval.", b.approval);
    f.emplace_back("channels", join(b.channels));
    std::vector<std::string> params;
    for (const auto& p : b.provision.params)
        params.push_back(p.key + "=" + join(p.values, "|"));
    f.emplace_back("provision.integration", b.provision.integration);
    f.emplace_back("provision.params", join(params));
    f.emplace_back("deprecated", b.deprecated ? "true" : "false");
    f.emplace_back("successor", b.successor);
    std::vector<std::string> ents;
    for (const auto& e : b.entitlements)
        ents.push_back(e.description);
    f.emplace_back("entitlements", join(ents, "; "));
    return f;
}

std::string text(const approval_matrix& m)
{
    std::vector<std::string> cols;
    for (auto d : m.up_to)
        cols.push_back(format_duration(d));
    std::string out = "columns up to " + join(cols) + ":";
    for (std::size_t r = 0; r < risk_count; ++r) {
        std::vector<std::string> cells;
        for (auto c : m.cells[r])
            cells.push_back(std::string(name(c)));
        out += " " + std::string(name(static_cast<risk>(r))) + " [" + join(cells) + "]";
    }
    return out;
}

std::string text(const integration& i)
{
    return std::string(i.kind == integration_kind::webhook ? "webhook" : i.kind == integration_kind::exec ? "exec" : "log") +
           (i.url.empty() ? "" : " " + i.url) + (i.secret_env.empty() ? "" : " secret_env " + i.secret_env) +
           (i.kind == integration_kind::webhook ? (i.format == webhook_format::indent ? " format indent" : " format checkpoint")
                                                : "") +
           " timeout " + format_duration(i.timeout) + (i.command.empty() ? "" : " command " + join(i.command, " ")) +
           " max_in_flight " + std::to_string(i.max_in_flight);
}

std::string text(const resource_kind& r)
{
    fields f;
    add_approval(f, "", r.approval);
    std::string out = r.description + "; integration " + r.integration + "; owner " + r.owner_team + "; risk " +
                      std::string(name(r.level)) + "; " + text(r.durations) + "; channels " + join(r.channels);
    for (const auto& [k, v] : f)
        out += "; " + k + " " + v;
    return out;
}

fields fields_of(const settings& s)
{
    fields f;
    f.emplace_back("matrix", text(s.matrix));
    f.emplace_back("platform_team", s.platform_team);
    f.emplace_back("default_channel", s.default_channel);
    f.emplace_back("security_channel", s.security_channel);
    auto named = [](const std::vector<reviewer_spec>& specs) {
        std::vector<std::string> out;
        for (const auto& r : specs)
            out.push_back(std::string(name(r.kind)) + " " + r.name);
        return out;
    };
    const auto who = named(s.break_glass.who);
    f.emplace_back("auditors", join(named(s.auditors)));
    f.emplace_back("break_glass", "who " + join(who) + "; max " + format_duration(s.break_glass.max_duration) +
                                      "; review_by " + s.break_glass.review_by);
    f.emplace_back("reminders", "pending_after " + format_duration(s.reminders.pending_after) + ", escalate_after " +
                                    format_duration(s.reminders.escalate_after) + ", expiring_before " +
                                    format_duration(s.reminders.expiring_before));
    for (const auto& i : s.integrations)
        f.emplace_back("integrations." + i.name, text(i));
    for (const auto& r : s.resources)
        f.emplace_back("resources." + r.kind, text(r));
    std::vector<std::string> risks;
    for (auto r : s.demand_alert.risks)
        risks.push_back(std::string(name(r)));
    const auto& a = s.demand_alert;
    f.emplace_back("anomaly_alert", std::string(a.enabled ? "on" : "off") + "; risks " + join(risks) + "; window " +
                                        format_duration(a.window) + "; baseline " + format_duration(a.baseline) +
                                        "; factor " + std::to_string(a.factor) + "; min_requests " +
                                        std::to_string(a.min_requests));
    return f;
}

// Field changes between two field lists; a field only one side has reads "(none)" on the other.
std::vector<field_change> changes(const fields& before, const fields& after)
{
    std::map<std::string, std::pair<std::string, std::string>> all;
    for (const auto& [k, v] : before)
        all[k] = {v, "(none)"};
    for (const auto& [k, v] : after) {
        auto it = all.find(k);
        if (it == all.end())
            all[k] = {"(none)", v};
        else
            it->second.second = v;
    }
    std::vector<field_change> out;
    // In the lists' own order (description, owner_team, …), not alphabetical: the order people read a manifest.
    std::vector<std::string> order;
    for (const auto& [k, v] : before)
        order.push_back(k);
    for (const auto& [k, v] : after)
        if (std::find(order.begin(), order.end(), k) == order.end())
            order.push_back(k);
    for (const auto& k : order) {
        const auto& [b, a] = all[k];
        if (b != a)
            out.push_back({k, b, a});
    }
    return out;
}

std::string person_ref(const directory& d, const std::string& ref)
{
    if (ref.empty())
        return {};
    const auto i = d.find(ref);
    return i == no_person ? ref : d.at(i).id;
}

bool withdraws(std::string_view code)
{
    return code == route_error::unknown_person || code == route_error::unknown_bundle ||
           code == route_error::unknown_resource_kind || code == route_error::deprecated;
}

// A step of `next` that stands for `old`: the same kind, and for a bundle's own steps the same name.
const route_step* counterpart(const route& next, const route_step& old)
{
    for (const auto& s : next.steps)
        if (s.kind == old.kind && (old.kind != step_kind::bundle || s.name == old.name))
            return &s;
    return nullptr;
}

bool same_reviewers(const route_step& a, const route_step& b)
{
    if (a.reviewers.size() != b.reviewers.size() || a.channels != b.channels || a.min_approvals != b.min_approvals ||
        a.assign != b.assign)
        return false;
    for (std::size_t i = 0; i < a.reviewers.size(); ++i)
        if (a.reviewers[i].person_id != b.reviewers[i].person_id)
            return false;
    return true;
}

std::string target_key(const route& r)
{
    if (!r.is_resource)
        return r.target;
    return r.target.substr(0, r.target.find(':')) + ":*";
}

std::set<std::string> reviewer_ids(const route& r)
{
    std::set<std::string> out;
    for (const auto& s : r.steps)
        for (const auto& rv : s.reviewers)
            out.insert(rv.person_id);
    return out;
}

} // namespace

bool manifests_diff::empty() const
{
    return bundles_added.empty() && bundles_removed.empty() && bundles_changed.empty() && people_added.empty() &&
           people_removed.empty() && people_moved.empty() && settings_changed.empty() && groups_changed.empty() &&
           identities_changed.empty();
}

std::string manifests_diff::summary() const
{
    if (empty())
        return "no change";
    std::vector<std::string> parts;
    auto count = [](std::size_t n, std::string_view one, std::string_view many) {
        return std::to_string(n) + " " + std::string(n == 1 ? one : many);
    };
    if (!bundles_added.empty())
        parts.push_back(count(bundles_added.size(), "bundle added", "bundles added") + " (" + join(bundles_added) + ")");
    if (!bundles_removed.empty())
        parts.push_back(count(bundles_removed.size(), "bundle removed", "bundles removed") + " (" +
                        join(bundles_removed) + ")");
    if (!bundles_changed.empty()) {
        std::vector<std::string> each;
        for (const auto& b : bundles_changed) {
            std::vector<std::string> f;
            for (const auto& c : b.fields)
                f.push_back(c.field);
            each.push_back(b.bundle + ": " + join(f));
        }
        parts.push_back(count(bundles_changed.size(), "bundle changed", "bundles changed") + " (" + join(each, "; ") + ")");
    }
    if (!people_added.empty())
        parts.push_back(count(people_added.size(), "person added", "people added"));
    if (!people_removed.empty())
        parts.push_back(count(people_removed.size(), "person removed", "people removed") + " (" +
                        join(people_removed) + ")");
    if (!people_moved.empty()) {
        std::vector<std::string> each;
        for (const auto& m : people_moved)
            each.push_back(m.id);
        parts.push_back(count(people_moved.size(), "person moved team or manager", "people moved team or manager") +
                        " (" + join(each) + ")");
    }
    if (!identities_changed.empty()) {
        std::vector<std::string> f;
        for (const auto& c : identities_changed)
            f.push_back(c.field);
        parts.push_back(count(identities_changed.size(), "identity changed", "identities changed") + " (" + join(f) + ")");
    }
    if (!groups_changed.empty())
        parts.push_back(count(groups_changed.size(), "group or rotation changed", "groups or rotations changed") + " (" +
                        join(groups_changed) + ")");
    if (!settings_changed.empty()) {
        std::vector<std::string> f;
        for (const auto& c : settings_changed)
            f.push_back(c.field);
        parts.push_back("checkpoint.yaml: " + join(f));
    }
    return join(parts, ", ");
}

manifests_diff diff_manifests(const manifests& before, const manifests& after)
{
    manifests_diff d;
    for (const auto& b : after.catalog.bundles())
        if (!before.catalog.find(b.name))
            d.bundles_added.push_back(b.name);
    for (const auto& b : before.catalog.bundles()) {
        const auto* now = after.catalog.find(b.name);
        if (!now) {
            d.bundles_removed.push_back(b.name);
            continue;
        }
        if (auto c = changes(fields_of(b), fields_of(*now)); !c.empty())
            d.bundles_changed.push_back({b.name, std::move(c)});
    }
    const auto& was = before.directory;
    const auto& is = after.directory;
    for (const auto& p : is.people())
        if (was.find(p.id) == no_person)
            d.people_added.push_back(p.id);
    for (const auto& p : was.people()) {
        const auto i = is.find(p.id);
        if (i == no_person) {
            d.people_removed.push_back(p.id);
            continue;
        }
        const auto& q = is.at(i);
        const auto manager_before = person_ref(was, p.manager_id);
        const auto manager_after = person_ref(is, q.manager_id);
        if (p.team != q.team || manager_before != manager_after)
            d.people_moved.push_back({p.id, q.name, p.team, q.team, manager_before, manager_after});
        for (const auto& [field, b, a] : {std::tuple{"email", &p.email, &q.email},
                                          std::tuple{"slack_id", &p.slack_id, &q.slack_id},
                                          std::tuple{"external_id", &p.external_id, &q.external_id}})
            if (*b != *a)
                d.identities_changed.push_back({p.id + " " + field, *b, *a});
    }
    std::map<std::string, std::pair<std::string, std::string>> groups;
    for (const auto& g : was.groups())
        groups["group " + g.name].first = join(g.members);
    for (const auto& g : is.groups())
        groups["group " + g.name].second = join(g.members);
    for (const auto& o : was.oncall())
        groups["oncall " + o.name].first = join(o.rotation) + " every " + format_duration(o.every);
    for (const auto& o : is.oncall())
        groups["oncall " + o.name].second = join(o.rotation) + " every " + format_duration(o.every);
    for (const auto& [k, v] : groups)
        if (v.first != v.second)
            d.groups_changed.push_back(k);
    d.settings_changed = changes(fields_of(before.settings), fields_of(after.settings));
    return d;
}

std::string_view name(reroute_plan::outcome o)
{
    switch (o) {
    case reroute_plan::outcome::kept: return "kept";
    case reroute_plan::outcome::rerouted: return "rerouted";
    case reroute_plan::outcome::withdrawn: return "withdrawn";
    }
    return "kept";
}

reroute_plan plan_reroute(const petition& p, const manifests& current, const manifests& next, time_point now,
                          const away_overlay* away)
{
    reroute_plan plan;
    plan.extension = p.state == petition_state::active && p.pending_extension.has_value();
    if (p.state != petition_state::pending && !plan.extension)
        return plan;
    const route& old = plan.extension ? p.pending_extension->route : p.route;
    const approval_progress& progress = plan.extension ? p.pending_extension->progress : p.progress;
    if (progress.step >= old.steps.size())
        return plan;
    plan.step = progress.step;
    plan.step_name = old.steps[progress.step].name;
    plan.waiting_before = waiting_on(old.steps[progress.step], progress.assigned);
    plan.waiting_after = plan.waiting_before;

    const duration length = plan.extension ? p.length() + p.pending_extension->added : p.length();
    const request_input in{p.requester(), p.entitlement(), length, false, plan.extension ? p.length() : duration{}};
    auto decided = decide(next, in, now, away);
    if (!decided) {
        plan.reason = decided.error().message;
        if (withdraws(decided.error().code)) {
            plan.what = reroute_plan::outcome::withdrawn;
            plan.waiting_after.clear();
            plan.change = reroute_to(std::nullopt, "Withdrawn: the approval policy or the directory changed. " + decided.error().message, now);
        }
        return plan;
    }
    // Only what the manifests change moves a step: decided now under both versions, a step whose reviewers are
    // the same either way keeps its own (who went out of office since the filing is escalation's business).
    const auto was = decide(current, in, now, away);
    route r = old;
    bool changed = false;
    for (std::size_t i = progress.step; i < r.steps.size(); ++i) {
        const auto* s = counterpart(*decided, r.steps[i]);
        if (!s || same_reviewers(*s, r.steps[i]))
            continue;
        // The waiting step keeps its reviewers when everyone the new one asks has approved it already: nobody
        // would be left to give the approval still owed, and a reload never completes a step.
        if (i == progress.step && std::all_of(s->reviewers.begin(), s->reviewers.end(), [&](const reviewer& rv) {
                return std::find(progress.approvals.begin(), progress.approvals.end(), rv.person_id) !=
                       progress.approvals.end();
            }))
            continue;
        if (const auto* before = was ? counterpart(*was, r.steps[i]) : nullptr; before && same_reviewers(*s, *before))
            continue;
        r.steps[i] = *s;
        changed = true;
    }
    if (!changed)
        return plan;
    r.owner_team = decided->owner_team;
    r.platform_team = decided->platform_team;
    if (decided->outcome == route_outcome::needs_approval)
        r.rule_reason = decided->rule_reason;
    // What apply() will make of it: the waiting step's approvals that stand, and its assignee.
    auto applied = apply(p, reroute_to(r, "", now), next.directory);
    if (!applied)
        return plan;
    const auto& np = applied->petition;
    const auto& nr = plan.extension ? np.pending_extension->route : np.route;
    const auto& nprog = plan.extension ? np.pending_extension->progress : np.progress;
    plan.waiting_after = waiting_on(nr.steps[nprog.step], nprog.assigned);
    plan.what = reroute_plan::outcome::rerouted;
    plan.change = reroute_to(std::move(r), "the manifests changed who approves", now);
    return plan;
}

std::string decision_word(const result<route>& r)
{
    if (!r)
        return "refused";
    switch (r->outcome) {
    case route_outcome::auto_approved: return "auto";
    case route_outcome::break_glass: return "break-glass";
    case route_outcome::override_grant: return "override";
    case route_outcome::needs_approval: break;
    }
    std::vector<std::string> kinds;
    for (const auto& s : r->steps) {
        const std::string k(name(s.kind));
        if (std::find(kinds.begin(), kinds.end(), k) == kinds.end())
            kinds.push_back(k);
    }
    return kinds.empty() ? std::string("approval") : join(kinds, "+");
}

std::vector<departure> plan_departures(std::span<const petition> holding, const manifests& next, time_point now)
{
    std::vector<departure> out;
    for (const auto& p : holding) {
        const bool holds = p.state == petition_state::approved || p.state == petition_state::provisioning ||
                           p.state == petition_state::active;
        if (!holds || next.directory.find(p.requester()) != no_person)
            continue;
        out.push_back({p.id, p.requester(), p.entitlement(),
                       revoke_by("checkpoint", now, p.requester() + " is no longer in the directory")});
    }
    return out;
}

policy_preview preview_policy(const manifests& current, const manifests& next, std::span<const petition> history,
                              std::span<const petition> waiting, time_point now, const away_overlay* away,
                              std::span<const petition> holding)
{
    policy_preview out;
    out.diff = diff_manifests(current, next);
    std::map<std::string, target_preview> by_target;
    std::map<std::string, std::map<std::pair<std::string, std::string>, std::size_t>> shifts;
    std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> people;
    for (const auto& p : history) {
        if (p.route.outcome == route_outcome::override_grant)
            continue;
        const bool glass = p.route.outcome == route_outcome::break_glass;
        const request_input in{p.requester(), p.entitlement(), p.asked_length.value_or(p.length()), glass};
        // As filed then: the manifests' out of office at that moment, not today's.
        const auto before = decide(current, in, p.created_at);
        const auto after = decide(next, in, p.created_at);
        const auto key = target_key(p.route);
        auto& t = by_target[key];
        t.target = key;
        ++t.replayed;
        ++out.replayed;
        const auto from = decision_word(before);
        const auto to = decision_word(after);
        if (from != to) {
            ++t.decisions_changed;
            ++out.decisions_changed;
            ++shifts[key][{from, to}];
        }
        const auto rb = before ? reviewer_ids(*before) : std::set<std::string>{};
        const auto ra = after ? reviewer_ids(*after) : std::set<std::string>{};
        if (rb != ra) {
            ++t.reviewers_changed;
            ++out.reviewers_changed;
            auto& [added, removed] = people[key];
            for (const auto& id : ra)
                if (!rb.contains(id))
                    added.insert(id);
            for (const auto& id : rb)
                if (!ra.contains(id))
                    removed.insert(id);
        }
    }
    for (auto& [key, t] : by_target) {
        if (t.decisions_changed == 0 && t.reviewers_changed == 0)
            continue;
        for (const auto& [ft, n] : shifts[key])
            t.shifts.push_back({ft.first, ft.second, n});
        std::sort(t.shifts.begin(), t.shifts.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
        t.reviewers_added.assign(people[key].first.begin(), people[key].first.end());
        t.reviewers_removed.assign(people[key].second.begin(), people[key].second.end());
        out.targets.push_back(std::move(t));
    }
    for (const auto& p : waiting) {
        auto plan = plan_reroute(p, current, next, now, away);
        if (plan.what == reroute_plan::outcome::kept)
            continue;
        out.waiting.push_back({p.id, p.requester(), p.entitlement(), std::move(plan)});
    }
    out.departures = plan_departures(holding, next, now);
    return out;
}

} // namespace checkpoint::workflow
