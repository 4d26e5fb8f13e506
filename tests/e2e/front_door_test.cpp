#include "tests/e2e/server_process.hpp"
#include "tests/support/temp_dir.hpp"

#include "bot/slack_signature.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

using namespace checkpoint::test;
namespace net = boost::asio;

namespace {

constexpr const char* form = "application/x-www-form-urlencoded";

std::string command_body(const std::string& text) { return slash_command_form("U01SAM", text); }

long long now_s()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

boost::json::value json_of(const response& r) { return boost::json::parse(r.body()); }

} // namespace

TEST_CASE("checkpointd serves health, readiness and metrics")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    CHECK(http_request(server.port(), http::verb::get, "/healthz").result() == http::status::ok);
    auto ready = http_request(server.port(), http::verb::get, "/readyz");
    CHECK(ready.result() == http::status::ok);
    CHECK(json_of(ready).at("status") == "ready");
    auto metrics = http_request(server.port(), http::verb::get, "/metrics");
    CHECK_THAT(metrics.body(), Catch::Contains(R"(checkpoint_http_requests_total{code="2xx",route="/readyz"} 1)"));
    CHECK(http_request(server.port(), http::verb::get, "/nope").result() == http::status::not_found);
    CHECK(http_request(server.port(), http::verb::delete_, "/healthz").result() == http::status::method_not_allowed);
    CHECK(server.stop() == 0);
}

TEST_CASE("a signed /checkpoint help is answered ephemerally, quickly, on every Slack path")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    for (const char* path : {"/slack/events", "/slack/commands", "/slack/interactions"}) {
        INFO(path);
        const auto start = std::chrono::steady_clock::now();
        auto r = slack_post(server.port(), path, form, command_body("help"));
        const auto took = std::chrono::steady_clock::now() - start;
        REQUIRE(r.result() == http::status::ok);
        CHECK_THAT(std::string(r[http::field::content_type]), Catch::StartsWith("application/json"));
        auto v = json_of(r);
        CHECK(v.at("response_type") == "ephemeral");
        CHECK_THAT(std::string(v.at("text").as_string()), Catch::Contains("/checkpoint request"));
        // Slack allows 3 s; a help reply has no excuse to come near it.
        CHECK(took < std::chrono::milliseconds(500));
    }
}

TEST_CASE("forged, stale and unsigned requests are refused with 401, and no secret is logged")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    const std::string body = command_body("help");

    auto forged = http_request(server.port(), http::verb::post, "/slack/events", body,
                               {{"Content-Type", form},
                                {"X-Slack-Request-Timestamp", std::to_string(now_s())},
                                {"X-Slack-Signature",
                                 checkpoint::bot::sign_slack_request("not-the-secret", std::to_string(now_s()), body)}});
    CHECK(forged.result() == http::status::unauthorized);

    CHECK(slack_post(server.port(), "/slack/events", form, body, {}, now_s() - 301).result() ==
          http::status::unauthorized);
    CHECK(slack_post(server.port(), "/slack/events", form, body, {}, now_s() + 301).result() ==
          http::status::unauthorized);
    CHECK(http_request(server.port(), http::verb::post, "/slack/events", body, {{"Content-Type", form}}).result() ==
          http::status::unauthorized);

    auto metrics = http_request(server.port(), http::verb::get, "/metrics").body();
    CHECK_THAT(metrics, Catch::Contains(R"(checkpoint_slack_signature_failures_total{reason="stale_timestamp"} 2)"));
    CHECK_THAT(metrics, Catch::Contains(R"(checkpoint_slack_signature_failures_total{reason="signature_mismatch"} 1)"));
    CHECK(server.stop() == 0);
    const auto out = server.output();
    CHECK_THAT(out, Catch::Contains("refused unverified request"));
    CHECK(out.find(e2e_secret) == std::string::npos);
}

