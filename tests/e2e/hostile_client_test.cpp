// A hostile client against the real checkpointd (issue 16, bounded by default): large unauthenticated bodies,
// thousands of idle connections, an endless chunk-size line, slowloris, and forged or replayed Slack requests.
// Each case fails on a server that reads a body before checking its token, keeps no connection cap, lets its
// read buffer grow, or acts twice on one signed request.
#include "tests/e2e/server_process.hpp"
#include "tests/support/temp_dir.hpp"

#include "bot/slack_signature.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace checkpoint::test;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* form = "application/x-www-form-urlencoded";

// A blocking TCP connection to the server on loopback, or -1.
int connect_to(unsigned short port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

void set_receive_timeout(int fd, std::chrono::milliseconds t)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(t.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

bool send_all(int fd, const std::string& bytes)
{
    std::size_t at = 0;
    while (at < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        at += static_cast<std::size_t>(n);
    }
    return true;
}

// What the server sent until it closed, or until nothing came for the receive timeout.
std::string read_all(int fd)
{
    std::string out;
    char buf[4096];
    for (;;) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return out;
        out.append(buf, static_cast<std::size_t>(n));
        // One answer is enough: its header and Content-Length bytes of body.
        const auto end = out.find("\r\n\r\n");
        const auto length_at = out.find("Content-Length: ");
        if (end != std::string::npos && length_at != std::string::npos && length_at < end &&
            out.size() >= end + 4 + std::stoul(out.substr(length_at + 16)))
            return out;
    }
}

int status_of(const std::string& raw)
{
    if (raw.size() < 12 || !raw.starts_with("HTTP/1.1 "))
        return 0;
    return std::stoi(raw.substr(9, 3));
}

std::string body_of(const std::string& raw)
{
    const auto end = raw.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : raw.substr(end + 4);
}

// The server's peak resident set (VmHWM), in MiB.
double peak_rss_mib(int pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmHWM:"))
            return std::stod(line.substr(6)) / 1024.0;
    return -1;
}

// Under AddressSanitizer the server starts near 300 MiB (shadow memory): there, only its growth is bounded.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

// Peak RSS within bounds: under 128 MB in a normal build, and never more than 64 MiB over `baseline`.
bool rss_bounded(double peak_mib, double baseline_mib)
{
    return peak_mib - baseline_mib < 64 && (sanitized || peak_mib < 128);
}

// GET /healthz on a new connection: the status and how long it took.
std::pair<int, std::chrono::milliseconds> timed_health(unsigned short port)
{
    const auto start = steady::now();
    const int fd = connect_to(port);
    if (fd < 0)
        return {0, 0ms};
    set_receive_timeout(fd, 10s);
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto raw = read_all(fd);
    ::close(fd);
    return {status_of(raw), std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start)};
}

// Lets this process hold `n` sockets (the soft open-files limit up to the hard one).
void allow_descriptors(rlim_t n)
{
    rlimit lim{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &lim) == 0);
    if (lim.rlim_cur < n) {
        INFO("this test needs " << n << " open files; the hard limit is " << lim.rlim_max);
        REQUIRE((lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= n));
        lim.rlim_cur = n;
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &lim) == 0);
    }
}

struct sockets {
    std::vector<int> fds;
    ~sockets()
    {
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
    }
};

long long now_s()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

TEST_CASE("hostile: 200 unauthenticated 8 MiB uploads are refused from their headers, and RSS stays under 128 MB",
          "[e2e][hostile]")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    const auto before = peak_rss_mib(server.pid());
    constexpr int count = 200;
    constexpr std::size_t body_bytes = 8 * 1024 * 1024;
    sockets conns;
    for (int i = 0; i < count; ++i) {
        const int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        conns.fds.push_back(fd);
        // Half send no token, half a token Checkpoint never issued.
        std::string head = "PUT /api/v1/resources HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + std::to_string(body_bytes) + "\r\n";
        if (i % 2)
            head += "Authorization: Bearer cpt_" + std::string(40, 'Z') + "\r\n";
        REQUIRE(send_all(fd, head + "\r\n"));
    }
    // Every connection pushes its body as fast as the server takes it, until the server stops taking it.
    const std::string chunk(64 * 1024, '[');
    std::vector<std::size_t> sent(count, 0);
    std::vector<bool> open(count, true);
    std::size_t total = 0;
    const auto deadline = steady::now() + 60s;
    for (int active = count; active > 0 && steady::now() < deadline;) {
        std::vector<pollfd> wait;
        for (int i = 0; i < count; ++i)
            if (open[i])
                wait.push_back({conns.fds[i], POLLOUT, 0});
        ::poll(wait.data(), wait.size(), 200);
        active = 0;
        for (int i = 0; i < count; ++i) {
            if (!open[i])
                continue;
            const auto n = ::send(conns.fds[i], chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                sent[i] += static_cast<std::size_t>(n);
                total += static_cast<std::size_t>(n);
            }
            if ((n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) || sent[i] >= body_bytes)
                open[i] = false;
            else
                ++active;
        }
    }
    int refused = 0;
    for (int fd : conns.fds) {
        set_receive_timeout(fd, 5s);
        const auto raw = read_all(fd);
        if (status_of(raw) == 401 && body_of(raw).find("checked before a body over 65536 bytes is read") !=
                                         std::string::npos)
            ++refused;
    }
    const auto after = peak_rss_mib(server.pid());
    std::cout << "hostile: 200 unauthenticated 8 MiB uploads: " << refused << " answered 401 from the header; "
              << total / (1024 * 1024) << " MiB pushed in all; peak RSS " << before << " MiB before, " << after
              << " MiB after" << std::endl;
    CHECK(refused == count);
    CHECK(rss_bounded(after, before));
    // Nobody could send a whole body.
    for (auto s : sent)
        CHECK(s < body_bytes);
    CHECK(timed_health(server.port()).first == 200);
}

