#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "storage/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace checkpoint::test {

namespace http = boost::beast::http;
using response = http::response<http::string_body>;

// The real checkpointd binary, started on a free loopback port with its own temporary database.
// Its standard error is captured, so tests can wait for and assert on what it logs.
class server_process {
public:
    // With `wait_until_listening`, returns once the "listening on" line is printed. `program`: another server
    // to run the same way (HAProxy in front of replicas), with `wait_until_listening` false.
    explicit server_process(const std::map<std::string, std::string>& env, const std::vector<std::string>& args = {},
                            bool wait_until_listening = true, const std::string& program = CHECKPOINTD_PATH);
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    unsigned short port() const { return port_; }
    int pid() const { return pid_; }

    // Sends SIGTERM (or `sig`) and waits for exit; returns the exit status (or 128+signal).
    int stop(int sig = 15, std::chrono::seconds timeout = std::chrono::seconds(15));
    // Sends `sig` without waiting (SIGUSR1 makes checkpointd re-read its clock offset).
    void signal(int sig);
    // Waits for the process to exit by itself.
    int wait_exit(std::chrono::seconds timeout = std::chrono::seconds(15));

    // Everything written to stdout and stderr so far.
    std::string output() const;
    // Blocks until `needle` appears in the output or the timeout passes.
    bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:

    int pid_ = -1;
    int exit_status_ = -1;
    unsigned short port_ = 0;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string output_;
};

// The Slack signing secret e2e servers use.
inline constexpr const char* e2e_secret = "e2e-signing-secret-8f742231b10e8888";

// Environment for a test server: the secret, a loopback port 0, a database in `dir`, and the example
// manifests written to `dir`/manifests with their dates moved to today (write_example_manifests).
std::map<std::string, std::string> e2e_env(const std::string& dir);

// `checkpointd --create-token NAME --scopes SCOPES [--person PERSON]` on the database of `env`: the token,
// printed once.
std::string mint_token(const std::map<std::string, std::string>& env, const std::string& name,
                       const std::string& scopes, const std::string& person = {});

// A loopback port nothing listens on now (bound, then let go), for servers that must keep theirs across restarts.
unsigned short free_port();

// How many jobs in the database at `database` (a file, or a postgresql:// address) are leased now, or due by `now_ms` (the service's clock) and
// not yet leased: 0 when the workers are idle. Before a test moves the service's clock, it waits for this,
// since a batch leased before a jump finds its lease run out by the new clock and is run again the way a
// crash would have it.
int busy_jobs(const std::string& database, long long now_ms);
// A read connection to the service's database (a file, read-only; or a postgresql:// address).
std::unique_ptr<storage::connection> connect_to(const std::string& database);

// The form Slack posts for `/checkpoint <text>` typed by `user` (`text` already form-encoded). Each call has a
// trigger_id of its own, as Slack's requests do, so no two are the same signed bytes (a repeat is a replay).
std::string slash_command_form(const std::string& user, const std::string& encoded_text);

// One HTTP/1.1 exchange on a new connection.
response http_request(unsigned short port, http::verb method, const std::string& target, const std::string& body = {},
                      const std::map<std::string, std::string>& headers = {});

// A Slack-signed POST, with the current time as the timestamp unless one is given.
response slack_post(unsigned short port, const std::string& target, const std::string& content_type,
                    const std::string& body, const std::map<std::string, std::string>& extra = {},
                    long long timestamp = 0);

} // namespace checkpoint::test
