#pragma once

#include "workflow/error.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// Every `/checkpoint` subcommand. A new one is added here and in the table in command.cpp;
// switches over it have no default, so the compiler points at every place that must learn it.
enum class subcommand {
    help,
    request,
    status,
    mine,
    pending,
    extend,
    cancel,
    revoke,
    catalog,
    explain,
    ooo,
};

struct subcommand_info {
    subcommand id;
    std::string_view name;
    std::string_view usage;
    std::string_view summary;
};

// The subcommands in the order help lists them.
std::span<const subcommand_info> subcommands();
const subcommand_info& info(subcommand s);

// Splits command text as a shell would, for what Slack really sends: `&amp; &lt; &gt;` escapes,
// straight and curly quotes (phone and Mac keyboards), and apostrophes inside words.
result<std::vector<std::string>> tokenize(std::string_view text);

struct command_line {
    // Empty text means help.
    std::string word;
    // Set when `word` names a known subcommand.
    std::optional<subcommand> sub;
    std::vector<std::string> args;
};

result<command_line> parse_command_line(std::string_view text);

// Known subcommand names closest to `word`, best first, for "did you mean".
std::vector<std::string_view> closest_subcommands(std::string_view word, std::size_t at_most = 3);

// Levenshtein distance; shared by every "did you mean" in the product.
std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace checkpoint::workflow
