#include "bot/provisioning_jobs.hpp"
#include "bot/json_fields.hpp"

#include <variant>

#include "app/effect_jobs.hpp"
#include "app/jobs.hpp"
#include "workflow/petition_json.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot {

namespace {

using workflow::petition;
using workflow::petition_state;

// Members of one team told of a failed grant, at most.
constexpr std::size_t max_told_per_team = 25;
// How long a worker waits for a delivery slot before putting the job off.
constexpr auto slot_wait = std::chrono::seconds{2};
// How long a job waits when its integration is at the limit.
constexpr auto busy_pause = std::chrono::seconds{1};

// Counts deliveries in flight per integration name, up to its max_in_flight. A worker that finds
// its integration at the limit waits (briefly) for a slot: putting the job off would cost two
// writes and a second lease.
class in_flight_limiter {
public:
    bool try_acquire(const std::string& name, std::size_t limit)
    {
        std::unique_lock lock(mutex_);
        auto& n = counts_[name];
        if (!freed_.wait_for(lock, slot_wait, [&] { return n < limit; }))
            return false;
        ++n;
        return true;
    }

    void release(const std::string& name)
    {
        {
            std::lock_guard lock(mutex_);
            if (auto it = counts_.find(name); it != counts_.end() && it->second > 0)
                --it->second;
        }
        freed_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable freed_;
    std::map<std::string, std::size_t, std::less<>> counts_;
};

// One delivery slot, given back on every path out.
class in_flight_slot {
public:
    in_flight_slot(in_flight_limiter& limiter, std::string name, std::size_t limit)
        : limiter_(limiter), name_(std::move(name)), held_(limiter_.try_acquire(name_, limit))
    {
    }
    ~in_flight_slot()
    {
        if (held_)
            limiter_.release(name_);
    }
    in_flight_slot(const in_flight_slot&) = delete;
    in_flight_slot& operator=(const in_flight_slot&) = delete;

    bool held() const noexcept { return held_; }

private:
    in_flight_limiter& limiter_;
    std::string name_;
    bool held_;
};

job_outcome retry_from(const delivery_outcome& d)
{
    std::optional<workflow::duration> after;
    if (d.retry_after)
        after = std::chrono::duration_cast<workflow::duration>(*d.retry_after);
    return job_outcome::retry(d.message.empty() ? std::string("delivery will be retried") : d.message, after);
}

bool has_code(const workflow::error& e, std::string_view code) { return e.code == code; }

class provisioning_jobs {
public:
    explicit provisioning_jobs(service_context& ctx) : ctx_(ctx) {}

    // The petition a job's payload names, or what to report when it cannot be read.
    std::variant<workflow::petition, job_outcome> petition_of(const workflow::job& j);
    job_outcome provision(const workflow::job& j);
    // An approved extension: the live grant sent again with its new end (access/grant, its own key).
    job_outcome send_new_end(const workflow::job& j, const petition& p);
    // `after`: what came late, for the revoke's own key ("grant", "new-end").
    job_outcome revoke_late_grant(const petition& p, workflow::time_point at, std::string_view after = "grant");
    job_outcome provision_gave_up(const workflow::job& j, const std::string& last_error);
    job_outcome expire(const workflow::job& j);
    job_outcome release(const workflow::job& j);
    job_outcome revoke(const workflow::job& j);
    job_outcome revoke_gave_up(const workflow::job& j, const std::string& last_error);

private:
    // Marks `id` failed (if it is still being granted) and tells the owning and platform teams; the
    // transition itself tells the requester. Safe to repeat: the jobs are keyed per person.
    job_outcome mark_failed(const std::string& id, const std::string& reason);
    // DMs the owning and platform teams (not the requester) `what`: a failed grant or revoke.
    // Retry when a notice could not be queued.
    job_outcome tell_teams(const petition& p, workflow::notice what);
    job_outcome tell_teams_revoke_failed(const std::string& id);
    workflow::time_point now() const { return ctx_.clock.now(); }

