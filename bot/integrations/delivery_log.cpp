#include "bot/integrations/delivery_log.hpp"

#include <spdlog/spdlog.h>

namespace checkpoint::bot {

void log_delivery(std::string_view integration, const access_event& event, const delivery_outcome& outcome)
{
    if (outcome.is_done())
        spdlog::info("integration {}: {} key {} delivered: {}", integration, name(event.kind), event.idempotency_key,
                     outcome.message);
    else
        spdlog::warn("integration {}: {} key {} {}: {}", integration, name(event.kind), event.idempotency_key,
                     name(outcome.status), outcome.message);
}

} // namespace checkpoint::bot
