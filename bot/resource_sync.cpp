#include "bot/resource_sync.hpp"

#include "bot/integrations/pulled_resources.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <memory>
#include <set>
#include <vector>
#include <string_view>

namespace checkpoint::bot {

namespace {


// Only a webhook answers pull/update with a list; a log or exec integration lists nothing, and
// reading "nothing" as "everything is gone" would empty the catalog.
bool can_list(const workflow::settings& settings, const workflow::resource_kind& rk)
{
    const auto* integ = settings.find_integration(rk.integration);
    return integ && integ->kind == workflow::integration_kind::webhook;
}

std::int64_t period_of(workflow::time_point t)
{
    return std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() /
           resource_sync_interval.count();
}

workflow::time_point start_of(std::int64_t period)
{
    return workflow::time_point{std::chrono::duration_cast<workflow::time_point::duration>(
        std::chrono::hours{period * resource_sync_interval.count()})};
}

std::string period_key(std::string_view kind, std::int64_t period)
{
    return "sync/" + std::string(kind) + "/" + std::to_string(period);
}

workflow::result<workflow::job> enqueue_period(service_context& ctx, const std::string& kind, std::int64_t period,
                                               workflow::time_point now)
{
    const auto at = std::max(start_of(period), now);
    return ctx.jobs.enqueue(app::job(app::job_kind::sync_resources, period_key(kind, period),
                                     app::encode(app::sync_payload{kind, period}), at),
                            now);
}

job_outcome sync(service_context& ctx, const workflow::job& j)
{
    auto payload = app::sync_of(j);
    if (!payload)
        return job_outcome::failed(payload.error().message);
    const std::string& kind = payload->kind;
    const auto policy = ctx.policy.now();
    const auto* rk = policy->settings.find_resource(kind);
    if (!rk)
        return job_outcome::failed("no resource kind '" + kind + "' in checkpoint.yaml any more");
    const auto now = ctx.clock.now();
    if (payload->period) {
        // The next period first, so a failure here never ends the schedule.
        if (auto next = enqueue_period(ctx, kind, *payload->period + 1, now); !next)
            return job_outcome::retry("cannot schedule the next sync of " + kind + ": " + next.error().message);
    }
    if (!can_list(policy->settings, *rk))
        return job_outcome::done();
    auto it = ctx.integrations.find(rk->integration);
    if (it == ctx.integrations.end() || !it->second)
        return job_outcome::failed("no integration named '" + rk->integration + "' for resource kind " + kind);

    access_event e;
    e.kind = event_kind::pull_update;
    e.resource.kind = kind;
    e.timestamp = now;
    e.idempotency_key = j.key;
    auto d = it->second->deliver(e);
    if (d.is_retry()) {
        std::optional<workflow::duration> after;
        if (d.retry_after)
            after = std::chrono::duration_cast<workflow::duration>(*d.retry_after);
        return job_outcome::retry(d.message.empty() ? std::string("pull/update will be retried") : d.message, after);
    }
    auto audit = [&](std::string action, std::string reason, boost::json::object details) {
        details["kind"] = kind;
        details["integration"] = rk->integration;
        workflow::audit_event a{"checkpoint", std::move(action), now, std::move(reason), "resource_kind", kind,
                                boost::json::serialize(details)};
        if (auto r = ctx.audit.append(a); !r)
            spdlog::error("resources: cannot audit the sync of {}: {}", kind, r.error().message);
    };
    if (d.is_permanent_failure()) {
        spdlog::error("resources: pull/update of {} through {} failed: {}", kind, rk->integration, d.message);
        audit("resource_sync_failed", d.message, {});
        return job_outcome::failed(d.message);
    }

    std::size_t other_kind = 0;
    std::set<std::string> seen;
    std::vector<workflow::resource> rows;
    rows.reserve(d.resources.size());
    for (const auto& r : d.resources) {
        // One kind per sync: a row of another kind is the receiver's mistake, not an update.
        if (r.kind != kind || !seen.insert(r.id).second) {
            ++other_kind;
            continue;
        }
        rows.push_back(catalog_row(r, now));
    }
    // All of them in one transaction: one fsync for the list, not one per row.
    if (auto u = ctx.resources.upsert_all(rows); !u)
        return job_outcome::retry("cannot store the " + std::to_string(rows.size()) + " " + kind +
                                  " resources listed: " + u.error().message);
    const std::size_t upserted = rows.size();
    auto removed = ctx.resources.remove_stale(kind, now);
    if (!removed)
        return job_outcome::retry("cannot forget stale " + kind + " resources: " + removed.error().message);
    spdlog::info("resources: synced {} from {}: {} listed, {} no longer listed and forgotten{}", kind,
                 rk->integration, upserted, *removed,
                 other_kind ? ", " + std::to_string(other_kind) + " skipped (another kind or a repeated id)" : "");
    audit("resources_synced", d.message,
          {{"listed", upserted}, {"forgotten", *removed}, {"skipped", other_kind}});
    return job_outcome::done();
}

} // namespace

void register_resource_sync(job_runner& runner, service_context& ctx)
{
    runner.handle(app::job_kind::sync_resources, {[&ctx](const workflow::job& j) { return sync(ctx, j); }, {}});
}

void schedule_resource_sync(service_context& ctx)
{
    const auto now = ctx.clock.now();
    const auto policy = ctx.policy.now();
    for (const auto& rk : policy->settings.resources) {
        if (!can_list(policy->settings, rk))
            continue;
        if (auto r = enqueue_period(ctx, rk.kind, period_of(now), now); !r)
            spdlog::error("resources: cannot schedule the sync of {}: {}", rk.kind, r.error().message);
    }
    ctx.runner.wake();
}

workflow::result<std::vector<std::string>> request_resource_sync(service_context& ctx, const std::string& kind)
{
    const auto policy = ctx.policy.now();
    std::vector<const workflow::resource_kind*> kinds;
    if (kind.empty()) {
        for (const auto& rk : policy->settings.resources)
            if (can_list(policy->settings, rk))
                kinds.push_back(&rk);
    } else {
        const auto* rk = policy->settings.find_resource(kind);
        if (!rk)
            return workflow::error{"unknown_kind", "No resource kind '" + kind.substr(0, 64) +
                                                       "' in checkpoint.yaml; its resources: section lists them."};
        if (!can_list(policy->settings, *rk))
            return workflow::error{"not_syncable", "Resources of kind '" + kind + "' come from integration '" +
                                                       rk->integration +
                                                       "', which is not a webhook and cannot list them; upload them "
                                                       "instead."};
        kinds.push_back(rk);
    }
    const auto now = ctx.clock.now();
    const auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::vector<std::string> keys;
    for (const auto* rk : kinds) {
        auto spec = app::job(app::job_kind::sync_resources, "sync/" + rk->kind + "/now/" + std::to_string(stamp),
                             app::encode(app::sync_payload{rk->kind, std::nullopt}), now);
        auto r = ctx.jobs.enqueue(spec, now);
        if (!r)
            return r.error();
        keys.push_back(spec.key);
    }
    ctx.runner.wake();
    return keys;
}

} // namespace checkpoint::bot
