#include "bot/access_service.hpp"

#include "storage/effect_jobs.hpp"
#include "workflow/route.hpp"

#include <openssl/rand.h>

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

std::string new_petition_id(workflow::time_point now)
{
    // Crockford-style lowercase base 32 keeps ids sortable by time: new rows share index pages.
    static constexpr char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
    std::string id(2 + 9 + 5, '0');
    id[0] = 'p';
    id[1] = '-';
    for (int i = 10; i >= 2; --i) {
        id[static_cast<std::size_t>(i)] = alphabet[ms % 32];
        ms /= 32;
    }
    unsigned char bytes[5];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    for (std::size_t i = 0; i < 5; ++i)
        id[11 + i] = alphabet[bytes[i] % 32];
    return id;
}

bool reviews_current_step(const workflow::petition& p, const std::string& person)
{
    if (p.state == workflow::petition_state::pending) {
        const auto& steps = p.route.steps;
        return p.progress.step < steps.size() && steps[p.progress.step].has_reviewer(person);
    }
    if (p.pending_extension) {
        const auto& steps = p.pending_extension->route.steps;
        const auto k = p.pending_extension->progress.step;
        return k < steps.size() && steps[k].has_reviewer(person);
    }
    return false;
}

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
    auto route = workflow::decide(manifests_, {requester, r.target, r.length, r.break_glass}, now);
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
    // A fresh id per attempt: a collision (vanishingly rare) just draws again.
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto t = workflow::file(*route, {new_petition_id(now), r.reason, r.ticket}, now);
        auto w = storage::plan_write(t, storage::filing_audit(t.petition), now);
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
    auto route = workflow::decide(manifests_, {p->requester(), p->entitlement(), p->length() + added, false}, now);
    if (!route)
        return route.error();
    return act(id, workflow::extension_of(by, added, *route, now, reason));
}

workflow::result<workflow::petition> access_service::get(const std::string& id)
{
    auto p = petitions_.find(id);
    if (!p)
        return p.error();
    if (!*p)
        return workflow::error{"not_found", "There is no request " + id + ". `/checkpoint mine` lists yours."};
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
    auto all = petitions_.awaiting(person, limit);
    if (!all)
        return all.error();
    std::vector<workflow::petition> now_mine;
    for (auto& p : *all)
        if (reviews_current_step(p, person))
            now_mine.push_back(std::move(p));
    return now_mine;
}

} // namespace checkpoint::bot
