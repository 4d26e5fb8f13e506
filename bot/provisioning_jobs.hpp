#pragma once

#include "bot/service_context.hpp"

namespace checkpoint::bot {

// The job kinds that grant and revoke access: provision, release, revoke, expire.
void register_provisioning_jobs(job_runner& runner, service_context& ctx);

} // namespace checkpoint::bot
