#pragma once

#include "bot/service_context.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace checkpoint::bot {

// How often each resource kind in checkpoint.yaml is synced with `pull/update` (MANIFESTS.md has no
// per-kind interval, so one for all).
inline constexpr std::chrono::hours resource_sync_interval{1};

// The job kind that sends `pull/update` for one resource kind and upserts the answer into the
// resource store, forgetting what the answer no longer lists. A scheduled run first enqueues the
// next period's run (one idempotency key per kind and period), so the schedule survives failures
// and restarts.
void register_resource_sync(job_runner& runner, service_context& ctx);

// At start-up: makes sure the current period's sync of every kind is queued (a no-op when it is).
void schedule_resource_sync(service_context& ctx);

// On demand (POST /api/v1/resources/sync): queues a sync of `kind` now, or of every kind when
// `kind` is empty. Returns the keys of the queued jobs, or an error naming an unknown kind.
workflow::result<std::vector<std::string>> request_resource_sync(service_context& ctx, const std::string& kind = {});

} // namespace checkpoint::bot
