#pragma once

#include <string_view>

namespace checkpoint::bot {

enum class log_format { text, json };

// Sends spdlog's default logger to standard error, as readable lines or as JSON lines.
void setup_logging(log_format format);

} // namespace checkpoint::bot
