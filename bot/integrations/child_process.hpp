#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::bot {

struct child_run {
    // Set when the program could not be started at all.
    std::optional<std::string> spawn_error;
    // The exit status, when it exited on its own.
    std::optional<int> exit_code;
    // The signal that ended it, when one did (including our own kill at the timeout).
    std::optional<int> signal;
    bool timed_out = false;
    // The first `max_output` bytes of stdout and stderr together.
    std::string output;
    bool output_truncated = false;
};

// Runs argv[0] with exactly `env` as its environment, without a shell, in a new process group;
// writes `input` to its stdin, collects its output, and after `timeout` SIGKILLs the group. The
// child is always reaped before returning. Safe to call from several threads at once.
child_run run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& input, std::chrono::milliseconds timeout, std::size_t max_output);

} // namespace checkpoint::bot
