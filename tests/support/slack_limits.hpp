#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace checkpoint::test {

// Checks a message ({text, blocks}) or a view ({type: modal|home, blocks}) against Slack's Block Kit
// limits (shared/slack/REFERENCE.md §7), independently of the renderer's own constants. Returns one
// line per violation, empty when within limits.
std::string slack_limit_violations(const boost::json::value& message_or_view);

} // namespace checkpoint::test
