#pragma once

#include "workflow/job_queue.hpp"
#include "workflow/petition.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot {

// The App Home tab: published by a durable "publish_home" job (bot/slack_jobs.cpp) when a person opens it, and again for
// everyone a change concerns, so it always shows their access, their open requests and what waits on them.
inline constexpr std::string_view publish_home_kind = "publish_home";

// One pending job per Slack user or person (a later one replaces it: the job reads the state when it runs).
workflow::job_spec home_job_for_slack_user(std::string_view slack_user_id, workflow::time_point now);
workflow::job_spec home_job_for_person(std::string_view person_id, workflow::time_point now);

// Appends the home jobs of everyone `after` concerns (and `before`, when reviewers changed) to `jobs`.
void add_home_jobs(std::vector<workflow::job_spec>& jobs, const workflow::petition* before,
                   const workflow::petition& after, workflow::time_point now);

} // namespace checkpoint::bot
