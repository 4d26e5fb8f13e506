#include "tests/e2e/server_process.hpp"
#include "tests/support/example_manifests.hpp"
#include "tests/support/spawn_args.hpp"

#include "bot/slack_signature.hpp"

#include "storage/database.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sqlite_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <csignal>
#include <cstring>
#include <regex>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace checkpoint::test {

server_process::server_process(const std::map<std::string, std::string>& env,
                               const std::vector<std::string>& args, bool wait_until_listening,
                               const std::string& program)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        throw std::runtime_error("pipe failed");

    // A clean environment: only PATH plus what the test sets, so nothing leaks in from the runner.
    spawn_args spawn(program, args, env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, spawn.argv(), spawn.envp());
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
    }
    reader_ = std::thread([this, fd = pipe_fds[0]] { drain_pipe(fd, output_, mutex_, changed_); });

    if (wait_until_listening) {
        if (!wait_for_output("listening on http://", std::chrono::seconds(20)))
            throw std::runtime_error("checkpointd did not start listening:\n" + output());
        std::smatch m;
        const std::string out = output();
        if (!std::regex_search(out, m, std::regex(R"(listening on http://[^ ]*:(\d+))")))
            throw std::runtime_error("no port in checkpointd output:\n" + out);
        port_ = static_cast<unsigned short>(std::stoi(m[1]));
    }
}

server_process::~server_process()
{
    if (exit_status_ < 0 && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (reader_.joinable())
        reader_.join();
}

std::string server_process::output() const
{
    std::lock_guard lock(mutex_);
    return output_;
}

bool server_process::wait_for_output(const std::string& needle, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return output_.find(needle) != std::string::npos; });
}

int server_process::wait_exit(std::chrono::seconds timeout)
{
    if (exit_status_ >= 0)
        return exit_status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // waitpid has no timeout; poll WNOHANG against the deadline, then force.
    for (;;) {
        int status = 0;
        const auto r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            exit_status_ = 128 + SIGKILL;
            break;
        }
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::milliseconds(5));
    }
    if (reader_.joinable())
        reader_.join();
    return exit_status_;
}

void server_process::signal(int sig)
{
    if (exit_status_ < 0 && pid_ > 0)
        ::kill(pid_, sig);
}

int server_process::stop(int sig, std::chrono::seconds timeout)
{
    if (exit_status_ < 0)
        ::kill(pid_, sig);
    return wait_exit(timeout);
}

std::map<std::string, std::string> e2e_env(const std::string& dir)
{
    const auto manifests = write_example_manifests(std::filesystem::path(dir) / "manifests",
                                                   std::chrono::system_clock::now());
    return {
        {"SLACK_SIGNING_SECRET", e2e_secret},
        {"CHECKPOINT_LISTEN", "127.0.0.1:0"},
        {"CHECKPOINT_DB", dir + "/checkpoint.db"},
        {"CHECKPOINT_MANIFESTS", manifests.string()},
        {"CHECKPOINT_THREADS", "2"},
    };
}

response http_request(unsigned short port, http::verb method, const std::string& target, const std::string& body,
                      const std::map<std::string, std::string>& headers)
{
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers)
        req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    http::read(stream, buffer, parser);
    boost::beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return parser.release();
}

std::string slash_command_form(const std::string& user, const std::string& encoded_text)
{
    static std::atomic<unsigned long> next{8088930838};
    return "token=x&team_id=T1&team_domain=acme&channel_id=C1&channel_name=general&user_id=" + user +
           "&user_name=someone&command=%2Fcheckpoint&text=" + encoded_text +
           "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fx&trigger_id=13345224609.738474920." +
           std::to_string(next.fetch_add(1)) + "&api_app_id=A1";
}

std::string mint_token(const std::map<std::string, std::string>& env, const std::string& name,
                       const std::string& scopes, const std::string& person)
{
    std::vector<std::string> args{"--create-token", name, "--scopes", scopes};
    if (!person.empty()) {
        args.push_back("--person");
        args.push_back(person);
    }
    server_process p(env, args, false);
    if (p.wait_exit() != 0)
        throw std::runtime_error("checkpointd --create-token failed: " + p.output());
    std::smatch m;
    const auto out = p.output();
    if (!std::regex_search(out, m, std::regex("cpt_[0-9A-Za-z]{40}")))
        throw std::runtime_error("checkpointd --create-token printed no token: " + out);
    return m.str();
}

response slack_post(unsigned short port, const std::string& target, const std::string& content_type,
                    const std::string& body, const std::map<std::string, std::string>& extra, long long timestamp)
{
    if (timestamp == 0)
        timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const std::string ts = std::to_string(timestamp);
    std::map<std::string, std::string> headers{
        {"Content-Type", content_type},
        {"X-Slack-Request-Timestamp", ts},
        {"X-Slack-Signature", bot::sign_slack_request(e2e_secret, ts, body)},
    };
    for (auto& [k, v] : extra)
        headers[k] = v;
    return http_request(port, http::verb::post, target, body, headers);
}

unsigned short free_port()
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

std::unique_ptr<storage::connection> connect_to(const std::string& database)
{
    auto target = storage::parse_database_target(database);
    if (!target)
        throw std::runtime_error(target.error().message);
    if (target->backend == storage::backend::postgresql)
        return std::make_unique<storage::pg_connection>(target->location);
    return std::make_unique<storage::sqlite_connection>(target->location, storage::sqlite_connection::access::read_only);
}

int busy_jobs(const std::string& database, long long now_ms)
{
    auto c = connect_to(database);
    auto q = c->use("SELECT count(*) FROM jobs WHERE status = 1 OR (status = 0 AND due_at <= ?)");
    q->bind(1, static_cast<std::int64_t>(now_ms));
    q->executeStep();
    return q->getColumn(0).getInt();
}

} // namespace checkpoint::test
