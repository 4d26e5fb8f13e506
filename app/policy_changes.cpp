#include "app/policy_changes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>

namespace checkpoint::app {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v)
{
    json::array out;
    for (const auto& s : v)
        out.push_back(json::value(s));
    return out;
}

json::array field_changes(const std::vector<workflow::field_change>& v)
{
    json::array out;
    for (const auto& c : v)
        out.push_back(json::object{{"field", c.field}, {"before", c.before}, {"after", c.after}});
    return out;
}

// Every page of the request log that `q` selects, newest first, up to `cap`.
workflow::result<std::vector<workflow::petition>> read_log(workflow::petition_store& petitions,
                                                           workflow::request_log_query q, std::size_t cap)
{
    std::vector<workflow::petition> out;
    q.limit = 500;
    for (;;) {
        auto page = petitions.request_log(q);
        if (!page)
            return page.error();
        for (auto& p : page->petitions) {
            if (out.size() == cap)
                return out;
            out.push_back(std::move(p));
        }
        if (page->next.empty())
            return out;
        q.cursor = page->next;
    }
}

std::string integrations_changed(const workflow::manifests_diff& d)
{
    std::string names;
    for (const auto& c : d.settings_changed)
        if (c.field.starts_with("integrations."))
            names += (names.empty() ? "" : ", ") + c.field;
    return names;
}

} // namespace

json::object diff_json(const workflow::manifests_diff& d)
{
    json::array changed;
    for (const auto& b : d.bundles_changed)
        changed.push_back(json::object{{"bundle", b.bundle}, {"fields", field_changes(b.fields)}});
    json::array moved;
    for (const auto& m : d.people_moved) {
        json::object o{{"id", m.id}, {"name", m.name}};
        if (m.team_before != m.team_after)
            o["team"] = json::object{{"before", m.team_before}, {"after", m.team_after}};
        if (m.manager_before != m.manager_after)
            o["manager"] = json::object{{"before", m.manager_before}, {"after", m.manager_after}};
        moved.push_back(std::move(o));
    }
    return json::object{{"summary", d.summary()},
                        {"bundles_added", strings(d.bundles_added)},
                        {"bundles_removed", strings(d.bundles_removed)},
                        {"bundles_changed", std::move(changed)},
                        {"people_added", strings(d.people_added)},
                        {"people_removed", strings(d.people_removed)},
                        {"people_moved", std::move(moved)},
                        {"groups_changed", strings(d.groups_changed)},
                        {"identities_changed", field_changes(d.identities_changed)},
                        {"settings_changed", field_changes(d.settings_changed)}};
}

workflow::result<std::vector<workflow::petition>> holding_requests(workflow::petition_store& petitions,
                                                                   const std::vector<std::string>& people)
{
    std::vector<workflow::petition> out;
    for (const auto& id : people)
        for (auto state : {workflow::petition_state::approved, workflow::petition_state::provisioning,
                           workflow::petition_state::active}) {
            workflow::request_log_query q;
            q.person = id;
            q.state = state;
            auto some = read_log(petitions, q, std::numeric_limits<std::size_t>::max());
            if (!some)
                return some.error();
            for (auto& p : *some)
                out.push_back(std::move(p));
        }
    return out;
}

