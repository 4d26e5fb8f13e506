#include "bot/http_server.hpp"

#include "bot/http_session.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

namespace checkpoint::bot {

namespace net = boost::asio;
using tcp = net::ip::tcp;

http_server::http_server(net::io_context& ioc, tcp::acceptor listening, http_app& app, const config& cfg)
    : ioc_(ioc), acceptor_(std::move(listening)), app_(app), config_(cfg)
{
}

boost::system::result<tcp::acceptor> http_server::listen(net::io_context& ioc, const listen_address& where)
{
    boost::system::error_code ec;
    auto address = net::ip::make_address(where.host, ec);
    if (ec)
        return ec;
    const tcp::endpoint endpoint{address, where.port};
    tcp::acceptor acceptor(net::make_strand(ioc));
    acceptor.open(endpoint.protocol(), ec);
    if (ec)
        return ec;
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (ec)
        return ec;
    acceptor.bind(endpoint, ec);
    if (ec)
        return ec;
    acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return ec;
    return acceptor;
}

void http_server::start() { do_accept(); }

void http_server::begin_drain()
{
    state_->draining = true;
    net::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ec;
        acceptor_.close(ec);
    });
}

void http_server::do_accept()
{
    acceptor_.async_accept(net::make_strand(ioc_), boost::beast::bind_front_handler(&http_server::on_accept, this));
}

void http_server::on_accept(boost::beast::error_code ec, tcp::socket socket)
{
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
        return;
    if (ec)
        spdlog::warn("http: accept: {}", ec.message());
    else
        std::make_shared<http_session>(std::move(socket), app_, config_, state_)->run();
    do_accept();
}

} // namespace checkpoint::bot
