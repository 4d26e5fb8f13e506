#pragma once

#include <map>
#include <string>
#include <vector>

namespace checkpoint::test {

// argv and envp for posix_spawn, owning their strings: `program` with `args`, and a clean environment
// of PATH plus `env`, so nothing leaks in from the test runner.
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

} // namespace checkpoint::test
