#include "bot/access_service.hpp"
#include "bot/slack_home.hpp"

#include "storage/effect_jobs.hpp"
#include "storage/petition_ids.hpp"
#include "workflow/route.hpp"

#include <cstdint>
#include <stdexcept>

namespace checkpoint::bot {

namespace {

// Concurrent writers on one petition are rare (two reviewers at once); a few rounds settle them.
constexpr int max_conflict_rounds = 5;

workflow::error conflict_error(const std::string& id)
{
    return {"conflict", "Request " + id + " changed several times while this was being saved; try again."};
}

} // namespace

access_service::access_service(const workflow::manifests& manifests, const workflow::clock& clock,
                               workflow::petition_store& petitions, std::function<void()> wake_workers,
                               workflow::resource_store* resources)
    : manifests_(manifests), clock_(clock), petitions_(petitions), wake_workers_(std::move(wake_workers)),
      resources_(resources)
{
}

workflow::result<workflow::petition> access_service::submit(const std::string& requester,
                                                            const workflow::intent::request& r)
{
    const auto now = clock_.now();
    auto away = away_now();
    if (!away)
        return away.error();
    auto route = workflow::decide(manifests_, {requester, r.target, r.length, r.break_glass}, now, &*away);
    if (!route)
        return route.error();
    if (route->is_resource && resources_) {
        // One customer at a time, and only customers that exist: the kind's policy alone does not say which.
        const auto colon = route->target.find(':');
        const auto kind = route->target.substr(0, colon);
        const auto id = route->target.substr(colon + 1);
        auto found = resources_->find(kind, id);
        if (!found)
            return found.error();
        if (!*found)
            return workflow::error{"unknown_resource", "There is no " + kind + " with id \"" + id +
                                                           "\"; resources are uploaded with `checkpoint resources "
                                                           "upload` (PUT /api/v1/resources)."};
    }
    // Access already held is not refused (overlaps are counted per person and entitlement), but said.
    {
        workflow::request_log_query held;
        held.person = route->requester_id;
        held.target = route->target;
        held.state = workflow::petition_state::active;
        held.limit = 1;
        if (auto page = petitions_.request_log(held); page && !page->petitions.empty()) {
            const auto& p = page->petitions.front();
            route->notes.push_back("You already have active access to " + route->target + " (request " + p.id +
                                   (p.ends_at ? ", until " + workflow::describe_day(*p.ends_at) : std::string()) +
                                   "); this files a second grant. Extending that one may be what you want.");
        }
    }
    // A fresh id per attempt: a collision (vanishingly rare) just draws again.
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto t = workflow::file(*route, {storage::new_petition_id(now), r.reason, r.ticket}, now);
        auto w = storage::plan_write(t, storage::filing_audit(t.petition), now);
        add_home_jobs(w.jobs, nullptr, t.petition, now);
        auto stored = petitions_.file(w);
        if (!stored)
            return stored.error();
        if (*stored == workflow::write_status::applied) {
            if (wake_workers_)
                wake_workers_();
            return t.petition;
        }
    }
    return workflow::error{"conflict", "Could not file the request; try again."};
}

workflow::result<workflow::transition> access_service::act(const std::string& id, const workflow::event& event)
{
    for (int round = 0; round < max_conflict_rounds; ++round) {
        auto p = get(id);
        if (!p)
            return p.error();
        auto t = workflow::apply(*p, event, manifests_.directory);
        if (!t)
            return t.error();
        auto w = storage::plan_write(*t, storage::transition_audit(event, t->petition), clock_.now());
        add_home_jobs(w.jobs, &*p, t->petition, clock_.now());
        auto stored = petitions_.apply(w);
        if (!stored)
            return stored.error();
        if (*stored == workflow::write_status::applied) {
            if (wake_workers_)
                wake_workers_();
            if (on_change_)
                on_change_(t->petition);
            return std::move(*t);
        }
    }
    return conflict_error(id);
}

workflow::result<workflow::transition> access_service::extend(const std::string& id, const std::string& by,
                                                              workflow::duration added, const std::string& reason)
{
    auto p = get(id);
    if (!p)
        return p.error();
    const auto now = clock_.now();
    // Decided on the total, as if it had been asked for at once.
    auto away = away_now();
    if (!away)
        return away.error();
    auto route =
        workflow::decide(manifests_, {p->requester(), p->entitlement(), p->length() + added, false}, now, &*away);
    if (!route)
        return route.error();
    return act(id, workflow::extension_of(by, added, *route, now, reason));
}

workflow::result<workflow::away_overlay> access_service::away_now()
{
    if (!away_)
        return workflow::away_overlay{};
    return away_();
}

void access_service::use_away_overlay(std::function<workflow::result<workflow::away_overlay>()> source)
{
    away_ = std::move(source);
}

workflow::result<workflow::route> access_service::explain(const std::string& person, std::string_view target,
                                                          std::optional<workflow::duration> length)
{
    auto away = away_now();
    if (!away)
        return away.error();
    return workflow::explain(manifests_, person, target, length, clock_.now(), &*away);
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

} // namespace checkpoint::bot
