#pragma once

#include "workflow/error.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::cli {

// Where the CLI finds its server and its token.
struct config {
    std::string url;
    std::string token;
    // The config file read, if any: named in errors so people know what to fix.
    std::string file;
};

// Reads one environment variable; empty optional when unset.
using env_lookup = std::function<std::optional<std::string>(std::string_view)>;
// The most any file read by the CLI may hold (the API's upload limit); readers stop one byte after it.
inline constexpr std::size_t max_read_bytes = 8 * 1024 * 1024;

// Reads a whole file (at most max_read_bytes + 1 bytes); empty optional when it does not exist or cannot be read.
using file_lookup = std::function<std::optional<std::string>(const std::string&)>;

// The config file's path: $XDG_CONFIG_HOME/checkpoint/config, else $HOME/.config/checkpoint/config;
// empty when neither variable is set.
std::string config_path(const env_lookup& env);

// `url = …` and `token = …` lines; blank lines and `#` comments are skipped. Unknown keys and lines
// without `=` are errors naming the line.
workflow::result<config> parse_config(std::string_view text, const std::string& file);

// The file's values, each overridden by CHECKPOINT_URL and CHECKPOINT_TOKEN when set.
workflow::result<config> load_config(const env_lookup& env, const file_lookup& read);

// A warning when a config file holding a token can be read by others (`mode` is its st_mode); empty if fine.
std::string permission_warning(const config& c, unsigned mode);

// Refuses a missing URL or token (naming where each can be set), a URL that is not http(s)://,
// and sending a token in clear over http:// to a host other than loopback.
workflow::result<void> check_for_server(const config& c);

} // namespace checkpoint::cli
