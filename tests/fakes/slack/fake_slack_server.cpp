#include "tests/fakes/slack/fake_slack_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <memory>
#include <optional>

namespace checkpoint::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Views may reach 250 kB and the fake must see oversized ones to refuse them as Slack does.
constexpr std::uint64_t max_request_bytes = 4 * 1024 * 1024;

std::string to_std(beast::string_view s)
{
    return std::string(s.data(), s.size());
}

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket socket, fake_slack& api) : stream_(std::move(socket)), api_(api) {}

    void do_read()
    {
        parser_.emplace();
        parser_->body_limit(max_request_bytes);
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_read(ec);
        });
    }

private:
    void on_read(beast::error_code ec)
    {
        if (ec)
            return;
        const auto& req = parser_->get();
        fake_slack::request in{to_std(req.target()),
                               to_std(req[http::field::authorization]),
                               to_std(req[http::field::content_type]),
                               req.body(),
                               to_std(req.method_string()),
                               to_std(req[http::field::cookie])};
        auto out = api_.handle(in);
        res_ = http::response<http::string_body>{static_cast<http::status>(out.status), req.version()};
        for (const auto& [name, value] : out.headers)
            res_.set(name, value);
        res_.body() = std::move(out.body);
        res_.keep_alive(req.keep_alive());
        res_.prepare_payload();
        http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code e, std::size_t) {
            self->on_write(e);
        });
    }

    void on_write(beast::error_code ec)
    {
        if (ec)
            return;
        if (!res_.keep_alive()) {
            stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
            return;
        }
        do_read();
    }

    beast::tcp_stream stream_;
    fake_slack& api_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
};

} // namespace

fake_slack::server::server(fake_slack& api, unsigned short port) : api_(api)
{
    const tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), port};
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    do_accept();
    thread_ = std::thread([this] { ioc_.run(); });
}

fake_slack::server::~server()
{
    ioc_.stop();
    thread_.join();
}

void fake_slack::server::do_accept()
{
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec)
            return;
        // Answers go out at once rather than waiting on Nagle and the peer's delayed ACK.
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<session>(std::move(socket), api_)->do_read();
        do_accept();
    });
}

} // namespace checkpoint::test
