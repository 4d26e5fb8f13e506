#pragma once

#include "bot/service_context.hpp"

namespace checkpoint::bot {

// The job kinds that talk to Slack: notify_person, notify_channel, post_card, update_cards, remind, post_audit_anchor, …
void register_slack_jobs(job_runner& runner, service_context& ctx);

} // namespace checkpoint::bot
