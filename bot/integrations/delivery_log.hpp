#pragma once

#include "bot/integrations/access_event.hpp"
#include "bot/integrations/delivery_outcome.hpp"

#include <string_view>

namespace checkpoint::bot {

// One log line per delivery: which integration, event and key, and how it ended. Never the body.
void log_delivery(std::string_view integration, const access_event& event, const delivery_outcome& outcome);

} // namespace checkpoint::bot
