#include "tests/cli/cli_process.hpp"
#include "tests/support/spawn_args.hpp"

#include <csignal>
#include <fcntl.h>
#include <cstring>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace checkpoint::test {

cli_process::cli_process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
{
    int out_fds[2];
    int err_fds[2];
    if (pipe(out_fds) != 0 || pipe(err_fds) != 0)
        throw std::runtime_error("pipe failed");
    spawn_args spawn(CHECKPOINT_CLI_PATH, args, env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, out_fds[0]);
    posix_spawn_file_actions_addclose(&actions, err_fds[0]);
    const int rc = posix_spawn(&pid_, CHECKPOINT_CLI_PATH, &actions, nullptr, spawn.argv(), spawn.envp());
    posix_spawn_file_actions_destroy(&actions);
    close(out_fds[1]);
    close(err_fds[1]);
    if (rc != 0) {
        close(out_fds[0]);
        close(err_fds[0]);
        throw std::runtime_error(std::string("cannot start checkpoint: ") + std::strerror(rc));
    }
    out_reader_ = std::thread([this, fd = out_fds[0]] { drain_pipe(fd, out_, mutex_, changed_); });
    err_reader_ = std::thread([this, fd = err_fds[0]] { drain_pipe(fd, err_, mutex_, changed_); });
}

cli_process::~cli_process()
{
    if (exit_code_ < 0)
        wait_exit(std::chrono::seconds(0));
}

int cli_process::wait_exit(std::chrono::seconds timeout)
{
    if (exit_code_ >= 0)
        return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        if (waitpid(pid_, &status, WNOHANG) == pid_)
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::milliseconds(5));
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (out_reader_.joinable())
        out_reader_.join();
    if (err_reader_.joinable())
        err_reader_.join();
    return exit_code_;
}

bool cli_process::wait_for_out(const std::string& needle, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return out_.find(needle) != std::string::npos; });
}

std::string cli_process::out() const
{
    std::lock_guard lock(mutex_);
    return out_;
}

std::string cli_process::err() const
{
    std::lock_guard lock(mutex_);
    return err_;
}

cli_result run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
{
    cli_process p(args, env);
    cli_result r;
    r.code = p.wait_exit();
    r.out = p.out();
    r.err = p.err();
    return r;
}

} // namespace checkpoint::test
