#include "bot/integrations/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <utility>

namespace checkpoint::bot {

using namespace std::chrono;

namespace {

class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept
    {
        reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~unique_fd() { reset(); }
    int get() const noexcept { return fd_; }
    bool open() const noexcept { return fd_ >= 0; }
    void reset(int fd = -1) noexcept
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Close-on-exec from birth, so a child spawned by another thread never inherits our ends.
bool make_pipe(unique_fd& read_end, unique_fd& write_end)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Kills and reaps the child unless it was reaped normally; so no path leaves a zombie or a runaway.
class child_guard {
public:
    explicit child_guard(pid_t pid) : pid_(pid) {}
    child_guard(const child_guard&) = delete;
    child_guard& operator=(const child_guard&) = delete;
    ~child_guard()
    {
        if (!reaped_)
            kill_and_reap();
    }

    // Nonblocking; true once the child has been reaped (or cannot be, when SIGCHLD is ignored).
    bool poll_exit()
    {
        if (reaped_)
            return true;
        int status = 0;
        pid_t r;
        do
            r = ::waitpid(pid_, &status, WNOHANG);
        while (r < 0 && errno == EINTR);
        if (r == 0)
            return false;
        reaped_ = true;
        if (r == pid_)
            status_ = status;
        return true;
    }

    void kill_and_reap()
    {
        ::kill(-pid_, SIGKILL);
        int status = 0;
        pid_t r;
        do
            r = ::waitpid(pid_, &status, 0);
        while (r < 0 && errno == EINTR);
        reaped_ = true;
        if (r == pid_)
            status_ = status;
    }

    pid_t pid() const noexcept { return pid_; }
    std::optional<int> status() const noexcept { return status_; }

private:
    pid_t pid_;
    bool reaped_ = false;
    std::optional<int> status_;
};

// A broken stdin pipe (a command that ignores its input) must not raise SIGPIPE in our process.
class sigpipe_blocked {
public:
    sigpipe_blocked()
    {
        sigemptyset(&set_);
        sigaddset(&set_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &set_, &old_);
    }
    sigpipe_blocked(const sigpipe_blocked&) = delete;
    sigpipe_blocked& operator=(const sigpipe_blocked&) = delete;
    ~sigpipe_blocked()
    {
        // Consume the SIGPIPE our own write raised before it is unblocked and delivered.
        if (raised_ && !sigismember(&old_, SIGPIPE)) {
            const timespec zero{};
            while (sigtimedwait(&set_, nullptr, &zero) < 0 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    void raised() noexcept { raised_ = true; }

private:
    sigset_t set_{};
    sigset_t old_{};
    bool raised_ = false;
};

// Through syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage. -1 where
// the kernel lacks it; the loop then polls for the exit on a short tick.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::string spawn_message(const std::string& program, int err)
{
    return "cannot start " + program + ": " + std::strerror(err);
}

} // namespace

child_run run_child(const std::vector<std::string>& argv_in, const std::vector<std::string>& env_in,
                    const std::string& input, milliseconds timeout, std::size_t max_output)
{
    child_run out;
    if (argv_in.empty() || argv_in.front().empty()) {
        out.spawn_error = "no command to run";
        return out;
    }

    unique_fd in_read, in_write, out_read, out_write;
    if (!make_pipe(in_read, in_write) || !make_pipe(out_read, out_write)) {
        out.spawn_error = spawn_message(argv_in.front(), errno);
        return out;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDERR_FILENO);
    // Sockets and files of the service that lack close-on-exec stay with the service.
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t no_signals, defaults;
    sigemptyset(&no_signals);
    sigemptyset(&defaults);
    // Ignored dispositions survive exec; the command gets the ordinary ones back.
    for (int sig : {SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &no_signals);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                       POSIX_SPAWN_SETSIGDEF));

    std::vector<std::string> argv_store = argv_in;
    std::vector<std::string> env_store = env_in;
    std::vector<char*> argv, envp;
    for (auto& a : argv_store)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_store)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const bool has_path = argv_in.front().find('/') != std::string::npos;
    const int rc = has_path ? posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data())
                            : posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        out.spawn_error = spawn_message(argv_in.front(), rc);
        return out;
    }

    child_guard child(pid);
    in_read.reset();
    out_write.reset();
    set_nonblocking(in_write.get());
    set_nonblocking(out_read.get());
    sigpipe_blocked no_sigpipe;

    // Wakes poll when the child exits, even if something it started still holds its stdout.
    unique_fd exit_fd(open_pidfd(pid));
    constexpr milliseconds fallback_tick{20};

    const auto deadline = steady_clock::now() + timeout;
    std::size_t written = 0;
    if (input.empty())
        in_write.reset();
    std::array<char, 16 * 1024> buf;
    bool exited = false;

    const auto drain = [&]() {
        for (;;) {
            const ssize_t n = ::read(out_read.get(), buf.data(), buf.size());
            if (n > 0) {
                const auto take = std::min(static_cast<std::size_t>(n), max_output - std::min(max_output, out.output.size()));
                out.output.append(buf.data(), take);
                if (take < static_cast<std::size_t>(n))
                    out.output_truncated = true;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0)
                out_read.reset();
            return;
        }
    };

    while (true) {
        if (exited) {
            // Whatever it wrote is in the pipe already; take it without waiting for grandchildren.
            if (out_read.open())
                drain();
            break;
        }
        const auto now = steady_clock::now();
        if (now >= deadline) {
            out.timed_out = true;
            child.kill_and_reap();
            break;
        }
        auto wait = ceil<milliseconds>(deadline - now);
        if (!exit_fd.open())
            wait = std::min(wait, fallback_tick);

        std::array<pollfd, 3> fds{};
        nfds_t n = 0;
        int out_i = -1, in_i = -1, exit_i = -1;
        if (out_read.open()) {
            out_i = static_cast<int>(n);
            fds[n++] = {out_read.get(), POLLIN, 0};
        }
        if (in_write.open()) {
            in_i = static_cast<int>(n);
            fds[n++] = {in_write.get(), POLLOUT, 0};
        }
        if (exit_fd.open()) {
            exit_i = static_cast<int>(n);
            fds[n++] = {exit_fd.get(), POLLIN, 0};
        }
        const int ready = ::poll(fds.data(), n, static_cast<int>(wait.count()));
        if (ready < 0 && errno != EINTR)
            continue;

        if (out_i >= 0 && fds[static_cast<std::size_t>(out_i)].revents != 0)
            drain();
        if (in_i >= 0 && fds[static_cast<std::size_t>(in_i)].revents != 0) {
            const ssize_t w = ::write(in_write.get(), input.data() + written, input.size() - written);
            if (w > 0)
                written += static_cast<std::size_t>(w);
            else if (w < 0 && errno == EPIPE)
                no_sigpipe.raised();
            // Done, or the command stopped reading: either way it sees end of input.
            if (written == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR))
                in_write.reset();
        }
        if (exit_i < 0 || fds[static_cast<std::size_t>(exit_i)].revents != 0)
            exited = child.poll_exit();
    }

    in_write.reset();
    if (!out.timed_out)
        child.poll_exit();
    if (const auto status = child.status()) {
        if (WIFEXITED(*status))
            out.exit_code = WEXITSTATUS(*status);
        else if (WIFSIGNALED(*status))
            out.signal = WTERMSIG(*status);
    }
    return out;
}

} // namespace checkpoint::bot