    std::string integration_of(const petition& p) const;
    event_person person_of(const std::string& id) const;
    event_actor actor_of(const petition& p, bool revoking) const;
    event_resource resource_of(const workflow::route& r) const;
    access_event make_event(event_kind kind, const petition& p, const std::string& person,
                            const std::string& key, workflow::time_point at) const;
    // Nothing when the integration is at its limit; then busy() is the outcome.
    std::optional<delivery_outcome> deliver(const std::string& integration_name, const access_event& e);
    job_outcome busy(const std::string& integration_name) const;
    std::size_t max_in_flight(const std::string& integration_name) const;
    void audit(std::string action, const std::string& petition_id, std::string reason, boost::json::object details);

    service_context& ctx_;
    in_flight_limiter limiter_;
};

std::string provisioning_jobs::integration_of(const petition& p) const
{
    if (!p.route.integration.empty() || p.route.is_resource)
        return p.route.integration;
    const auto policy = ctx_.policy.now();
    if (const auto* b = policy->catalog.find(p.route.target))
        return b->provision.integration;
    return {};
}

event_person provisioning_jobs::person_of(const std::string& id) const
{
    const auto policy = ctx_.policy.now();
    const auto& dir = policy->directory;
    const auto i = dir.find(id);
    if (i == workflow::no_person)
        return {id, {}, {}};
    const auto& who = dir.at(i);
    return {who.id, who.email, who.name};
}

event_actor provisioning_jobs::actor_of(const petition& p, bool revoking) const
{
    std::string by;
    if (revoking) {
        if (p.state == petition_state::revoked)
            by = p.closed_by;
    } else if (p.route.outcome != workflow::route_outcome::auto_approved) {
        for (auto it = p.decisions.rbegin(); it != p.decisions.rend(); ++it)
            if (it->approved) {
                by = it->by;
                break;
            }
    }
    if (by.empty() || by == "checkpoint")
        return event_actor::system();
    auto who = person_of(by);
    return event_actor::user(std::move(who.id), std::move(who.email), std::move(who.display_name));
}

event_resource provisioning_jobs::resource_of(const workflow::route& r) const
{
    if (r.is_resource) {
        const auto colon = r.target.find(':');
        event_resource out{r.target.substr(0, colon), colon == std::string::npos ? r.target : r.target.substr(colon + 1),
                           {}, {}};
        out.display_name = out.id;
        if (auto found = ctx_.resources.find(out.kind, out.id); found && *found) {
            if (!(*found)->display_name.empty())
                out.display_name = (*found)->display_name;
            boost::system::error_code ec;
            auto labels = boost::json::parse((*found)->labels, ec);
            if (!ec && labels.is_object())
                for (const auto& [k, v] : labels.as_object())
                    if (v.is_string())
                        out.labels.emplace_back(std::string(k), std::string(v.as_string()));
        }
        return out;
    }
    const auto policy = ctx_.policy.now();
    if (const auto* b = policy->catalog.find(r.target))
        return resource_from(*b);
    return {"bundle", r.target, r.target, {}};
}

access_event provisioning_jobs::make_event(event_kind kind, const petition& p, const std::string& person,
                                           const std::string& key, workflow::time_point at) const
{
    access_event e;
    e.kind = kind;
    e.actor = actor_of(p, kind == event_kind::revoke);
    e.person = person_of(person);
    e.resource = resource_of(p.route);
    e.petition_id = p.id;
    e.timestamp = at;
    e.idempotency_key = key;
    if (kind == event_kind::grant) {
        e.reason = p.reason;
        // Live access that was extended has its end already; a first grant ends its length from now.
        e.expires_at = p.ends_at ? *p.ends_at : at + p.length();
        e.duration = p.length();
    } else if (p.state == petition_state::expired) {
        e.reason = "expired";
    } else {
        e.reason = p.close_reason.empty() ? std::string(name(p.state)) : p.close_reason;
    }
    return e;
}

std::optional<delivery_outcome> provisioning_jobs::deliver(const std::string& integration_name, const access_event& e)
{
    auto it = ctx_.integrations.find(integration_name);
    if (it == ctx_.integrations.end() || !it->second)
        return delivery_outcome::failed("no integration named '" + integration_name + "' in checkpoint.yaml");
    in_flight_slot slot(limiter_, integration_name, max_in_flight(integration_name));
    if (!slot.held())
        return std::nullopt;
    return it->second->deliver(e);
}

std::size_t provisioning_jobs::max_in_flight(const std::string& integration_name) const
{
    const auto policy = ctx_.policy.now();
    const auto* settings = policy->settings.find_integration(integration_name);
    return settings ? settings->max_in_flight : workflow::integration{}.max_in_flight;
}

job_outcome provisioning_jobs::busy(const std::string& integration_name) const
{
    return job_outcome::retry("busy: " + integration_name + " has " + std::to_string(max_in_flight(integration_name)) +
                                  " deliveries in flight (max_in_flight)",
                              busy_pause);
}

void provisioning_jobs::audit(std::string action, const std::string& petition_id, std::string reason,
                              boost::json::object details)
{
    workflow::audit_event e{"checkpoint", std::move(action), now(), std::move(reason), "integration", petition_id,
                            boost::json::serialize(details)};
    if (auto r = ctx_.audit.append(e); !r)
        spdlog::error("provisioning: cannot audit {} of {}: {}", e.action, petition_id, r.error().message);
}

std::variant<workflow::petition, job_outcome> provisioning_jobs::petition_of(const workflow::job& j)
{
    auto payload = app::effect_of(j);
    if (!payload)
        return job_outcome::failed(payload.error().message);
    const auto id = payload->petition_id;
    auto p = ctx_.access.get(id);
    if (!p) {
        if (has_code(p.error(), "not_found"))
            return job_outcome::failed("no request " + id);
        return job_outcome::retry(p.error().message);
    }
    return std::move(*p);
}

job_outcome provisioning_jobs::provision(const workflow::job& j)
{
    auto loaded = petition_of(j);
    if (auto* o = std::get_if<job_outcome>(&loaded))
        return *o;
    workflow::petition current = std::get<workflow::petition>(std::move(loaded));
    if (auto pl = app::effect_of(j); pl && pl->what == workflow::notice::extended)
        return send_new_end(j, current);
    const workflow::petition* p = &current;
    const std::string id = current.id;
    if (p->state == petition_state::approved) {
        auto t = ctx_.access.act(id, workflow::provisioning_started(now()));
        if (t) {
            current = std::move(t->petition);
        } else if (has_code(t.error(), workflow::petition_error::illegal_transition)) {
            auto again = ctx_.access.get(id);
            if (!again)
                return job_outcome::retry(again.error().message);
            current = std::move(*again);
        } else {
            return job_outcome::retry(t.error().message);
        }
    }
    if (p->state == petition_state::failed) {
        // Marked failed by an earlier run of this job that stopped before it finished telling people.
        return tell_teams(*p, workflow::notice::failed);
    }
    if (p->state == petition_state::revoked && j.attempts > 1) {
        // Revoked while an earlier run of this job was delivering (and then stopped, or found the
        // receiver down): that grant may have landed after the revoke went out.
        return revoke_late_grant(*p, now());
    }
    if (p->state != petition_state::provisioning) {
        spdlog::info("provisioning: {} is {}; nothing to grant", id, name(p->state));
        return job_outcome::done();
    }

    const auto integration_name = integration_of(*p);
    const auto event = make_event(event_kind::grant, *p, p->requester(), j.key, now());
    auto d = deliver(integration_name, event);
    if (!d)
        return busy(integration_name);
    if (d->is_retry())
        return retry_from(*d);
    if (d->is_permanent_failure()) {
        audit("grant_failed", id, d->message,
              {{"integration", integration_name}, {"entitlement", p->entitlement()}, {"output", d->output}});
        if (auto o = mark_failed(id, d->message); o.result == job_outcome::kind::retry)
            return o;
        return job_outcome::failed(d->message);
    }

    const auto at = now();
    if (auto held = ctx_.grants.hold({p->requester(), p->entitlement(), id, at + p->length()}); !held)
        return job_outcome::retry("cannot record the grant: " + held.error().message);
    if (!d->output.empty() || !d->message.empty())
        audit("grant_delivered", id, d->message,
              {{"integration", integration_name}, {"entitlement", p->entitlement()}, {"output", d->output}});
    auto t = ctx_.access.act(id, workflow::provisioned_at(at));
    if (t)
        return job_outcome::done();
    if (!has_code(t.error(), workflow::petition_error::illegal_transition))
        return job_outcome::retry("cannot activate " + id + ": " + t.error().message);
    return revoke_late_grant(*p, at);
}

job_outcome provisioning_jobs::send_new_end(const workflow::job& j, const petition& p)
{
    if (p.state != petition_state::active || !p.ends_at) {
        // Ended since. An earlier attempt may have delivered the grant after the revoke went out.
        if (j.attempts > 1 || j.effect_unknown)
            return revoke_late_grant(p, now(), "new-end");
        spdlog::info("provisioning: {} is {}; no new end to send", p.id, name(p.state));
        return job_outcome::done();
    }
    const auto integration_name = integration_of(p);
    auto d = deliver(integration_name, make_event(event_kind::grant, p, p.requester(), j.key, now()));
    if (!d)
        return busy(integration_name);
    if (d->is_retry())
        return retry_from(*d);
    const boost::json::object details{{"integration", integration_name},
                                      {"entitlement", p.entitlement()},
                                      {"ends_at", workflow::to_millis(*p.ends_at)},
                                      {"output", d->output}};
    if (d->is_permanent_failure()) {
        // The access stays granted here until its new end; the receiver may still hold the old one.
        spdlog::error("provisioning: the new end of {} was refused by {}: {}", p.id, integration_name, d->message);
        audit("extension_delivery_failed", p.id, d->message, details);
        return job_outcome::failed(d->message);
    }
    audit("extension_delivered", p.id, d->message, details);
    // Revoked (or ended) while the grant was on its way: the revoke may have reached the receiver first.
    auto after = ctx_.access.get(p.id);
    if (!after)
        return job_outcome::retry("cannot read " + p.id + " after sending its new end: " + after.error().message);
    if (after->state != petition_state::active)
        return revoke_late_grant(*after, now(), "new-end");
    return job_outcome::done();
}

job_outcome provisioning_jobs::revoke_late_grant(const petition& p, workflow::time_point at, std::string_view after)
{
    // Revoked while the grant was on its way: the revoke may have gone out before the grant landed,
    // so take it back again (a key of its own, since the first revoke job may already be done).
    // Still only when no other grant covers the access.
    spdlog::warn("provisioning: {} ended while being granted; revoking the late grant", p.id);
    auto late = app::revoke_job(p.requester(), p.entitlement(), p.id, at);
    late.key += "/after-" + std::string(after);
    if (auto r = ctx_.grants.release(p.requester(), p.entitlement(), p.id, late, at); !r)
        return job_outcome::retry("cannot release the late grant: " + r.error().message);
    ctx_.runner.wake();
    return job_outcome::done();
}

job_outcome provisioning_jobs::provision_gave_up(const workflow::job& j, const std::string& last_error)
{
    auto payload = app::effect_of(j);
    if (!payload)
        return job_outcome::failed(payload.error().message);
    const auto id = payload->petition_id;
    const auto reason = "gave up after retrying: " + last_error;
    spdlog::error("provisioning: {} {}", id, reason);
    if (payload->what == workflow::notice::extended) {
        // Only the new end was undelivered: the access itself stands.
        audit("extension_delivery_failed", id, reason, {{"job", j.key}, {"attempts", j.attempts}});
        return job_outcome::done();
    }
    audit("grant_failed", id, reason, {{"job", j.key}, {"attempts", j.attempts}});
    if (auto p = ctx_.access.get(id); p && p->state == petition_state::approved)
        (void)ctx_.access.act(id, workflow::provisioning_started(now()));
    return mark_failed(id, reason);
}

job_outcome provisioning_jobs::mark_failed(const std::string& id, const std::string& reason)
{
    auto t = ctx_.access.act(id, workflow::provisioning_failed_because(reason, now()));
    if (!t && !has_code(t.error(), workflow::petition_error::illegal_transition)) {
        spdlog::error("provisioning: cannot mark {} failed: {}", id, t.error().message);
        return job_outcome::retry("cannot mark " + id + " failed: " + t.error().message);
    }
    auto p = ctx_.access.get(id);
    if (!p) {
        spdlog::error("provisioning: cannot read {} to tell its teams it failed: {}", id, p.error().message);
        return job_outcome::retry("cannot read " + id + ": " + p.error().message);
    }
    if (p->state == petition_state::failed)
        return tell_teams(*p, workflow::notice::failed);
    ctx_.runner.wake();
    return job_outcome::done();
}

job_outcome provisioning_jobs::tell_teams(const petition& p, workflow::notice what)
{
    const auto policy = ctx_.policy.now();
    const auto& dir = policy->directory;
    std::vector<std::string> told;
    for (const std::string* team : {&p.route.owner_team, &p.route.platform_team}) {
        if (team->empty())
            continue;
        std::size_t n = 0;
        for (auto i : dir.team_members(*team)) {
            // Bounded: a team of hundreds is told through its first members, not flooded.
            if (n++ == max_told_per_team)
                break;
            const auto& person = dir.at(i).id;
            if (person == p.requester() || std::find(told.begin(), told.end(), person) != told.end())
                continue;
            told.push_back(person);
        }
    }
    const auto at = now();
    const auto notice = app::name(what);
    for (const auto& person : told) {
        workflow::job_spec spec{"notify_person", std::string(notice) + "/" + p.id + "/" + person,
                                boost::json::serialize(boost::json::object{
                                    {"petition_id", p.id}, {"notice", notice}, {"to", person}}),
                                at, workflow::on_duplicate::keep};
        // Keyed per person: a retry enqueues only who is missing.
        if (auto r = ctx_.jobs.enqueue(spec, at); !r)
            return job_outcome::retry("cannot tell " + person + " of " + std::string(notice) + " for " + p.id + ": " +
                                      r.error().message);
    }
    spdlog::warn("provisioning: {} of {}; telling {} member(s) of {} and {}", app::name(what), p.id, told.size(),
                 p.route.owner_team.empty() ? std::string("(no owner team)") : p.route.owner_team,
                 p.route.platform_team);
    ctx_.runner.wake();
    return job_outcome::done();
}

job_outcome provisioning_jobs::tell_teams_revoke_failed(const std::string& id)
{
    auto p = ctx_.access.get(id);
    if (p)
        return tell_teams(*p, workflow::notice::revoke_failed);
    if (has_code(p.error(), "not_found"))
        return job_outcome::failed("no request " + id + " to tell its teams of");
    return job_outcome::retry("cannot read " + id + " to tell its teams a revoke failed: " + p.error().message);
}

job_outcome provisioning_jobs::expire(const workflow::job& j)
{
    auto payload = app::effect_of(j);
    if (!payload)
        return job_outcome::failed(payload.error().message);
    const auto id = payload->petition_id;
    auto t = ctx_.access.act(id, workflow::expire_at(now()));
    if (t)
        return job_outcome::done();
    const auto& e = t.error();
    if (has_code(e, workflow::petition_error::not_due)) {
        // Extended: a later expiry is scheduled; keep the ledger's end in step with it. Only moved,
        // never re-added: a revoke that lands meanwhile has released it for good.
        if (auto p = ctx_.access.get(id); p && p->state == petition_state::active && p->ends_at)
            if (auto held = ctx_.grants.move_end({p->requester(), p->entitlement(), id, *p->ends_at}); !held)
                spdlog::warn("provisioning: cannot move the end of {}'s grant: {}", id, held.error().message);
        return job_outcome::done();
    }
    // Already ended, or gone: nothing to do.
    if (has_code(e, workflow::petition_error::not_due) || has_code(e, workflow::petition_error::illegal_transition) ||
        has_code(e, "not_found"))
        return job_outcome::done();
    return job_outcome::retry(e.message);
}

job_outcome provisioning_jobs::release(const workflow::job& j)
{
    auto loaded = petition_of(j);
    if (auto* o = std::get_if<job_outcome>(&loaded))
        return *o;
    const workflow::petition* p = &std::get<workflow::petition>(loaded);
    const std::string& id = p->id;
    const auto at = now();
    auto last = ctx_.grants.release(p->requester(), p->entitlement(), id,
                                    app::revoke_job(p->requester(), p->entitlement(), id, at), at);
    if (!last)
        return job_outcome::retry("cannot release: " + last.error().message);
    if (*last) {
        spdlog::info("provisioning: {} released the last grant of {} to {}; revoking", id, p->entitlement(),
                     p->requester());
        ctx_.runner.wake();
    } else {
        spdlog::info("provisioning: {} released; another grant still covers {} for {}", id, p->entitlement(),
                     p->requester());
    }
    return job_outcome::done();
}

job_outcome provisioning_jobs::revoke(const workflow::job& j)
{
    auto payload = app::revoke_of(j);
    if (!payload)
        return job_outcome::failed(payload.error().message);
    const auto& [person, entitlement, id] = *payload;
    auto p = ctx_.access.get(id);
    if (!p) {
        if (!has_code(p.error(), "not_found"))
            return job_outcome::retry(p.error().message);
        const auto why = "cannot revoke " + entitlement + " from " + person + ": request " + id + " is gone";
        spdlog::error("provisioning: {}", why);
        audit("revoke_failed", id, why, {{"person", person}, {"entitlement", entitlement}});
        return job_outcome::failed(why);
    }
    // A grant that started covering it since the release keeps the access.
    if (auto held = ctx_.grants.holdings_of(person); !held) {
        return job_outcome::retry(held.error().message);
    } else {
        for (const auto& h : *held)
            // Its own holding never covers it: a request that ended has nothing to keep.
            if (h.entitlement == entitlement && h.petition != id) {
                spdlog::info("provisioning: not revoking {} from {}: {} covers it now", entitlement, person,
                             h.petition);
                return job_outcome::done();
            }
    }

    const auto integration_name = integration_of(*p);
    const auto event = make_event(event_kind::revoke, *p, person, j.key, now());
    auto d = deliver(integration_name, event);
    if (!d)
        return busy(integration_name);
    if (d->is_retry())
        return retry_from(*d);
    boost::json::object details{{"integration", integration_name},
                                {"person", person},
                                {"entitlement", entitlement},
                                {"output", d->output}};
    if (d->is_permanent_failure()) {
        spdlog::error("provisioning: REVOKE FAILED for good: {} still has {} (request {}, integration {}): {}", person,
                      entitlement, id, integration_name, d->message);
        audit("revoke_failed", id, d->message, std::move(details));
        if (auto told = tell_teams(*p, workflow::notice::revoke_failed); told.result == job_outcome::kind::retry)
            return told;
        return job_outcome::failed(d->message);
    }
    spdlog::info("provisioning: revoked {} from {} (request {})", entitlement, person, id);
    audit("revoke_delivered", id, d->message, std::move(details));
    return job_outcome::done();
}

job_outcome provisioning_jobs::revoke_gave_up(const workflow::job& j, const std::string& last_error)
{
    auto payload = app::revoke_of(j);
    if (!payload)
        return job_outcome::failed(payload.error().message);
    const auto& [person, entitlement, id] = *payload;
    spdlog::error("provisioning: REVOKE GAVE UP: {} still has {} (request {}): {}", person, entitlement, id,
                  last_error);
    audit("revoke_failed", id, "gave up after retrying: " + last_error,
          {{"person", person}, {"entitlement", entitlement}});
    return tell_teams_revoke_failed(id);
}

} // namespace

void register_provisioning_jobs(job_runner& runner, service_context& ctx)
{
    auto jobs = std::make_shared<provisioning_jobs>(ctx);
    runner.handle(app::job_kind::provision, {[jobs](const workflow::job& j) { return jobs->provision(j); },
                                [jobs](const workflow::job& j, const std::string& e) { return jobs->provision_gave_up(j, e); }});
    runner.handle(app::job_kind::expire,
                  {[jobs](const workflow::job& j) { return jobs->expire(j); }, {}});
    // Transitions release their grants in their own transaction now; this runs the release jobs a
    // database written by an earlier checkpointd may still hold.
    runner.handle(app::job_kind::release, {[jobs](const workflow::job& j) { return jobs->release(j); }, {}});
    runner.handle(app::job_kind::revoke,
                  {[jobs](const workflow::job& j) { return jobs->revoke(j); },
                   [jobs](const workflow::job& j, const std::string& e) { return jobs->revoke_gave_up(j, e); }});
}

} // namespace checkpoint::bot
