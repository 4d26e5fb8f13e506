#pragma once

#include "bot/config.hpp"
#include "bot/http_app.hpp"
#include "bot/http_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>

namespace checkpoint::bot {

// One connection: read a request, answer it, repeat while keep-alive. Owns itself through
// shared_from_this; every step runs on the connection's strand.
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(boost::asio::ip::tcp::socket&& socket, http_app& app, const config& cfg,
                 std::shared_ptr<server_state> state);
    ~http_session();
    http_session(const http_session&) = delete;
    http_session& operator=(const http_session&) = delete;

    void run();

private:
    void do_read();
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    // Reads the body under `body_limit_` once the request has been admitted to it.
    void read_body();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void send(response res, bool counted);
    void on_write(bool close, bool counted, boost::beast::error_code ec, std::size_t bytes);
    void do_close();
    void drain();
    void fail(boost::beast::error_code ec, std::string_view what);

    boost::beast::tcp_stream stream_;
    // Where the connection came from (unspecified when the socket could not say).
    boost::asio::ip::address peer_;
    boost::beast::flat_buffer buffer_{max_read_buffer_bytes};
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<response> res_;
    http_app& app_;
    const config& config_;
    std::shared_ptr<server_state> state_;
    // The body limit chosen for the request being read, for the 413 message.
    std::size_t body_limit_ = max_body_bytes;
    // Bytes read and dropped after the answer, while closing.
    std::size_t drained_ = 0;
    static constexpr std::size_t max_drain_bytes = 1024 * 1024;
};

} // namespace checkpoint::bot
