#pragma once

#include "workflow/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace checkpoint::workflow {

// Every length of time in the domain: access, reminders, timeouts.
using duration = std::chrono::seconds;

// Shown in every duration error, so people see what is accepted.
constexpr std::string_view duration_forms = "30m, 4h, 1d, 7d, 2w, 1d12h";

// Parses `30m`, `4h`, `1d`, `2w`, `1d12h` (also `10s` for timeouts); rejects empty, zero,
// negative, unknown units, repeated or out-of-order units, and anything longer than ten years.
result<duration> parse_duration(std::string_view text);

// "7 days", "1 day 12 hours", "4 hours", "30 minutes": for cards and messages.
std::string describe_duration(duration d);

// The short form people type: "7d", "1d12h", "30m".
std::string format_duration(duration d);

} // namespace checkpoint::workflow
