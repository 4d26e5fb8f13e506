#pragma once

#include "workflow/command.hpp"

#include <boost/json/object.hpp>

#include <string_view>

namespace checkpoint::blocks {

// `/checkpoint help`: every subcommand with its usage.
boost::json::object help_message(std::string_view command_name);

// `/checkpoint <word>` for a word that is no subcommand: says so, suggests near names, shows help.
boost::json::object unknown_subcommand_message(std::string_view command_name, std::string_view word);

// A subcommand this build does not serve yet, said plainly.
boost::json::object not_available_message(std::string_view command_name, workflow::subcommand sub);

} // namespace checkpoint::blocks
