#include "app/access_service.hpp"
#include "app/demand.hpp"

#include "app/effect_jobs.hpp"
#include "app/petition_ids.hpp"
#include "workflow/route.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdint>
#include <future>
#include <stdexcept>

namespace checkpoint::app {

namespace {

// Concurrent writers on one petition are rare (two reviewers at once); a few rounds settle them.
constexpr int max_conflict_rounds = 5;

workflow::error conflict_error(const std::string& id)
{
    return {"conflict", "Request " + id + " changed several times while this was being saved; try again."};
}

} // namespace

access_service::access_service(const live_manifests& manifests, const workflow::clock& clock,
                               workflow::petition_store& petitions, std::function<void()> wake_workers,
                               workflow::resource_store* resources)
    : live_(manifests), clock_(clock), petitions_(petitions), wake_workers_(std::move(wake_workers)),
      resources_(resources)
{
}

namespace {

// Runs an asynchronous use case and waits for its answer: for callers that may block (workers, the
// CLI's host commands, tests), never for the threads that answer HTTP.
template <class T, class Start>
workflow::result<T> wait_for(Start start)
{
    std::promise<workflow::result<T>> promise;
    auto outcome = promise.get_future();
    start([&promise](workflow::result<T> r) { promise.set_value(std::move(r)); });
    return outcome.get();
}

} // namespace

workflow::result<workflow::petition> access_service::submit(const std::string& requester,
                                                            const workflow::intent::request& r,
                                                            std::optional<workflow::audit_event> filed_by)
{
    return wait_for<workflow::petition>(
        [&](then<workflow::petition> d) { submit(requester, r, std::move(d), std::move(filed_by)); });
}

workflow::result<std::optional<workflow::petition>> access_service::holding(const std::string& person,
                                                                            const std::string& target)
{
    return petitions_.open_for(person, target, workflow::blocking_states(true));
}

workflow::result<workflow::transition> access_service::act(const std::string& id, const workflow::event& event)
{
    return wait_for<workflow::transition>([&](then<workflow::transition> d) { act(id, event, std::move(d)); });
}

workflow::result<workflow::transition> access_service::extend(const std::string& id, const std::string& by,
                                                              workflow::duration added, const std::string& reason,
                                                              const workflow::origin& via)
{
    return wait_for<workflow::transition>(
        [&](then<workflow::transition> d) { extend(id, by, added, reason, via, std::move(d)); });
}

void access_service::submit(const std::string& requester, const workflow::intent::request& r,
                            then<workflow::petition> done, std::optional<workflow::audit_event> filed_by)
{
    const auto now = clock_.now();
    auto away = away_now();
    if (!away)
        return done(away.error());
    auto route =
        workflow::decide(*live_.now(), {requester, r.target, r.length, r.break_glass, {}, r.override_by}, now, &*away);
    if (!route)
        return done(route.error());
    if (auto missing = resolve_resource(*route))
        return done(std::move(*missing));
    // One open request or live grant per person and target: a repeat is pointed at it (the write checks
    // again in its transaction, so requests sent at once file one).
    auto open = petitions_.open_for(route->requester_id, route->target, workflow::blocking_states(r.break_glass));
    if (!open)
        return done(open.error());
    if (*open)
        return done(workflow::already_open(**open));
    // Round-robin steps start where their rotation is (a read; the filing's write moves it on), so the work
    // spreads across requests and across restarts.
    std::optional<workflow::error> unread;
    workflow::place_in_rotation(*route, [&](const std::string& key) -> std::size_t {
        auto seen = petitions_.rotation(key);
        if (!seen) {
            unread = seen.error();
            return 0;
        }
        return *seen;
    });
    if (unread)
        return done(std::move(*unread));
    file_attempt(std::move(*route), r, 0, std::move(done), std::move(filed_by));
}

void access_service::file_attempt(workflow::route route, workflow::intent::request r, int attempt,
                                  then<workflow::petition> done, std::optional<workflow::audit_event> filed_by)
{
    // A fresh id per attempt: a collision (vanishingly rare) just draws again.
    if (attempt == 3)
        return done(workflow::error{"conflict", "Could not file the request; try again."});
    const auto now = clock_.now();
    auto t = workflow::file(route, {new_petition_id(now), r.reason, r.ticket, r.filed_by}, now);
    auto w = plan_write(t, filing_audit(t.petition, r.via), now);
    w.exclusive_of = workflow::blocking_states(r.break_glass);
    for (const auto& s : route.steps)
        if (s.assign == workflow::assign_mode::round_robin && !s.reviewers.empty())
            w.rotate.push_back(workflow::rotation_key(route, s));
    add_home_jobs(w.jobs, nullptr, t.petition, now);
    const auto policy = live_.now();
    if (auto check = demand_check_job(policy->settings.demand_alert, policy->settings.security_channel, t.petition, now))
        w.jobs.push_back(std::move(*check));
    if (filed_by) {
        w.also_audit.push_back(*filed_by);
        w.also_audit.back().petition_id = t.petition.id;
    }
    petitions_.file_async(
        std::move(w), [this, route = std::move(route), r = std::move(r), attempt, petition = std::move(t.petition),
                       done = std::move(done), filed_by = std::move(filed_by)](
                          workflow::result<workflow::write_status> stored) mutable {
            if (!stored)
                return done(stored.error());
            if (*stored == workflow::write_status::conflict)
                return file_attempt(std::move(route), std::move(r), attempt + 1, std::move(done), std::move(filed_by));
            if (*stored == workflow::write_status::duplicate) {
                // Filed by a request sent at the same time: point at that one.
                auto open = petitions_.open_for(route.requester_id, route.target, workflow::blocking_states(r.break_glass));
                if (!open)
                    return done(open.error());
                if (*open)
                    return done(workflow::already_open(**open));
                return file_attempt(std::move(route), std::move(r), attempt + 1, std::move(done), std::move(filed_by));
            }
            if (wake_workers_)
                wake_workers_();
            done(std::move(petition));
        });
}

void access_service::act(const std::string& id, const workflow::event& event, then<workflow::transition> done)
{
    act_round(id, event, 0, std::move(done));
}

void access_service::act_round(std::string id, workflow::event event, int round, then<workflow::transition> done)
{
    if (round == max_conflict_rounds)
        return done(conflict_error(id));
    auto p = get(id);
    if (!p)
        return done(p.error());
    auto t = workflow::apply(*p, event, live_.now()->directory);
    if (!t)
        return done(t.error());
    auto w = plan_write(*t, transition_audit(event, t->petition), clock_.now());
    add_home_jobs(w.jobs, &*p, t->petition, clock_.now());
    petitions_.apply_async(std::move(w), [this, id = std::move(id), event = std::move(event), round, t = std::move(*t),
                                          done = std::move(done)](workflow::result<workflow::write_status> stored) mutable {
        if (!stored)
            return done(stored.error());
        if (*stored == workflow::write_status::conflict)
            // Someone else moved it first: re-read and re-apply (off the writer's thread would be kinder,
            // but conflicts are rare and the read is one indexed row).
            return act_round(std::move(id), std::move(event), round + 1, std::move(done));
        if (wake_workers_)
            wake_workers_();
        if (on_change_)
            on_change_(t.petition);
        done(std::move(t));
    });
}

void access_service::extend(const std::string& id, const std::string& by, workflow::duration added,
                            const std::string& reason, const workflow::origin& via, then<workflow::transition> done)
{
    auto p = get(id);
    if (!p)
        return done(p.error());
    const auto now = clock_.now();
    // Decided on the total, as if it had been asked for at once.
    auto away = away_now();
    if (!away)
        return done(away.error());
    auto route =
        workflow::decide(*live_.now(), {p->requester(), p->entitlement(), p->length() + added, false, p->length()}, now,
                         &*away);
    if (!route)
        return done(route.error());
    auto e = workflow::extension_of(by, added, *route, now, reason);
    e.via = via;
    act(id, e, std::move(done));
}

workflow::result<workflow::away_overlay> access_service::away_now()
{
    if (!away_)
        return workflow::away_overlay{};
    return away_->overlay();
}

workflow::result<std::optional<workflow::out_of_office>> access_service::set_away(
    const std::string& person, const std::optional<away_request>& away, const workflow::origin& via)
{
    if (!away_)
        return workflow::error{"unavailable", "Out of office cannot be set on this server."};
    const auto now = clock_.now();
    std::optional<workflow::out_of_office> stored;
    if (away) {
        if (away->until && *away->until <= now)
            return workflow::error{"bad_date", "The day you are back must be in the future."};
        if (!away->delegate.empty() && live_.now()->directory.find(away->delegate) == workflow::no_person)
            return workflow::error{"unknown_delegate", "No one in the directory is \"" + away->delegate + "\"."};
        if (away->delegate == person)
            return workflow::error{"bad_delegate", "You cannot be your own delegate."};
        stored = workflow::out_of_office{now, away->until, away->delegate};
    }
    const auto until_s =
        stored && stored->until
            ? std::chrono::duration_cast<std::chrono::seconds>(stored->until->time_since_epoch()).count()
            : 0;
    boost::json::object details{{"until", until_s}, {"delegate", stored ? stored->delegate : std::string()}};
    workflow::audit_event audit{person, stored ? "ooo_set" : "ooo_off", now, "", "", "",
                                boost::json::serialize(details), via};
    if (auto r = away_->set(person, stored, audit); !r)
        return r.error();
    return stored;
}

workflow::result<std::optional<workflow::out_of_office>> access_service::away_of(const std::string& person)
{
    const auto now = clock_.now();
    auto overlay = away_now();
    if (!overlay)
        return overlay.error();
    std::optional<workflow::out_of_office> away;
    if (auto it = overlay->find(person); it != overlay->end())
        away = it->second;
    else if (const auto policy = live_.now(); policy->directory.find(person) != workflow::no_person)
        away = policy->directory.at(policy->directory.find(person)).away;
    if (away && !away->covers(now))
        away.reset();
    return away;
}

workflow::result<workflow::route> access_service::explain(const std::string& person, std::string_view target,
                                                          std::optional<workflow::duration> length)
{
    auto away = away_now();
    if (!away)
        return away.error();
    auto route = workflow::explain(*live_.now(), person, target, length, clock_.now(), &*away);
    // Explained as it would be filed: a resource that does not exist is not "found".
    if (route)
        if (auto missing = resolve_resource(*route))
            return std::move(*missing);
    return route;
}

std::optional<workflow::error> access_service::resolve_resource(workflow::route& route)
{
    if (!route.is_resource || !resources_)
        return std::nullopt;
    // One customer at a time, and only customers that exist: the kind's policy alone does not say which.
    const auto colon = route.target.find(':');
    const auto kind = route.target.substr(0, colon);
    const auto id = route.target.substr(colon + 1);
    auto found = resources_->find(kind, id);
    if (!found)
        return found.error();
    if (!*found)
        return workflow::error{"unknown_resource", "There is no " + kind + " with id \"" + id +
                                                       "\"; resources are uploaded with `checkpoint resources "
                                                       "upload` (PUT /api/v1/resources)."};
    route.target_name = (*found)->display_name == id ? std::string() : (*found)->display_name;
    return std::nullopt;
}

workflow::result<workflow::petition> access_service::get(const std::string& id)
{
    auto p = petitions_.find(id);
    if (!p)
        return p.error();
    if (!*p)
        return workflow::error{"not_found", "There is no request " + id + "."};
    return std::move(**p);
}

workflow::result<std::vector<workflow::petition>> access_service::mine(const std::string& person, std::size_t limit)
{
    workflow::request_log_query q;
    q.person = person;
    q.limit = limit;
    auto page = petitions_.request_log(q);
    if (!page)
        return page.error();
    return std::move(page->petitions);
}

workflow::result<std::vector<workflow::petition>> access_service::awaiting(const std::string& person,
                                                                           std::size_t limit)
{
    // The store keeps only those whose step being decided now names `person` (awaits_decision_from).
    return petitions_.awaiting(person, limit);
}

} // namespace checkpoint::app