TEST_CASE("bodies over 64 KiB are refused with 413")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    const std::string big = command_body(std::string(70 * 1024, 'a'));
    auto r = slack_post(server.port(), "/slack/events", form, big);
    CHECK(r.result() == http::status::payload_too_large);
    CHECK(json_of(r).at("error").at("code") == "payload_too_large");
    // Exactly at the limit is still read (and then verified).
    std::string at_limit = command_body("help&pad=");
    at_limit += std::string(64 * 1024 - at_limit.size(), 'b');
    CHECK(slack_post(server.port(), "/slack/events", form, at_limit).result() == http::status::ok);
}

TEST_CASE("malformed requests get 400 with a reason, never a crash")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    SECTION("a signed payload that is not JSON")
    {
        auto r = slack_post(server.port(), "/slack/interactions", form, "payload=%7Bnope");
        CHECK(r.result() == http::status::bad_request);
        CHECK_THAT(std::string(json_of(r).at("error").at("message").as_string()), Catch::Contains("not JSON"));
    }
    SECTION("a signed body of an unknown content type")
    {
        auto r = slack_post(server.port(), "/slack/events", "text/xml", "<x/>");
        CHECK(r.result() == http::status::bad_request);
    }
    SECTION("bytes that are not HTTP")
    {
        net::io_context ioc;
        net::ip::tcp::socket s(ioc);
        s.connect({net::ip::make_address("127.0.0.1"), server.port()});
        net::write(s, net::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        CHECK(res.result() == http::status::bad_request);
    }
    // The server is still healthy afterwards.
    CHECK(http_request(server.port(), http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("url_verification answers the challenge")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    auto r = slack_post(
        server.port(), "/slack/events", "application/json",
        R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})");
    REQUIRE(r.result() == http::status::ok);
    CHECK(json_of(r).at("challenge") == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

TEST_CASE("a retried event does nothing twice, also across a restart")
{
    temp_dir dir;
    const std::string event =
        R"({"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev0PV52K25","event_time":1,"event":{"type":"app_home_opened","user":"U01SAM","channel":"D1","tab":"home"}})";
    {
        server_process server(e2e_env(dir.path().string()));
        CHECK(slack_post(server.port(), "/slack/events", "application/json", event).result() == http::status::ok);
        CHECK(slack_post(server.port(), "/slack/events", "application/json", event,
                         {{"X-Slack-Retry-Num", "1"}, {"X-Slack-Retry-Reason", "http_timeout"}})
                  .result() == http::status::ok);
        CHECK(server.wait_for_output("already handled; retry 1 (http_timeout) ignored"));
        CHECK(server.stop() == 0);
    }
    server_process again(e2e_env(dir.path().string()));
    CHECK(slack_post(again.port(), "/slack/events", "application/json", event, {{"X-Slack-Retry-Num", "2"}})
              .result() == http::status::ok);
    CHECK(again.wait_for_output("already handled; retry 2"));
}

TEST_CASE("keep-alive serves several requests on one connection")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    net::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
    boost::beast::flat_buffer buf;
    for (int i = 0; i < 3; ++i) {
        http::request<http::string_body> req{http::verb::get, "/healthz", 11};
        req.set(http::field::host, "x");
        http::write(stream, req);
        http::response<http::string_body> res;
        http::read(stream, buf, res);
        CHECK(res.result() == http::status::ok);
        CHECK(res.keep_alive());
    }
}

TEST_CASE("an idle or slow client is closed at the deadline")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_HTTP_TIMEOUT"] = "1";
    server_process server(env);
    net::io_context ioc;
    net::ip::tcp::socket s(ioc);
    s.connect({net::ip::make_address("127.0.0.1"), server.port()});
    // Half a request line, then silence.
    net::write(s, net::buffer(std::string("POST /slack/events HTTP/1.1\r\nHost: x\r\n")));
    const auto start = std::chrono::steady_clock::now();
    char c;
    boost::system::error_code ec;
    net::read(s, net::buffer(&c, 1), ec);
    CHECK(ec == net::error::eof);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("SIGTERM stops the service cleanly, with exit status 0")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()));
    // An idle keep-alive connection must not hold shutdown up.
    net::io_context ioc;
    net::ip::tcp::socket idle(ioc);
    idle.connect({net::ip::make_address("127.0.0.1"), server.port()});
    CHECK(server.stop(SIGTERM) == 0);
    CHECK_THAT(server.output(), Catch::Contains("shutdown: done"));
}

