#pragma once

#include "app/jobs.hpp"
#include "workflow/audit_log.hpp"
#include "workflow/catalog.hpp"
#include "workflow/job_queue.hpp"
#include "workflow/petition.hpp"
#include "workflow/petition_store.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::app {

// Where effects become jobs: the one place that turns a transition's effects into the outbox rows
// written with it.


std::string_view name(workflow::effect_kind k);
// Notices are named by the workflow (workflow::name, workflow::parse_notice).
using workflow::name;

// Keys of the jobs a petition schedules, stable across transitions so a later one moves or cancels them.
std::string expiry_key(std::string_view petition_id);
std::string reminder_key(std::string_view petition_id, std::size_t step, workflow::notice what);
// The lane of the messages to one person or channel (workflow::job_spec::lane).
std::string message_lane(std::string_view destination);
std::string revoke_key(std::string_view person, std::string_view entitlement, std::string_view petition_id);

// The petition_write for `t`: its jobs (one per effect; keyed by petition, version and position, so a
// retried write enqueues nothing twice; schedules replace earlier ones; cancel_expiry cancels) and `audit`.
workflow::petition_write plan_write(const workflow::transition& t, workflow::audit_event audit,
                                    workflow::time_point now);

// The audit event of filing `p`: the requester files it, for the route's reason, by the rule that applied.
workflow::audit_event filing_audit(const workflow::petition& p, const workflow::origin& via);
// The audit event of `e` moving a petition to `after`.
workflow::audit_event transition_audit(const workflow::event& e, const workflow::petition& after);

// The App Home tab: published by a durable publish_home job (bot/slack_jobs.cpp) when a person opens it, and
// again for everyone a change concerns, so it always shows their access, their open requests and what waits on them.

// One pending job per Slack user or person (a later one replaces it: the job reads the state when it runs).
workflow::job_spec home_job_for_slack_user(std::string_view slack_user_id, workflow::time_point now);
workflow::job_spec home_job_for_person(std::string_view person_id, workflow::time_point now);

// Appends the home jobs of everyone `after` concerns (and `before`, when reviewers changed) to `jobs`.
void add_home_jobs(std::vector<workflow::job_spec>& jobs, const workflow::petition* before,
                   const workflow::petition& after, workflow::time_point now);

// A revoke job for when the last covering grant ends.
workflow::job_spec revoke_job(std::string_view person, std::string_view entitlement, std::string_view petition_id,
                              workflow::time_point now);

// The DMs that tell each holder of live access to a deprecated bundle (approved, being set up, or active)
// that it is deprecated and what succeeds it: one notify_person job per petition, keyed so that it is
// queued once however often this runs (each start, each reload).
workflow::result<std::vector<workflow::job_spec>> deprecation_notice_jobs(const workflow::catalog& bundles,
                                                                          workflow::petition_store& petitions,
                                                                          workflow::time_point now);

} // namespace checkpoint::app
