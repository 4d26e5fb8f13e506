#include "bot/integrations/event_json.hpp"
#include "bot/integrations/exec_integration.hpp"
#include "tests/bot/integrations/sample_events.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <thread>

using namespace checkpoint;
using namespace checkpoint::bot;
using namespace std::chrono_literals;

namespace {

// A command for the integration to run; the script uses /bin/sh, the integration never does.
std::string script(const test::temp_dir& dir, const std::string& name, const std::string& body)
{
    const std::string path = dir.file(name);
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// No child of ours is left unreaped.
bool no_children_left()
{
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// Waits on the process's exit through a pidfd (any process, not only our children); true once it
// has exited or no longer exists.
bool exits_within(pid_t pid, std::chrono::milliseconds timeout)
{
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0)
        return errno == ESRCH;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    ::close(fd);
    return ready == 1;
}

} // namespace

TEST_CASE("exit 0: done, with the event on stdin and CHECKPOINT_EVENT in a minimal environment")
{
    // given a command that records what it was given
    test::temp_dir dir;
    ::setenv("CHECKPOINT_TEST_LEAK", "must-not-reach-commands", 1);
    const std::string cmd = script(dir, "record", R"(cat > "$1/stdin"; env > "$1/env"; echo "granted $CHECKPOINT_EVENT")");
    exec_integration exec("customer-acl", exec_settings{{cmd, dir.path().string()}, 1000ms});
    const access_event e = test::sample_grant();
    // when a grant is delivered
    const auto out = exec.deliver(e);
    // then it is done, and the command saw exactly the event
    CHECK(out.is_done());
    CHECK(out.output == "granted access/grant\n");
    CHECK(slurp(dir.file("stdin")) == event_body(e));
    const std::string env = slurp(dir.file("env"));
    CHECK_THAT(env, Catch::Contains("CHECKPOINT_EVENT=access/grant\n"));
    CHECK_THAT(env, Catch::Contains("CHECKPOINT_IDEMPOTENCY_KEY=job-17:grant\n"));
    CHECK_THAT(env, Catch::Contains("PATH=/usr/local/bin:/usr/bin:/bin\n"));
    CHECK_THAT(env, !Catch::Contains("must-not-reach-commands"));
    CHECK(no_children_left());
}

TEST_CASE("exit codes: 0 done, 75 retry, anything else permanent")
{
    struct row {
        const char* name;
        const char* body;
        delivery_status expected;
        const char* says;
    };
    const row c = GENERATE(values<row>({
        {"exit 0", "exit 0", delivery_status::done, "exited 0"},
        {"exit 75", "echo 'directory busy' >&2; exit 75", delivery_status::retry, "75"},
        {"exit 1", "echo 'no such customer' >&2; exit 1", delivery_status::permanent_failure, "exited 1"},
        {"exit 2", "exit 2", delivery_status::permanent_failure, "exited 2"},
        {"killed by a signal", "kill -TERM $$", delivery_status::permanent_failure, "signal 15"},
    }));
    SECTION(c.name)
    {
        test::temp_dir dir;
        exec_integration exec("customer-acl", exec_settings{{script(dir, "cmd", c.body)}, 1000ms});
        const auto out = exec.deliver(test::sample_grant());
        CHECK(out.status == c.expected);
        CHECK_THAT(out.message, Catch::Contains(c.says));
        CHECK(no_children_left());
    }
}

TEST_CASE("stderr is kept with stdout, in the order written")
{
    test::temp_dir dir;
    exec_integration exec("customer-acl",
                          exec_settings{{script(dir, "cmd", "echo one; echo two >&2; echo three; exit 1")}, 1000ms});
    const auto out = exec.deliver(test::sample_grant());
    CHECK(out.is_permanent_failure());
    CHECK(out.output == "one\ntwo\nthree\n");
}

TEST_CASE("running past the timeout kills the whole process group: permanent failure")
{
    // given a command that starts a grandchild and waits forever
    test::temp_dir dir;
    const std::string cmd = script(dir, "hang", R"(sleep 30 & echo $! > "$1/grandchild"; echo started; wait)");
    exec_integration exec("customer-acl", exec_settings{{cmd, dir.path().string()}, 300ms});
    // when it is delivered
    const auto started = std::chrono::steady_clock::now();
    const auto out = exec.deliver(test::sample_grant());
    // then it ends at the deadline, as a permanent failure, with its output so far
    CHECK(std::chrono::steady_clock::now() - started < 1500ms);
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("timeout"));
    CHECK(out.output == "started\n");
    CHECK(no_children_left());
    // and the grandchild was killed with it, not left to sleep its 30 s
    CHECK(exits_within(std::stoi(slurp(dir.file("grandchild"))), 1000ms));
}

