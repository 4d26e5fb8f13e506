// The Socket Mode client against a TLS WebSocket server on loopback: wss:// is dialled with the
// certificate and the host name verified, hello and an envelope are read, and the acknowledgement
// carries the dispatcher's answer. (Whole stories over Socket Mode run in tests/e2e.)
#include "bot/socket_mode/socket_client.hpp"
#include "tests/bot/slack/test_certificate.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

using namespace checkpoint;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// Accepts TLS WebSockets; on each says hello, sends one slash command envelope and records the
// acknowledgement. Counts TLS handshakes that failed (a client that refused the certificate).
class tls_socket_server {
public:
    explicit tls_socket_server(const test::test_certificate& cert) : tls_(net::ssl::context::tls_server)
    {
        tls_.use_certificate_chain(net::buffer(cert.cert_pem));
        tls_.use_private_key(net::buffer(cert.key_pem), net::ssl::context::pem);
        const tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), 0};
        acceptor_.open(endpoint.protocol());
        acceptor_.bind(endpoint);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~tls_socket_server()
    {
        ioc_.stop();
        thread_.join();
    }

    unsigned short port() const { return port_; }

    bool wait(const std::function<bool()>& pred)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(20), pred);
    }

    std::string ack;
    int tls_failures = 0;

private:
    using stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

    void accept()
    {
        acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec)
                return;
            auto ws = std::make_shared<stream>(std::move(socket), tls_);
            ws->next_layer().async_handshake(net::ssl::stream_base::server, [this, ws](beast::error_code e) {
                if (e) {
                    note([&] { ++tls_failures; });
                    return;
                }
                ws->async_accept([this, ws](beast::error_code e2) {
                    if (!e2)
                        talk(ws);
                });
            });
            accept();
        });
    }

    void talk(const std::shared_ptr<stream>& ws)
    {
        ws->text(true);
        ws->write(net::buffer(std::string(R"({"type":"hello","num_connections":1})")));
        ws->write(net::buffer(std::string(
            R"({"envelope_id":"e-tls-1","type":"slash_commands","accepts_response_payload":true,)"
            R"("payload":{"command":"/checkpoint","text":"ping","user_id":"U1","team_id":"T1"}})")));
        auto buffer = std::make_shared<beast::flat_buffer>();
        ws->async_read(*buffer, [this, ws, buffer](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            note([&] { ack = beast::buffers_to_string(buffer->data()); });
            // Keep reading until the client closes.
            buffer->consume(buffer->size());
            ws->async_read(*buffer, [ws, buffer](beast::error_code, std::size_t) {});
        });
    }

    template <class F>
    void note(F f)
    {
        {
            std::lock_guard lock(mutex_);
            f();
        }
        changed_.notify_all();
    }

    net::ssl::context tls_;
    net::io_context ioc_{1};
    tcp::acceptor acceptor_{ioc_};
    unsigned short port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
};

struct harness {
    bot::metrics stats;
    std::vector<std::thread> blocking;
    std::mutex mutex;
    std::vector<std::string> commands;
    // The handler loses its callback without answering (as one that throws on an application thread does).
    bool drop_answer = false;

    std::unique_ptr<bot::socket_mode::client> make(const std::string& url, const std::string& trusted_pem)
    {
        bot::socket_mode::client_options o;
        o.connections = 1;
        o.extra_ca_pem = trusted_pem;
        o.backoff_min = std::chrono::milliseconds(50);
        o.backoff_max = std::chrono::milliseconds(200);
        return std::make_unique<bot::socket_mode::client>(
            o, [url] { return bot::socket_mode::open_result{bot::socket_mode::opened_url{url}}; },
            [this](bot::slack_request r, const bot::slack_delivery&, bot::slack_reply done) {
                std::lock_guard lock(mutex);
                commands.push_back(std::get<bot::slash_command>(r).text);
                if (!drop_answer)
                    done(boost::json::object{{"text", "pong"}});
            },
            [this](std::function<void()> task) {
                std::lock_guard lock(mutex);
                blocking.emplace_back(std::move(task));
            },
            stats);
    }

    ~harness()
    {
        for (auto& t : blocking)
            t.join();
    }
};

} // namespace

TEST_CASE("socket mode client: wss:// with a trusted certificate connects, and the ack carries the answer")
{
    const auto cert = test::make_self_signed_certificate("DNS:localhost");
    tls_socket_server server(cert);
    harness h;
    auto client = h.make("wss://localhost:" + std::to_string(server.port()) + "/link/?ticket=1", cert.cert_pem);
    client->start();
    REQUIRE(server.wait([&] { return !server.ack.empty(); }));
    const auto ack = boost::json::parse(server.ack).as_object();
    CHECK(ack.at("envelope_id") == "e-tls-1");
    CHECK(ack.at("payload").at("text") == "pong");
    CHECK(client->open_connections() == 1);
    CHECK(client->state() == "connected 1 of 1");
    client->stop();
    std::lock_guard lock(h.mutex);
    CHECK(h.commands == std::vector<std::string>{"ping"});
}

TEST_CASE("socket mode client: an envelope whose handler drops its answer is still acknowledged, bare")
{
    const auto cert = test::make_self_signed_certificate("DNS:localhost");
    tls_socket_server server(cert);
    harness h;
    h.drop_answer = true;
    auto client = h.make("wss://localhost:" + std::to_string(server.port()) + "/link/?ticket=1", cert.cert_pem);
    client->start();
    REQUIRE(server.wait([&] { return !server.ack.empty(); }));
    CHECK(boost::json::parse(server.ack) == boost::json::parse(R"({"envelope_id":"e-tls-1"})"));
    client->stop();
}

TEST_CASE("socket mode client: a certificate it cannot verify is refused, and nothing is read")
{
    struct row {
        const char* why;
        const char* san;
        bool trusted;
    };
    const row rows[] = {
        {"signed by no CA it trusts", "DNS:localhost", false},
        {"trusted, but for another host name", "DNS:wss-primary.slack.com", true},
    };
    for (const auto& r : rows) {
        INFO(r.why);
        const auto cert = test::make_self_signed_certificate(r.san);
        tls_socket_server server(cert);
        harness h;
        auto client = h.make("wss://localhost:" + std::to_string(server.port()) + "/link",
                             r.trusted ? cert.cert_pem : std::string());
        client->start();
        // Two refusals: it keeps dialling with backoff, and never gets further.
        REQUIRE(server.wait([&] { return server.tls_failures >= 2; }));
        CHECK(client->open_connections() == 0);
        CHECK(client->state() == "connecting 0 of 1");
        client->stop();
        CHECK(h.commands.empty());
    }
}
