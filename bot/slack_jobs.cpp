#include "bot/slack_jobs.hpp"

namespace checkpoint::bot {

void register_slack_jobs(job_runner&, service_context&) {}

} // namespace checkpoint::bot