TEST_CASE("hostile: with 5,000 idle connections /healthz answers in under a second - past the cap, 503 busy",
          "[e2e][hostile]")
{
    allow_descriptors(5'400);
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_HTTP_TIMEOUT"] = "60";
    SECTION("5,000 idle connections")
    {
        server_process server(env);
        const auto baseline = peak_rss_mib(server.pid());
        sockets idle;
        for (int i = 0; i < 5'000; ++i) {
            const int fd = connect_to(server.port());
            REQUIRE(fd >= 0);
            idle.fds.push_back(fd);
        }
        const auto [status, took] = timed_health(server.port());
        std::cout << "hostile: /healthz beside 5,000 idle connections: " << status << " in " << took.count() << " ms"
                  << std::endl;
        CHECK(status == 200);
        CHECK(took < 1s);
        CHECK(rss_bounded(peak_rss_mib(server.pid()), baseline));
    }
    SECTION("CHECKPOINT_MAX_CONNECTIONS")
    {
        env["CHECKPOINT_MAX_CONNECTIONS"] = "100";
        server_process server(env);
        sockets idle;
        for (int i = 0; i < 100; ++i)
            idle.fds.push_back(connect_to(server.port()));
        // Accepted in order: the 101st finds all 100 places taken.
        const int extra = connect_to(server.port());
        REQUIRE(extra >= 0);
        set_receive_timeout(extra, 5s);
        const auto raw = read_all(extra);
        ::close(extra);
        CHECK(status_of(raw) == 503);
        CHECK(raw.find("Retry-After: 1") != std::string::npos);
        auto why = boost::json::parse(body_of(raw));
        CHECK(why.at("error").at("code") == "busy");
        // Places free up as idle clients leave.
        for (int i = 0; i < 10; ++i) {
            ::close(idle.fds[i]);
            idle.fds[i] = -1;
        }
        int status = 0;
        for (auto until = steady::now() + 10s; status != 200 && steady::now() < until;)
            status = timed_health(server.port()).first;
        CHECK(status == 200);
    }
}

TEST_CASE("hostile: an endless chunk-size line is cut off at the read buffer's bound with 400", "[e2e][hostile]")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    const auto baseline = peak_rss_mib(server.pid());
    const int fd = connect_to(server.port());
    REQUIRE(fd >= 0);
    sockets hold{{fd}};
    REQUIRE(send_all(fd, std::string("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: ") + form +
                             "\r\nTransfer-Encoding: chunked\r\n\r\n1;ext="));
    // An extension that never ends: a server that buffers until the line ends would take all 4 MiB.
    const std::string more(64 * 1024, 'x');
    std::size_t sent = 0;
    while (sent < 4 * 1024 * 1024 && send_all(fd, more))
        sent += more.size();
    set_receive_timeout(fd, 5s);
    const auto raw = read_all(fd);
    INFO(raw);
    CHECK(status_of(raw) == 400);
    CHECK(body_of(raw).find("line_too_long") != std::string::npos);
    CHECK(rss_bounded(peak_rss_mib(server.pid()), baseline));
}

