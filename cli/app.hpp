#pragma once

#include "outbound/http_client.hpp"
#include "cli/config.hpp"

#include <functional>
#include <optional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace checkpoint::cli {

// Everything the CLI touches outside itself, injected so tests can run it in-process.
struct environment {
    std::ostream& out;
    std::ostream& err;
    // Progress lines redraw in place (carriage return) only on a terminal.
    bool out_is_tty = false;
    env_lookup env;
    file_lookup read_file;
    // A file's st_mode, for the config file's permission check; empty when it cannot be read.
    std::function<std::optional<unsigned>(const std::string&)> file_mode;
    std::function<std::unique_ptr<outbound::http_client>()> make_http;
};

// Parses `args` (without the program name) and runs the command; returns the exit code
// (0 ok, 1 error, 2 still waiting, 3 denied/closed, 64 usage).
int run(const std::vector<std::string>& args, environment& env);

} // namespace checkpoint::cli
