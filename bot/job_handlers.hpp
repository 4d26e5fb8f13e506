#pragma once

#include "bot/service_context.hpp"

namespace checkpoint::bot {

// Registers the handler of every kind of the outbox (app::job_kind), the one table main uses: Slack
// (bot/slack_jobs), provisioning (bot/provisioning_jobs) and resource sync (bot/resource_sync); the
// runner handles `gave_up` itself. Each kind has exactly one handler; jobs_without_handler() lists any
// that has none.
void register_job_handlers(job_runner& runner, service_context& ctx);

// At start (and after a reload): tells each holder of live access to a deprecated bundle, once ever, that
// it is deprecated and what succeeds it (app::deprecation_notice_jobs), and wakes the workers.
void tell_deprecated_holders(service_context& ctx);

// The kinds `runner` has no handler for (empty when every kind is covered).
std::vector<app::job_kind> jobs_without_handler(const job_runner& runner);

} // namespace checkpoint::bot