TEST_CASE("hostile: a header over 16 KiB is refused with 431 whether it arrives at once or in pieces",
          "[e2e][hostile]")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    // A 15 KiB start line and 3 KiB of fields: each under the limit, the whole over it (the case Beast 1.81
    // lets through when both arrive in one read).
    const std::string request = "GET /healthz?" + std::string(15 * 1024, 'q') + " HTTP/1.1\r\nHost: x\r\nX-Pad: " +
                                std::string(3 * 1024, 'p') + "\r\n\r\n";
    for (const std::size_t piece : {request.size(), std::size_t{1000}}) {
        INFO("sent in pieces of " << piece << " bytes");
        const int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        sockets hold{{fd}};
        for (std::size_t at = 0; at < request.size(); at += piece)
            REQUIRE(send_all(fd, request.substr(at, piece)));
        set_receive_timeout(fd, 5s);
        const auto raw = read_all(fd);
        CHECK(status_of(raw) == 431);
        CHECK(body_of(raw).find("headers_too_large") != std::string::npos);
    }
    // Under the limit it is served.
    const int fd = connect_to(server.port());
    REQUIRE(fd >= 0);
    sockets hold{{fd}};
    REQUIRE(send_all(fd, "GET /healthz?" + std::string(8 * 1024, 'q') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    set_receive_timeout(fd, 5s);
    CHECK(status_of(read_all(fd)) == 200);
}

TEST_CASE("hostile: slowloris clients are closed at the request deadline while others are served", "[e2e][hostile]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_HTTP_TIMEOUT"] = "2";
    server_process server(env);
    sockets slow;
    for (int i = 0; i < 50; ++i) {
        const int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        slow.fds.push_back(fd);
        REQUIRE(send_all(fd, "POST /slack/events HTTP/1.1\r\nHost: x\r\n"));
    }
    // A header line a byte at a time, every 100 ms, never finished: each byte arrives well within any idle
    // timeout, but the request as a whole must arrive within 2 s.
    const std::string drip = "X-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    std::vector<bool> closed(slow.fds.size(), false);
    std::size_t at = 0;
    const auto start = steady::now();
    std::chrono::milliseconds slowest_health{0};
    while (std::count(closed.begin(), closed.end(), false) > 0 && steady::now() - start < 10s) {
        for (std::size_t i = 0; i < slow.fds.size(); ++i) {
            if (closed[i])
                continue;
            char c = 0;
            const auto n = ::recv(slow.fds[i], &c, 1, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
                ::send(slow.fds[i], &drip[at % drip.size()], 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                closed[i] = true;
        }
        ++at;
        const auto [status, took] = timed_health(server.port());
        CHECK(status == 200);
        slowest_health = std::max(slowest_health, took);
        std::this_thread::sleep_for(100ms);
    }
    const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
    std::cout << "hostile: 50 slowloris clients all closed after " << lasted.count() << " ms; slowest /healthz meanwhile "
              << slowest_health.count() << " ms" << std::endl;
    CHECK(std::count(closed.begin(), closed.end(), true) == 50);
    CHECK(lasted < 8s);
    CHECK(slowest_health < 1s);
}

TEST_CASE("hostile: forged Slack requests are refused, and a signed command sent again is not acted on twice",
          "[e2e][hostile]")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    const auto body = slash_command_form("U01SAM", "help");
    const auto ts = std::to_string(now_s());
    // Forged: signed with another secret, or with the signature of another body.
    CHECK(http_request(server.port(), http::verb::post, "/slack/commands", body,
                       {{"Content-Type", form},
                        {"X-Slack-Request-Timestamp", ts},
                        {"X-Slack-Signature", checkpoint::bot::sign_slack_request("guessed", ts, body)}})
              .result() == http::status::unauthorized);
    CHECK(http_request(server.port(), http::verb::post, "/slack/commands", body + "&x=1",
                       {{"Content-Type", form},
                        {"X-Slack-Request-Timestamp", ts},
                        {"X-Slack-Signature", checkpoint::bot::sign_slack_request(e2e_secret, ts, body)}})
              .result() == http::status::unauthorized);

    // Replayed: the same signed bytes, inside the five minutes a signature stays valid.
    const std::map<std::string, std::string> same{{"Content-Type", form},
                                                  {"X-Slack-Request-Timestamp", ts},
                                                  {"X-Slack-Signature",
                                                   checkpoint::bot::sign_slack_request(e2e_secret, ts, body)}};
    CHECK(http_request(server.port(), http::verb::post, "/slack/commands", body, same).result() ==
          http::status::ok);
    auto again = http_request(server.port(), http::verb::post, "/slack/commands", body, same);
    CHECK(again.result() == http::status::unauthorized);
    CHECK(boost::json::parse(again.body()).at("error").at("code") == "replayed");
    // A retried event with the same signature is answered (Slack may retry one so); its event_id de-duplicates it.
    const std::string event = R"({"type":"event_callback","team_id":"T1","event_id":"Ev0HOSTILE1","event":{"type":"app_home_opened","user":"U01SAM","tab":"home"}})";
    const std::map<std::string, std::string> signed_event{
        {"Content-Type", "application/json"},
        {"X-Slack-Request-Timestamp", ts},
        {"X-Slack-Signature", checkpoint::bot::sign_slack_request(e2e_secret, ts, event)}};
    CHECK(http_request(server.port(), http::verb::post, "/slack/events", event, signed_event).result() ==
          http::status::ok);
    CHECK(http_request(server.port(), http::verb::post, "/slack/events", event, signed_event).result() ==
          http::status::ok);
    const auto metrics = http_request(server.port(), http::verb::get, "/metrics").body();
    CHECK_THAT(metrics, Catch::Contains(R"(checkpoint_slack_signature_failures_total{reason="replayed"} 1)"));
}
