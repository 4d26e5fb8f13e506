#pragma once

#include "bot/config.hpp"
#include "bot/http_app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>

namespace checkpoint::bot {

// Shared by the listener and every session: what is in flight, and whether to wind down.
struct server_state {
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> draining{false};
};

// The Beast HTTP/1.1 server: an acceptor whose connections each run on their own strand.
class http_server {
public:
    // Binds and listens on `where` before anything else is set up, so a port in use or a bad address
    // is reported before a database is created. local_endpoint() is the real port when 0 was asked.
    static boost::system::result<boost::asio::ip::tcp::acceptor> listen(boost::asio::io_context& ioc,
                                                                        const listen_address& where);

    // Serves on `listening`, an acceptor from listen().
    http_server(boost::asio::io_context& ioc, boost::asio::ip::tcp::acceptor listening, http_app& app,
                const config& cfg);
    void start();

    // Stops accepting; sessions finish the request in hand and close instead of keeping alive.
    void begin_drain();
    std::size_t in_flight() const { return state_->in_flight.load(); }

private:
    void do_accept();
    void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    http_app& app_;
    const config& config_;
    std::shared_ptr<server_state> state_ = std::make_shared<server_state>();
};

} // namespace checkpoint::bot