void follow_change(const live_manifests& live, const workflow::manifests& before, access_service& access,
                   workflow::petition_store& petitions, const std::string& reason, const workflow::origin& via,
                   workflow::time_point now, reload_result& out,
                   const std::function<void(std::size_t rerouted, std::size_t ended)>& audit)
{
    const auto policy = live.now();
    auto away = access.away_now();
    // What the new manifests change for the requests waiting now (listed at `waiting`'s call).
    const auto plan_waiting = [&](const workflow::result<std::vector<workflow::petition>>& waiting) {
        std::vector<workflow::waiting_preview> planned;
        if (waiting && away)
            for (const auto& p : *waiting)
                if (auto plan = workflow::plan_reroute(p, before, *policy, now, &*away); plan.change)
                    planned.push_back({p.id, p.requester(), p.entitlement(), std::move(plan)});
        return planned;
    };
    auto waiting = petitions.waiting();
    auto planned = plan_waiting(waiting);
    auto holding = holding_requests(petitions, out.diff.people_removed);
    auto departures = holding ? workflow::plan_departures(*holding, *policy, now) : std::vector<workflow::departure>{};
    if (audit)
        audit(planned.size(), departures.size());
    if (!waiting)
        out.failures.push_back("listing the waiting requests: " + waiting.error().message);
    if (!holding)
        out.failures.push_back("listing the access of people who left: " + holding.error().message);
    if (!away)
        out.failures.push_back("reading out of office: " + away.error().message);
    const auto apply_plans = [&](std::vector<workflow::waiting_preview> plans) {
        for (auto& w : plans) {
            auto e = *w.plan.change;
            if (w.plan.what != workflow::reroute_plan::outcome::withdrawn)
                e.reason += " (" + reason + ")";
            auto t = access.act(w.petition_id, workflow::through(std::move(e), via));
            if (!t) {
                out.failures.push_back(w.petition_id + ": " + t.error().message);
                continue;
            }
            out.rerouted.push_back(std::move(w));
        }
    };
    apply_plans(std::move(planned));
    for (auto& d : departures) {
        auto t = access.act(d.petition_id, workflow::through(d.change, via));
        if (!t) {
            out.failures.push_back(d.petition_id + ": " + t.error().message);
            continue;
        }
        out.ended.push_back(std::move(d));
    }
    // A request decided under the old manifests whose filing was still being written when the waiting ones were
    // listed: a second look, after the first pass's writes went through the same single writer, catches it (those
    // already re-routed now match the new manifests and plan no change).
    if (waiting)
        apply_plans(plan_waiting(petitions.waiting()));
}

workflow::result<reload_result> reload_manifests(live_manifests& live, workflow::manifests next, manifests_version version,
                                                 access_service& access, workflow::petition_store& petitions,
                                                 workflow::audit_log& audit, const std::string& by,
                                                 const workflow::origin& via, workflow::time_point now,
                                                 workflow::directory_store* journal)
{
    auto lock = live.changing();
    reload_result out;
    out.previous = live.version();
    out.version = version;
    if (!version.hash.empty() && version.hash == out.previous.hash)
        return out;
    const auto current = live.now();
    out.diff = workflow::diff_manifests(*current, live.composed(next));
    if (auto names = integrations_changed(out.diff); !names.empty())
        return workflow::error{"restart_needed",
                               "The integrations in checkpoint.yaml changed (" + names +
                                   "); they are built once, at start: restart checkpointd to apply them. The manifests "
                                   "in force are unchanged."};
    out.changed = true;
    std::optional<std::int64_t> noted;
    if (journal && !out.diff.people_removed.empty()) {
        auto n = journal->note_departures(out.diff.people_removed, now);
        if (!n)
            return n.error();
        noted = *n;
    }
    live.replace(std::move(next), version);

    const std::string reason = "manifests " + version.hash.substr(0, 12) +
                               (version.commit.empty() ? std::string() : " (commit " + version.commit.substr(0, 12) + ")") +
                               ": " + out.diff.summary();
    follow_change(live, *current, access, petitions, reason, via, now, out,
                  [&](std::size_t rerouted, std::size_t ended) {
                      json::object details{
                          {"version", version.hash},
                          {"commit", version.commit.empty() ? json::value(nullptr) : json::value(version.commit)},
                          {"previous_version", out.previous.hash},
                          {"previous_commit",
                           out.previous.commit.empty() ? json::value(nullptr) : json::value(out.previous.commit)},
                          {"changes", diff_json(out.diff)},
                          {"rerouted", static_cast<std::uint64_t>(rerouted)},
                          {"access_ended", static_cast<std::uint64_t>(ended)}};
                      if (auto a = audit.append({by, "manifests.reloaded", now, reason, "", "", json::serialize(details), via});
                          !a)
                          out.failures.push_back("the reload's audit record: " + a.error().message);
                  });
    if (noted)
        if (auto done = journal->followed(*noted); !done)
            out.failures.push_back("marking the reload's departures done: " + done.error().message);
    return out;
}

workflow::result<workflow::policy_preview> preview_policy(const workflow::manifests& current, const workflow::manifests& next,
                                                          access_service& access, workflow::petition_store& petitions,
                                                          workflow::duration since, workflow::time_point now)
{
    workflow::request_log_query q;
    q.from = now - since;
    auto history = read_log(petitions, q, preview_cap);
    if (!history)
        return history.error();
    auto waiting = petitions.waiting();
    if (!waiting)
        return waiting.error();
    auto away = access.away_now();
    if (!away)
        return away.error();
    auto holding = holding_requests(petitions, workflow::diff_manifests(current, next).people_removed);
    if (!holding)
        return holding.error();
    return workflow::preview_policy(current, next, *history, *waiting, now, &*away, *holding);
}

} // namespace checkpoint::app
