#include "bot/provisioning_jobs.hpp"

namespace checkpoint::bot {

void register_provisioning_jobs(job_runner&, service_context&) {}

} // namespace checkpoint::bot