TEST_CASE("without SLACK_SIGNING_SECRET the service refuses to start and says why")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env.erase("SLACK_SIGNING_SECRET");
    server_process server(env, {}, false);
    CHECK(server.wait_exit() == 2);
    CHECK_THAT(server.output(), Catch::Contains("SLACK_SIGNING_SECRET is not set") && Catch::Contains("--dev"));
}

TEST_CASE("dev mode generates and prints a secret, and serves requests signed with it")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env.erase("SLACK_SIGNING_SECRET");
    server_process server(env, {"--dev"});
    std::smatch m;
    const auto out = server.output();
    REQUIRE(std::regex_search(out, m, std::regex("SLACK_SIGNING_SECRET=([0-9a-f]{64})")));
    const std::string secret = m[1];
    const std::string body = command_body("help");
    const std::string ts = std::to_string(now_s());
    auto r = http_request(server.port(), http::verb::post, "/slack/events", body,
                          {{"Content-Type", form},
                           {"X-Slack-Request-Timestamp", ts},
                           {"X-Slack-Signature", checkpoint::bot::sign_slack_request(secret, ts, body)}});
    CHECK(r.result() == http::status::ok);
}

TEST_CASE("JSON log format writes one JSON object per line")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()), {"--log-format", "json"});
    slack_post(server.port(), "/slack/events", form, "bad=1", {}, now_s() - 1000);
    CHECK(server.stop() == 0);
    std::istringstream lines(server.output());
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        INFO(line);
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        REQUIRE_FALSE(ec);
        CHECK(v.as_object().contains("level"));
        CHECK(v.as_object().contains("msg"));
        ++n;
    }
    CHECK(n >= 3);
}

TEST_CASE("bad configuration is reported, variable by variable")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_LISTEN"] = "nowhere";
    server_process server(env, {}, false);
    CHECK(server.wait_exit() == 2);
    CHECK_THAT(server.output(), Catch::Contains("CHECKPOINT_LISTEN must be host:port"));
}

TEST_CASE("invalid manifests: --check-manifests lists every problem, and the service refuses to start")
{
    temp_dir dir;
    const auto m = dir.path() / "manifests";
    std::filesystem::create_directories(m / "bundles");
    std::filesystem::create_directories(m / "directory");
    std::filesystem::copy(std::string(CHECKPOINT_SOURCE_DIR) + "/manifests/checkpoint.yaml", m / "checkpoint.yaml");
    std::filesystem::copy(std::string(CHECKPOINT_SOURCE_DIR) + "/manifests/directory", m / "directory",
                          std::filesystem::copy_options::recursive);
    std::ofstream(m / "bundles" / "broken.yaml") << "name: broken\n"
                                                    "description: x\n"
                                                    "owner_team: no-such-team\n"
                                                    "risk: high\n"
                                                    "durations: { default: 1d, max: 3x }\n"
                                                    "colour: red\n";
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_MANIFESTS"] = m.string();

    server_process check(env, {"--check-manifests"}, false);
    CHECK(check.wait_exit() == 1);
    const auto out = check.output();
    CHECK_THAT(out, Catch::Contains("broken.yaml:5") && Catch::Contains("durations.max"));
    CHECK_THAT(out, Catch::Contains("broken.yaml:6") && Catch::Contains("colour"));
    CHECK_THAT(out, Catch::Contains("no-such-team"));

    server_process serve(env, {}, false);
    CHECK(serve.wait_exit() == 2);
    CHECK_THAT(serve.output(), Catch::Contains("refuses to start on invalid manifests"));
}