TEST_CASE("a revoke that runs past the timeout is tried again, not failed for good")
{
    test::temp_dir dir;
    const std::string cmd = script(dir, "slow", "sleep 30");
    exec_integration exec("customer-acl", exec_settings{{cmd}, 200ms});
    auto revoke = test::sample_grant();
    revoke.kind = event_kind::revoke;
    const auto out = exec.deliver(revoke);
    CHECK(out.is_retry());
    CHECK_THAT(out.message, Catch::Contains("timeout") && Catch::Contains("tried again"));
    CHECK(no_children_left());
}

TEST_CASE("a grandchild holding stdout open does not hold up an exited command")
{
    test::temp_dir dir;
    const std::string cmd = script(dir, "bg", R"(sleep 30 & echo $! > "$1/grandchild"; echo done)");
    exec_integration exec("customer-acl", exec_settings{{cmd, dir.path().string()}, 800ms});
    const auto started = std::chrono::steady_clock::now();
    const auto out = exec.deliver(test::sample_grant());
    CHECK(std::chrono::steady_clock::now() - started < 700ms);
    CHECK(out.is_done());
    CHECK(out.output == "done\n");
    ::kill(std::stoi(slurp(dir.file("grandchild"))), SIGKILL);
}

TEST_CASE("only the first 4 KiB of output are kept, and a chatty command is not blocked")
{
    test::temp_dir dir;
    const std::string cmd = script(dir, "chatty", "head -c 200000 /dev/zero | tr '\\0' a; exit 0");
    exec_integration exec("customer-acl", exec_settings{{cmd}, 1000ms});
    const auto out = exec.deliver(test::sample_grant());
    CHECK(out.is_done());
    CHECK(out.output.size() == max_kept_output);
    CHECK(out.output == std::string(max_kept_output, 'a'));
}

TEST_CASE("a command that ignores a large event on stdin does not raise SIGPIPE in the service")
{
    test::temp_dir dir;
    access_event e = test::sample_grant();
    e.reason = std::string(512 * 1024, 'r');
    exec_integration exec("customer-acl", exec_settings{{script(dir, "ignore", "exit 0")}, 1000ms});
    const auto out = exec.deliver(e);
    CHECK(out.is_done());
}

TEST_CASE("a program that does not exist is a permanent failure")
{
    exec_integration exec("customer-acl", exec_settings{{"/nonexistent/checkpoint-provisioner"}, 1000ms});
    const auto out = exec.deliver(test::sample_grant());
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("/nonexistent/checkpoint-provisioner"));
}

TEST_CASE("no shell: arguments reach the program verbatim")
{
    test::temp_dir dir;
    const std::string cmd = script(dir, "args", R"(printf '%s|' "$@")");
    exec_integration exec("customer-acl", exec_settings{{cmd, "a b", "$HOME", "; rm -rf /", "`id`"}, 1000ms});
    const auto out = exec.deliver(test::sample_grant());
    CHECK(out.is_done());
    CHECK(out.output == "a b|$HOME|; rm -rf /|`id`|");
}

TEST_CASE("several worker threads run commands at once")
{
    test::temp_dir dir;
    const std::string cmd = script(dir, "worker", R"(cat > /dev/null; echo "ok $CHECKPOINT_IDEMPOTENCY_KEY")");
    exec_integration exec("customer-acl", exec_settings{{cmd}, 1000ms});
    constexpr int threads = 4, each = 5;
    std::vector<std::vector<delivery_outcome>> outcomes(threads);
    {
        std::vector<std::jthread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                for (int i = 0; i < each; ++i) {
                    access_event e = test::sample_grant();
                    e.idempotency_key = "job-" + std::to_string(t) + "-" + std::to_string(i);
                    outcomes[static_cast<std::size_t>(t)].push_back(exec.deliver(e));
                }
            });
    }
    for (int t = 0; t < threads; ++t)
        for (int i = 0; i < each; ++i) {
            const auto& out = outcomes[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
            CHECK(out.is_done());
            CHECK(out.output == "ok job-" + std::to_string(t) + "-" + std::to_string(i) + "\n");
        }
    CHECK(no_children_left());
}
