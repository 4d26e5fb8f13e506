#include "bot/integrations/log_integration.hpp"

#include "bot/integrations/event_json.hpp"

#include <spdlog/spdlog.h>

namespace checkpoint::bot {

log_integration::log_integration(std::string name) : name_(std::move(name)) {}

delivery_outcome log_integration::deliver(const access_event& event)
{
    spdlog::info("integration {} (log only): {} key {}: {}", name_, bot::name(event.kind), event.idempotency_key,
                 event_body(event));
    // A log receiver lists nothing for pull/update: the catalog keeps what it has.
    return delivery_outcome::done("recorded in the log only (integration " + name_ + " is kind: log)");
}

} // namespace checkpoint::bot
