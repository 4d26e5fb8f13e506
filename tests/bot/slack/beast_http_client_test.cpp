#include "outbound/beast_http_client.hpp"
#include "tests/bot/slack/loopback_server.hpp"
#include "tests/bot/slack/test_certificate.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/field.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace checkpoint;
using namespace checkpoint::outbound;
using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

outbound::outbound_request get(std::string url, std::chrono::milliseconds timeout = 5s)
{
    outbound::outbound_request req;
    req.method = "GET";
    req.url = std::move(url);
    req.timeout = timeout;
    return req;
}

// A server answering every request with its method, target and body echoed back.
test::loopback_server echo_server(test::loopback_server::options opts = {})
{
    return test::loopback_server(
        [](const test::server_request& req) {
            auto res = test::text_response(req, std::string(req.method_string()) + " " + std::string(req.target()) + " " + req.body());
            res.set("X-Echo-Content-Type", req[http::field::content_type]);
            return std::optional(std::move(res));
        },
        std::move(opts));
}

// A port nobody listens on: bound, then released.
unsigned short closed_port()
{
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

std::shared_ptr<net::ssl::context> server_tls(const test::test_certificate& cert)
{
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->use_certificate_chain(net::buffer(cert.cert_pem));
    ctx->use_private_key(net::buffer(cert.key_pem), net::ssl::context::pem);
    return ctx;
}

} // namespace

TEST_CASE("beast_http_client: a POST carries its headers and body, and the answer comes back whole")
{
    // given
    auto server = echo_server();
    outbound::beast_http_client client;
    outbound::outbound_request req;
    req.url = server.url("/api/chat.postMessage?x=1");
    req.headers = {{"Content-Type", "application/json"}};
    req.body = R"({"a":1})";

    // when
    auto [res, failure] = client.send(req);

    // then
    REQUIRE_FALSE(failure);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == R"(POST /api/chat.postMessage?x=1 {"a":1})");
    CHECK(res->header("x-echo-content-type") == "application/json");
    CHECK(res->header("CONTENT-TYPE") == "text/plain");
    CHECK_FALSE(res->header("x-missing"));
}

TEST_CASE("beast_http_client: consecutive requests to one host reuse the kept-alive connection")
{
    auto server = echo_server();
    outbound::beast_http_client client;

    for (int i = 0; i < 3; ++i) {
        auto [res, failure] = client.send(get(server.url("/n")));
        REQUIRE(res);
    }

    CHECK(server.connections_accepted() == 1);
    CHECK(client.connections_opened() == 1);
    CHECK(client.idle_connections() == 1);
}

TEST_CASE("beast_http_client: a kept-alive connection the server dropped is replaced, and the request succeeds")
{
    test::loopback_server::options opts;
    opts.close_after_response = true;
    auto server = echo_server(opts);
    outbound::beast_http_client client;

    auto first = client.send(get(server.url("/1")));
    auto second = client.send(get(server.url("/2")));

    REQUIRE(first.first);
    REQUIRE(second.first);
    CHECK(second.first->body == "GET /2 ");
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("beast_http_client: the idle pool per host is bounded")
{
    auto server = echo_server();
    outbound::beast_http_client_options opts;
    opts.max_idle_per_host = 2;
    outbound::beast_http_client client(opts);

    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            for (int j = 0; j < 5; ++j)
                if (client.send(get(server.url("/c"))).first)
                    answered.fetch_add(1);
        });
    for (auto& t : threads)
        t.join();

    CHECK(answered.load() == 30);
    CHECK(server.requests_received() == 30);
    CHECK(client.idle_connections() <= 2);
}

TEST_CASE("beast_http_client: the deadline ends a request the server never answers")
{
    test::loopback_server server([](const test::server_request&) { return std::optional<test::server_response>(); });
    outbound::beast_http_client client;

    const auto start = std::chrono::steady_clock::now();
    auto [res, failure] = client.send(get(server.url("/hang"), 200ms));
    const auto took = std::chrono::steady_clock::now() - start;

    REQUIRE(failure);
    CHECK(failure->kind == outbound::transport_failure_kind::timeout);
    CHECK(outbound::is_retryable(failure->kind));
    CHECK(took >= 200ms);
    CHECK(took < 3s);
    CHECK(client.idle_connections() == 0);
}

TEST_CASE("beast_http_client: a refused connection is a connect failure")
{
    outbound::beast_http_client client;

    auto [res, failure] = client.send(get("http://127.0.0.1:" + std::to_string(closed_port()) + "/"));

    REQUIRE(failure);
    CHECK(failure->kind == outbound::transport_failure_kind::connect);
    CHECK(to_string(failure->kind) == "connect");
}

