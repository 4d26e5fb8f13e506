#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace checkpoint::test {

// argv and envp for posix_spawn, owning their strings: `program` with `args`, and a clean environment
// of PATH plus `env`, so nothing leaks in from the test runner (but libfaketime's variables, when the
// runner is under it, so the child shares its clock).
class spawn_args {
public:
    spawn_args(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env);
    spawn_args(const spawn_args&) = delete;
    spawn_args& operator=(const spawn_args&) = delete;

    char* const* argv() { return argv_.data(); }
    char* const* envp() { return envp_.data(); }

private:
    std::vector<std::string> arg_strings_;
    std::vector<std::string> env_strings_;
    std::vector<char*> argv_;
    std::vector<char*> envp_;
};

// Reads a child's pipe until it closes, appending to `into` under `mutex` and telling `changed` after
// every read and at the end; then closes `fd`. For a reader thread per pipe.
void drain_pipe(int fd, std::string& into, std::mutex& mutex, std::condition_variable& changed);

} // namespace checkpoint::test
