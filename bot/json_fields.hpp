#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace checkpoint::bot {

// A string field of a JSON object (a Slack payload, a job's payload); empty when missing or not a string.
std::string string_at(const boost::json::object& o, std::string_view key);
// An object field; nullptr when missing or not an object.
const boost::json::object* object_at(const boost::json::object& o, std::string_view key);

} // namespace checkpoint::bot
