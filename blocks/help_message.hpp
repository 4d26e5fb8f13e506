#pragma once

#include "workflow/command.hpp"

#include <boost/json/object.hpp>

#include <string_view>

namespace checkpoint::blocks {

// `/checkpoint help`: every subcommand with its usage.
boost::json::object help_message(std::string_view command_name);

// `/checkpoint <word>` for a word that is no subcommand: says so, suggests near names, shows help.
boost::json::object unknown_subcommand_message(std::string_view command_name, std::string_view word);

} // namespace checkpoint::blocks
