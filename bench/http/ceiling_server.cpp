// The ceiling for the HTTP benchmark: the least a Beast server must do to answer a signed Slack
// request. It reads with a fresh parser per request (64 KiB body limit) under a deadline, verifies
// the Slack signature over the raw body with the very function checkpointd uses, and answers 200
// with a fixed body of the same size as checkpointd's reply; 401 when the signature is bad.
// Same concurrency model as checkpointd: one io_context, a pool of threads, a strand per
// connection, keep-alive. Anything checkpointd spends beyond this is the cost of its own code.
//
// usage: bench_http_ceiling PORT BODY [THREADS]
//   PORT     TCP port on 127.0.0.1 (0: any free port)
//   BODY     a file whose bytes are the reply body, or a byte count (a JSON body of that size)
//   THREADS  worker threads (default: one per core)
// The signing secret comes from SLACK_SIGNING_SECRET, as for checkpointd. Prints
// "listening on http://127.0.0.1:PORT" on stdout once it accepts; stops on SIGINT/SIGTERM.

#include "bot/replay_guard.hpp"
#include "bot/slack_signature.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr std::chrono::seconds io_timeout{10};

struct settings {
    std::string secret;
    std::string body;
    // The same replay check checkpointd makes after the signature, so the ceiling does that work too.
    mutable checkpoint::bot::replay_guard replays;
};

std::chrono::system_clock::time_point sent_at(std::string_view seconds)
{
    long long t = 0;
    std::from_chars(seconds.data(), seconds.data() + seconds.size(), t);
    return std::chrono::system_clock::time_point{std::chrono::seconds{t}};
}

std::string_view header(const http::request<http::string_body>& req, std::string_view name)
{
    auto it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, const settings& s) : stream_(std::move(socket)), settings_(s) {}

    void run()
    {
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::do_read, shared_from_this()));
    }

private:
    void do_read()
    {
        parser_.emplace();
        parser_->body_limit(max_body_bytes);
        stream_.expires_after(io_timeout);
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t)
    {
        if (ec)
            return close();
        const auto& req = parser_->get();
        res_.emplace();
        res_->version(req.version());
        res_->keep_alive(req.keep_alive());
        res_->set(http::field::server, "checkpointd");
        res_->set(http::field::content_type, "application/json");
        if (req.method() != http::verb::post) {
            res_->result(http::status::method_not_allowed);
        } else if (checkpoint::bot::verify_slack_signature(
                       settings_.secret, header(req, "X-Slack-Request-Timestamp"), header(req, "X-Slack-Signature"),
                       req.body(), std::chrono::system_clock::now())) {
            res_->result(http::status::unauthorized);
            res_->body() = R"({"error":{"code":"invalid_signature"}})";
        } else if (!settings_.replays.first_use(header(req, "X-Slack-Signature"),
                                                 sent_at(header(req, "X-Slack-Request-Timestamp")),
                                                 std::chrono::system_clock::now())) {
            res_->result(http::status::unauthorized);
            res_->body() = R"({"error":{"code":"replayed"}})";
        } else {
            res_->result(http::status::ok);
            res_->body() = settings_.body;
        }
        res_->prepare_payload();
        stream_.expires_after(io_timeout);
        http::async_write(stream_, *res_, beast::bind_front_handler(&session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t)
    {
        const bool keep = res_->keep_alive();
        res_.reset();
        if (ec || !keep)
            return close();
        do_read();
    }

    void close()
    {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> res_;
    const settings& settings_;
};

class listener {
public:
    listener(net::io_context& ioc, const settings& s) : ioc_(ioc), acceptor_(net::make_strand(ioc)), settings_(s) {}

    tcp::endpoint listen(unsigned short port)
    {
        const tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
        acceptor_.open(ep.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen(net::socket_base::max_listen_connections);
        return acceptor_.local_endpoint();
    }

    void accept()
    {
        acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted)
                return;
            if (!ec)
                std::make_shared<session>(std::move(socket), settings_)->run();
            accept();
        });
    }

private:
    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    const settings& settings_;
};

std::optional<unsigned long> parse_number(std::string_view s)
{
    unsigned long n = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
        return std::nullopt;
    return n;
}

// A syntactically valid JSON object of exactly `size` bytes (at least 12).
std::string json_of_size(std::size_t size)
{
    const std::string head = R"({"text":")";
    const std::string tail = R"("})";
    const std::size_t fill = size > head.size() + tail.size() ? size - head.size() - tail.size() : 1;
    return head + std::string(fill, 'x') + tail;
}

int usage()
{
    std::cerr << "usage: bench_http_ceiling PORT BODY_FILE|BODY_BYTES [THREADS]\n"
                 "  the signing secret comes from SLACK_SIGNING_SECRET\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3 || argc > 4)
        return usage();
    const auto port = parse_number(argv[1]);
    if (!port || *port > 65535)
        return usage();
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    if (argc == 4) {
        const auto t = parse_number(argv[3]);
        if (!t || *t == 0 || *t > 256)
            return usage();
        threads = static_cast<unsigned>(*t);
    }

    settings s;
    const char* secret = std::getenv("SLACK_SIGNING_SECRET");
    if (secret == nullptr || *secret == '\0') {
        std::cerr << "bench_http_ceiling: SLACK_SIGNING_SECRET is not set\n";
        return 2;
    }
    s.secret = secret;
    if (const auto bytes = parse_number(argv[2])) {
        s.body = json_of_size(*bytes);
    } else {
        std::ifstream in(argv[2], std::ios::binary);
        if (!in) {
            std::cerr << "bench_http_ceiling: cannot read " << argv[2] << "\n";
            return 2;
        }
        s.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    net::io_context ioc{static_cast<int>(threads)};
    listener l(ioc, s);
    tcp::endpoint ep;
    try {
        ep = l.listen(static_cast<unsigned short>(*port));
    } catch (const std::exception& e) {
        std::cerr << "bench_http_ceiling: cannot listen on 127.0.0.1:" << *port << ": " << e.what() << "\n";
        return 1;
    }
    l.accept();

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });

    std::cout << "listening on http://127.0.0.1:" << ep.port() << " with " << threads << " threads, "
              << s.body.size() << "-byte replies" << std::endl;

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    return 0;
}
