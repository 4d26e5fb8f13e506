#pragma once

#include "bot/integrations/access_event.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <string>

namespace checkpoint::bot {


// One element of `events`, keys in the order MANIFESTS.md shows them.
boost::json::object event_object(const access_event& event);

// The exact bytes sent to a webhook and to a command's stdin: `{"events":[{…}]}`.
std::string event_body(const access_event& event);

} // namespace checkpoint::bot
