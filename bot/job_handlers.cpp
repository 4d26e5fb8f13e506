#include "bot/job_handlers.hpp"

#include "bot/audit_anchors.hpp"
#include "bot/provisioning_jobs.hpp"
#include "bot/resource_sync.hpp"
#include "bot/slack_jobs.hpp"

namespace checkpoint::bot {

void register_job_handlers(job_runner& runner, service_context& ctx)
{
    register_slack_jobs(runner, ctx);
    register_provisioning_jobs(runner, ctx);
    register_resource_sync(runner, ctx);
    register_audit_anchors(runner, ctx);
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
