#include "bot/job_handlers.hpp"

#include "bot/audit_anchors.hpp"
#include "bot/provisioning_jobs.hpp"
#include "bot/resource_sync.hpp"
#include "bot/slack_jobs.hpp"
#include "app/demand.hpp"
#include "app/effect_jobs.hpp"

#include <spdlog/spdlog.h>

namespace checkpoint::bot {

namespace {

// After a filing for a watched target (app::demand_check_job): a spike queues its alert, once per window.
job_outcome check_demand(service_context& ctx, const workflow::job& j)
{
    auto pl = app::demand_check_of(j);
    if (!pl)
        return job_outcome::failed(pl.error().message);
    const auto policy = ctx.policy.now();
    auto checked = app::check_demand(*pl, policy->settings, ctx.petitions, ctx.audit, ctx.clock.now());
    if (!checked)
        return job_outcome::retry("cannot check the demand for " + pl->target + ": " + checked.error().message);
    if (checked->told) {
        spdlog::warn("anomaly: {} requests for {} in {}, against a usual {}; telling {}", checked->spike->count,
                     pl->target, workflow::describe_duration(policy->settings.demand_alert.window),
                     workflow::format_usual(checked->spike->usual), policy->settings.security_channel);
        ctx.runner.wake();
    }
    return job_outcome::done();
}

} // namespace

void register_job_handlers(job_runner& runner, service_context& ctx)
{
    runner.handle(app::job_kind::check_demand, {[&ctx](const workflow::job& j) { return check_demand(ctx, j); }, {}});
    register_slack_jobs(runner, ctx);
    register_provisioning_jobs(runner, ctx);
    register_resource_sync(runner, ctx);
    register_audit_anchors(runner, ctx);
}

void tell_deprecated_holders(service_context& ctx)
{
    auto jobs = app::deprecation_notice_jobs(ctx.policy.now()->catalog, ctx.petitions, ctx.clock.now());
    if (!jobs) {
        spdlog::error("deprecation: cannot list the holders of deprecated bundles: {}", jobs.error().message);
        return;
    }
    for (const auto& spec : *jobs) {
        // Kept when queued before (an earlier start told them): each holder hears it once.
        if (auto j = ctx.jobs.enqueue(spec, ctx.clock.now()); !j)
            spdlog::error("deprecation: cannot queue {}: {}", spec.key, j.error().message);
    }
    if (!jobs->empty())
        spdlog::info("deprecation: {} live grants of deprecated bundles; each holder is told once", jobs->size());
    ctx.runner.wake();
}

std::vector<app::job_kind> jobs_without_handler(const job_runner& runner)
{
    std::vector<app::job_kind> missing;
    for (auto k : app::all_job_kinds)
        if (!runner.handles(app::name(k)))
            missing.push_back(k);
    return missing;
}

} // namespace checkpoint::bot
