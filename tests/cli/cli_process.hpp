#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace checkpoint::test {

// The real `checkpoint` binary in a clean environment (only PATH and `env`), with its standard
// output and error captured separately, so tests can watch a long wait while it runs.
class cli_process {
public:
    cli_process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);
    ~cli_process();
    cli_process(const cli_process&) = delete;
    cli_process& operator=(const cli_process&) = delete;

    // Waits for the exit (killing it after `timeout`) and returns its code, or 128+signal.
    int wait_exit(std::chrono::seconds timeout = std::chrono::seconds(60));
    // Blocks until `needle` is on standard output or the timeout passes.
    bool wait_for_out(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(20));

    std::string out() const;
    std::string err() const;

private:

    int pid_ = -1;
    int exit_code_ = -1;
    std::thread out_reader_;
    std::thread err_reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string out_;
    std::string err_;
};

struct cli_result {
    int code = -1;
    std::string out;
    std::string err;
};

// Runs the CLI to completion.
cli_result run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

} // namespace checkpoint::test
