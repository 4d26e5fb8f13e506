#include "tests/support/spawn_args.hpp"

namespace checkpoint::test {

spawn_args::spawn_args(const std::string& program, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env)
{
    arg_strings_.push_back(program);
    arg_strings_.insert(arg_strings_.end(), args.begin(), args.end());
    env_strings_.push_back("PATH=/usr/bin:/bin");
    for (const auto& [k, v] : env)
        env_strings_.push_back(k + "=" + v);
    for (auto& a : arg_strings_)
        argv_.push_back(a.data());
    argv_.push_back(nullptr);
    for (auto& e : env_strings_)
        envp_.push_back(e.data());
    envp_.push_back(nullptr);
}

} // namespace checkpoint::test
