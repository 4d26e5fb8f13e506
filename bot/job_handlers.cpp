#include "bot/job_handlers.hpp"

#include "bot/audit_anchors.hpp"
#include "bot/provisioning_jobs.hpp"
#include "bot/resource_sync.hpp"
#include "bot/slack_jobs.hpp"
#include "app/effect_jobs.hpp"

#include <spdlog/spdlog.h>

namespace checkpoint::bot {

void register_job_handlers(job_runner& runner, service_context& ctx)
{
    register_slack_jobs(runner, ctx);
    register_provisioning_jobs(runner, ctx);
    register_resource_sync(runner, ctx);
    register_audit_anchors(runner, ctx);
}

void tell_deprecated_holders(service_context& ctx)
{
    auto jobs = app::deprecation_notice_jobs(ctx.manifests.catalog, ctx.petitions, ctx.clock.now());
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
