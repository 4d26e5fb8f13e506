#pragma once

#include "bot/config.hpp"
#include "bot/http_app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace checkpoint::bot {

// Shared by the listener and every session: what is in flight, and whether to wind down.
struct server_state {
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> draining{false};
    // Connections open now (a session counts itself from its start to its end).
    std::atomic<std::size_t> connections{0};
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
    std::size_t connections() const { return state_->connections.load(); }
    // The most connections served at once: CHECKPOINT_MAX_CONNECTIONS, lowered to what the open-files limit
    // leaves once the service's own files and Slack's connections are counted.
    std::size_t max_connections() const { return max_connections_; }

private:
    void do_accept();
    void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
    // Accepting failed for want of descriptors or memory: wait (longer each time, up to a second) instead of
    // spinning on accept and filling the log.
    void back_off(const boost::beast::error_code& ec);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    http_app& app_;
    const config& config_;
    std::shared_ptr<server_state> state_ = std::make_shared<server_state>();
    std::size_t max_connections_;
    boost::asio::steady_timer retry_;
    std::chrono::milliseconds retry_delay_{0};
};

} // namespace checkpoint::bot
