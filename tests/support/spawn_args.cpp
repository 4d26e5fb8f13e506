#include "tests/support/spawn_args.hpp"

#include <cstdlib>
#include <unistd.h>

namespace checkpoint::test {

spawn_args::spawn_args(const std::string& program, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env)
{
    arg_strings_.push_back(program);
    arg_strings_.insert(arg_strings_.end(), args.begin(), args.end());
    env_strings_.push_back("PATH=/usr/bin:/bin");
    // A run under libfaketime (scripts/test-clock-ahead.sh) moves the clock of the servers it starts too.
    if (std::getenv("FAKETIME") != nullptr)
        for (const char* name : {"LD_PRELOAD", "FAKETIME", "DONT_FAKE_MONOTONIC", "FAKETIME_DONT_RESET"})
            if (const char* value = std::getenv(name))
                env_strings_.push_back(std::string(name) + "=" + value);
    for (const auto& [k, v] : env)
        env_strings_.push_back(k + "=" + v);
    for (auto& a : arg_strings_)
        argv_.push_back(a.data());
    argv_.push_back(nullptr);
    for (auto& e : env_strings_)
        envp_.push_back(e.data());
    envp_.push_back(nullptr);
}

void drain_pipe(int fd, std::string& into, std::mutex& mutex, std::condition_variable& changed)
{
    char buf[4096];
    for (;;) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        std::lock_guard lock(mutex);
        into.append(buf, static_cast<std::size_t>(n));
        changed.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(mutex);
    changed.notify_all();
}

} // namespace checkpoint::test
