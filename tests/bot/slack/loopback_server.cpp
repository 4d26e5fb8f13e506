#include "tests/bot/slack/loopback_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <vector>

namespace checkpoint::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct loopback_server::state {
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    handler on_request;
    options opts;
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> received{0};
    // Connections left unanswered on purpose, kept open until the server stops.
    std::vector<std::shared_ptr<void>> hung;
};

namespace {

template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
    session(Stream stream, loopback_server::state& st) : stream_(std::move(stream)), state_(st) {}

    void start()
    {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            do_read();
        } else {
            stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (!ec)
                    self->do_read();
            });
        }
    }

private:
    void do_read()
    {
        req_ = {};
        http::async_read(stream_, buffer_, req_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_read(ec);
        });
    }

    void on_read(beast::error_code ec)
    {
        if (ec)
            return;
        state_.received.fetch_add(1);
        auto res = state_.on_request(req_);
        if (!res) {
            state_.hung.push_back(this->shared_from_this());
            return;
        }
        res_ = std::move(*res);
        res_.prepare_payload();
        http::async_write(stream_, res_, [self = this->shared_from_this()](beast::error_code e, std::size_t) {
            self->on_write(e);
        });
    }

    void on_write(beast::error_code ec)
    {
        if (ec)
            return;
        if (state_.opts.close_after_response || !res_.keep_alive()) {
            beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
        do_read();
    }

    Stream stream_;
    loopback_server::state& state_;
    beast::flat_buffer buffer_;
    server_request req_;
    server_response res_;
};

void do_accept(loopback_server::state* st)
{
    st->acceptor.async_accept([st](beast::error_code ec, tcp::socket socket) {
        if (ec)
            return;
        st->accepted.fetch_add(1);
        socket.set_option(tcp::no_delay(true), ec);
        if (st->opts.tls) {
            using tls_stream = beast::ssl_stream<beast::tcp_stream>;
            std::make_shared<session<tls_stream>>(tls_stream(std::move(socket), *st->opts.tls), *st)->start();
        } else {
            std::make_shared<session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), *st)->start();
        }
        do_accept(st);
    });
}

} // namespace

loopback_server::loopback_server(handler h) : loopback_server(std::move(h), options{}) {}

loopback_server::loopback_server(handler h, options opts) : state_(std::make_unique<state>())
{
    state_->on_request = std::move(h);
    state_->opts = std::move(opts);
    const tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), 0};
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(net::socket_base::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    do_accept(state_.get());
    thread_ = std::thread([st = state_.get()] { st->ioc.run(); });
}

loopback_server::~loopback_server()
{
    state_->ioc.stop();
    thread_.join();
}

unsigned short loopback_server::port() const noexcept
{
    return state_->acceptor.local_endpoint().port();
}

std::string loopback_server::url(std::string_view path) const
{
    return std::string(state_->opts.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::size_t loopback_server::connections_accepted() const noexcept
{
    return state_->accepted.load();
}

std::size_t loopback_server::requests_received() const noexcept
{
    return state_->received.load();
}

server_response text_response(const server_request& req, std::string body, unsigned status)
{
    server_response res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    return res;
}

} // namespace checkpoint::test