TEST_CASE("beast_http_client: a body over the limit is an io failure")
{
    test::loopback_server server(
        [](const test::server_request& req) { return std::optional(test::text_response(req, std::string(4096, 'x'))); });
    outbound::beast_http_client_options opts;
    opts.max_body_bytes = 1024;
    outbound::beast_http_client client(opts);

    auto [res, failure] = client.send(get(server.url()));

    REQUIRE(failure);
    CHECK(failure->kind == outbound::transport_failure_kind::io);
    CHECK_THAT(failure->message, Catch::Contains("1024"));
}

TEST_CASE("beast_http_client: malformed requests are bad_url and not retryable")
{
    auto [name, url, method] = GENERATE(table<std::string, std::string, std::string>({
        {"not a URL", "slack.com/api/", "POST"},
        {"relative", "/api/chat.postMessage", "POST"},
        {"another scheme", "ftp://slack.com/api/", "POST"},
        {"no host", "http:///api/", "POST"},
        {"bad port", "http://127.0.0.1:99999/", "POST"},
        {"unknown method", "http://127.0.0.1/", "FROB"},
    }));
    outbound::beast_http_client client;
    outbound::outbound_request req;
    req.url = url;
    req.method = method;

    auto [res, failure] = client.send(req);

    INFO(name);
    REQUIRE(failure);
    CHECK(failure->kind == outbound::transport_failure_kind::bad_url);
    CHECK_FALSE(outbound::is_retryable(failure->kind));
    CHECK(client.connections_opened() == 0);
}

TEST_CASE("beast_http_client: a header with a line break is refused before anything is sent")
{
    outbound::beast_http_client client;
    outbound::outbound_request req = get("http://127.0.0.1:1/");
    req.headers = {{"X-Injected", "a\r\nEvil: 1"}};

    auto [res, failure] = client.send(req);

    REQUIRE(failure);
    CHECK(failure->kind == outbound::transport_failure_kind::bad_url);
}

TEST_CASE("beast_http_client: a redirect is returned, not followed")
{
    test::loopback_server server([](const test::server_request& req) {
        auto res = test::text_response(req, "", 302);
        res.set(http::field::location, "http://127.0.0.1:1/elsewhere");
        return std::optional(std::move(res));
    });
    outbound::beast_http_client client;

    auto [res, failure] = client.send(get(server.url()));

    REQUIRE(res);
    CHECK(res->status == 302);
    CHECK(res->header("location") == "http://127.0.0.1:1/elsewhere");
}

TEST_CASE("beast_http_client: https to a plain HTTP port fails as tls")
{
    auto server = echo_server();
    outbound::beast_http_client client;

    auto [res, failure] = client.send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));

    REQUIRE(failure);
    CHECK(failure->kind == outbound::transport_failure_kind::tls);
    CHECK_FALSE(outbound::is_retryable(failure->kind));
}

TEST_CASE("beast_http_client: TLS certificates are verified against the trusted CAs and the host name")
{
    const auto cert = test::make_self_signed_certificate("DNS:localhost");
    test::loopback_server::options opts;
    opts.tls = server_tls(cert);
    auto server = echo_server(opts);
    const auto https_url = [&](std::string_view host) {
        return "https://" + std::string(host) + ":" + std::to_string(server.port()) + "/secure";
    };

    SECTION("a self-signed certificate nobody trusts fails as tls")
    {
        outbound::beast_http_client client;
        auto [res, failure] = client.send(get(https_url("localhost")));
        REQUIRE(failure);
        CHECK(failure->kind == outbound::transport_failure_kind::tls);
        CHECK_THAT(failure->message, Catch::Contains("certificate"));
    }
    SECTION("a trusted certificate for another name fails as tls")
    {
        outbound::beast_http_client_options trusting;
        trusting.extra_ca_pem = cert.cert_pem;
        outbound::beast_http_client client(trusting);
        auto [res, failure] = client.send(get(https_url("127.0.0.1")));
        REQUIRE(failure);
        CHECK(failure->kind == outbound::transport_failure_kind::tls);
    }
    SECTION("a trusted certificate for the host name succeeds, and the connection is kept alive")
    {
        outbound::beast_http_client_options trusting;
        trusting.extra_ca_pem = cert.cert_pem;
        outbound::beast_http_client client(trusting);
        auto first = client.send(get(https_url("localhost")));
        auto second = client.send(get(https_url("localhost")));
        REQUIRE(first.first);
        REQUIRE(second.first);
        CHECK(second.first->body == "GET /secure ");
        CHECK(server.connections_accepted() == 1);
    }
}
