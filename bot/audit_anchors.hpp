#pragma once

#include "app/jobs.hpp"
#include "bot/service_context.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace checkpoint::bot {

// Anchors the audit chain now (app::anchor_audit: the head recorded, its post to the security channel queued
// in the same write), logs it, and wakes the workers. `trigger`: "schedule", "demand" or "seal".
workflow::result<workflow::audit_anchor> anchor_audit_now(service_context& ctx, std::string trigger, std::string by,
                                                          std::uint64_t sealed = 0);

// The job kind of scheduled anchors (anchor_audit): each run queues the next period's first, then anchors.
void register_audit_anchors(job_runner& runner, service_context& ctx);

// At start-up: queues the anchor at the start of the next period of CHECKPOINT_AUDIT_ANCHOR_EVERY (a no-op
// when it is queued already); says so when scheduled anchors are off.
void schedule_audit_anchors(service_context& ctx);

// The message an anchor is posted as (post_audit_anchor, bot/slack_jobs.cpp).
boost::json::object anchor_message(const app::anchor_payload& a);

// The message a personal token made for someone else is told as in the security channel
// (post_token_notice, bot/slack_jobs.cpp).
boost::json::object token_notice_message(const app::token_notice_payload& n);

// The message a spike in demand is told as in the security channel (post_demand_alert, bot/slack_jobs.cpp):
// what was counted, what it was compared against, and the thresholds.
boost::json::object demand_alert_message(const app::demand_alert_payload& a);

} // namespace checkpoint::bot
