#include "bot/http_server.hpp"

#include "bot/http_session.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <algorithm>
#include <sstream>

namespace checkpoint::bot {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Descriptors the service needs besides its connections: the database and its journal, logs, Slack and
// webhook connections from the workers, Socket Mode, child processes' pipes.
constexpr rlim_t reserved_descriptors = 256;

// Raises the soft open-files limit to the hard one, and returns how many connections fit under it.
std::size_t connections_that_fit(std::size_t wanted)
{
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return wanted;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit raised = lim;
        raised.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            lim = raised;
    }
    if (lim.rlim_cur == RLIM_INFINITY)
        return wanted;
    const auto fit = lim.rlim_cur > 2 * reserved_descriptors ? lim.rlim_cur - reserved_descriptors : lim.rlim_cur / 2;
    if (fit >= wanted)
        return wanted;
    spdlog::warn("http: CHECKPOINT_MAX_CONNECTIONS is {}, but the open-files limit ({}) leaves room for {}; "
                 "serving at most {} connections (raise `ulimit -n` for more)",
                 wanted, lim.rlim_cur, fit, fit);
    return static_cast<std::size_t>(fit);
}

// Out of descriptors or memory: accept again later. Anything else is one connection's trouble.
bool is_exhaustion(const boost::beast::error_code& ec)
{
    return ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory ||
           ec == boost::system::errc::too_many_files_open_in_system;
}

// At the connection cap: a short 503 written without waiting (the socket's send buffer takes it), then closed,
// so a flood of connections costs each one a moment and no session.
void refuse_busy(tcp::socket socket, std::size_t cap)
{
    auto res = error_response(http::status::service_unavailable, "busy",
                              "the server is serving its most connections at once (" + std::to_string(cap) +
                                  "); try again in a moment");
    res.set(http::field::retry_after, "1");
    res.keep_alive(false);
    res.prepare_payload();
    std::ostringstream text;
    text << res;
    const auto bytes = text.str();
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    net::write(socket, net::buffer(bytes), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

} // namespace

http_server::http_server(net::io_context& ioc, tcp::acceptor listening, http_app& app, const config& cfg)
    : ioc_(ioc), acceptor_(std::move(listening)), app_(app), config_(cfg),
      max_connections_(connections_that_fit(cfg.max_connections)), retry_(acceptor_.get_executor())
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
    if (is_exhaustion(ec))
        return back_off(ec);
    retry_delay_ = std::chrono::milliseconds{0};
    if (ec)
        spdlog::debug("http: accept: {}", ec.message());
    else if (state_->connections.load() >= max_connections_)
        refuse_busy(std::move(socket), max_connections_);
    else
        std::make_shared<http_session>(std::move(socket), app_, config_, state_)->run();
    do_accept();
}

void http_server::back_off(const boost::beast::error_code& ec)
{
    // Said once per episode, not once per attempt.
    if (retry_delay_.count() == 0)
        spdlog::warn("http: cannot accept connections ({}) with {} open; retrying with back-off", ec.message(),
                     state_->connections.load());
    retry_delay_ = std::min(std::chrono::milliseconds{1000}, std::max(std::chrono::milliseconds{10}, retry_delay_ * 2));
    retry_.expires_after(retry_delay_);
    retry_.async_wait([this](boost::beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open())
            do_accept();
    });
}

} // namespace checkpoint::bot