TEST_CASE("the example manifests check clean")
{
    temp_dir dir;
    server_process check(e2e_env(dir.path().string()), {"--check-manifests"}, false);
    CHECK(check.wait_exit() == 0);
    CHECK_THAT(check.output(), Catch::Contains("are valid: 9 bundles, 20 people"));
}

TEST_CASE("without SLACK_BOT_TOKEN: Slack is never called, an unknown user is told how to be added, and the "
          "log says once that Slack calls are off")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    // Where Slack calls would go if any were made: nothing listens there.
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/";
    server_process server(env);
    // Said right after the "listening" line the harness waits for.
    CHECK(server.wait_for_output("SLACK_BOT_TOKEN is not set: Slack calls are off"));

    // U1 is in no directory: the answer says so, and how to fix it, instead of "try again".
    std::string body = command_body("mine");
    body.replace(body.find("user_id=U01SAM"), std::string("user_id=U01SAM").size(), "user_id=U1");
    auto stranger = slack_post(server.port(), "/slack/commands", form, body);
    REQUIRE(stranger.result() == http::status::ok);
    CHECK_THAT(stranger.body(), Catch::Contains("does not know you yet") && Catch::Contains("slack_id: U1"));
    CHECK_THAT(stranger.body(), !Catch::Contains("try again"));

    // Sam (in the directory by slack_id) files a request: its cards and DMs are dropped, not retried.
    auto filed = slack_post(server.port(), "/slack/commands", form,
                            command_body("request%20api-production%20--duration%207d%20--reason%20%22load%20test%22"));
    REQUIRE(filed.result() == http::status::ok);
    CHECK_THAT(filed.body(), Catch::Contains("Requesting access"));
    SQLite::Database db(dir.file("checkpoint.db"), SQLite::OPEN_READONLY, 5000);
    const auto unsettled = [&] {
        SQLite::Statement q(db, "SELECT count(*) FROM jobs WHERE status < 2 AND kind NOT IN ('expire', 'remind', "
                                "'revoke', 'sync_resources', 'anchor_audit')");
        q.executeStep();
        return q.getColumn(0).getInt();
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (unsettled() != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(unsettled() == 0);
    CHECK(server.stop() == 0);
    const auto log = server.output();
    CHECK_THAT(log, !Catch::Contains("will retry") && !Catch::Contains("transport_") && !Catch::Contains("127.0.0.1:9"));
}

TEST_CASE("checkpointd's command line: --help names every setting, an unknown flag is a usage error (64), and a "
          "missing manifests folder names CHECKPOINT_MANIFESTS")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    {
        server_process help(env, {"--help"}, false);
        CHECK(help.wait_exit() == 0);
        for (const char* name : {"CHECKPOINT_WORKERS", "CHECKPOINT_HTTP_TIMEOUT", "CHECKPOINT_THREADS", "SLACK_BOT_TOKEN"})
            CHECK_THAT(help.output(), Catch::Contains(name));
    }
    {
        server_process unknown(env, {"--no-such-flag"}, false);
        CHECK(unknown.wait_exit() == 64);
        CHECK_THAT(unknown.output(), Catch::Contains("--no-such-flag"));
    }
    env["CHECKPOINT_MANIFESTS"] = dir.file("nowhere");
    server_process missing(env, {}, false);
    CHECK(missing.wait_exit() == 2);
    CHECK_THAT(missing.output(), Catch::Contains("no manifests folder at " + dir.file("nowhere")) &&
                                     Catch::Contains("set CHECKPOINT_MANIFESTS"));
}

TEST_CASE("a port already in use is reported before any database is created")
{
    temp_dir first_dir;
    server_process first(e2e_env(first_dir.path().string()));
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_LISTEN"] = "127.0.0.1:" + std::to_string(first.port());
    server_process second(env, {}, false);
    CHECK(second.wait_exit() == 1);
    CHECK_THAT(second.output(), Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
    CHECK_FALSE(std::filesystem::exists(dir.file("checkpoint.db")));
    CHECK(first.stop() == 0);
}
