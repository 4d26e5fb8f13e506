#pragma once

#include "workflow/error.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace checkpoint::blocks {

// The one place that turns a domain error into the words a person reads in Slack (mrkdwn, escaped).
std::string error_text(const workflow::error& e);

// The same words as an ephemeral reply.
boost::json::object error_reply(const workflow::error& e);

} // namespace checkpoint::blocks
