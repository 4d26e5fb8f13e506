#include "bot/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace checkpoint::bot {

namespace beast = boost::beast;
namespace net = boost::asio;

http_session::http_session(net::ip::tcp::socket&& socket, http_app& app, const config& cfg,
                           std::shared_ptr<server_state> state)
    : stream_(std::move(socket)), app_(app), config_(cfg), state_(std::move(state))
{
    boost::system::error_code ec;
    if (auto ep = stream_.socket().remote_endpoint(ec); !ec)
        peer_ = ep.address();
    state_->connections.fetch_add(1);
}

http_session::~http_session() { state_->connections.fetch_sub(1); }

void http_session::run()
{
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read()
{
    // A fresh parser per request, so limits and state never carry over between requests. The header is read
    // first under the largest limit any route has; the route's own limit is applied once its target is known.
    parser_.emplace();
    parser_->body_limit(max_upload_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(max_header_bytes));
    body_limit_ = max_body_bytes;
    stream_.expires_after(config_.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t bytes)
{
    // A Content-Length over even the largest limit fails here, with the header parsed.
    if (ec == http::error::body_limit)
        body_limit_ = app_.body_limit(parser_->get().method(), parser_->get().target());
    if (ec)
        return on_read(ec, bytes);
    // Beast 1.81 applies the header limit to the start line and to the fields apart when both arrive in one
    // read (found by fuzz/http_request_fuzzer.cpp): the whole header is held to it here.
    if (bytes > max_header_bytes)
        return on_read(http::error::header_limit, bytes);
    const auto& head = parser_->get();
    body_limit_ = app_.body_limit(head.method(), head.target());
    if (const auto length = parser_->content_length(); length && *length > body_limit_)
        return on_read(http::error::body_limit, bytes);
    if (body_limit_ <= max_body_bytes)
        return read_body();
    // A large body is read only for a caller whose token may send one, checked off this thread; anyone else is
    // answered from the header, and the body is never read.
    app_.admit(head, stream_.get_executor(), [self = shared_from_this()](std::optional<response> refusal) {
        if (refusal)
            return self->send(std::move(*refusal), false);
        self->read_body();
    });
}

void http_session::read_body()
{
    parser_->body_limit(body_limit_);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t)
{
    if (ec == http::error::end_of_stream)
        return do_close();
    if (ec == beast::error::timeout)
        return do_close();
    if (ec == http::error::body_limit)
        return send(app_.too_large(parser_->get().target(), body_limit_, parser_->get().version()), false);
    if (ec == http::error::header_limit)
        return send(error_response(http::status::request_header_fields_too_large, "headers_too_large",
                                   "the request headers are larger than 16384 bytes"),
                    false);
    if (ec == http::error::buffer_overflow)
        return send(error_response(http::status::bad_request, "line_too_long",
                                   "a line of the request (a chunk size and its extensions) is longer than " +
                                       std::to_string(max_read_buffer_bytes) + " bytes"),
                    false);
    if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return send(error_response(http::status::bad_request, "bad_http", "malformed HTTP request: " + ec.message()),
                    false);
    if (ec)
        return fail(ec, "read");

    state_->in_flight.fetch_add(1);
    auto req = std::make_shared<request>(parser_->release());
    app_.handle_async(*req, peer_, stream_.get_executor(), [self = shared_from_this(), req](response res) {
        res.keep_alive(req->keep_alive() && !self->state_->draining.load());
        self->send(std::move(res), true);
    });
}

void http_session::send(response res, bool counted)
{
    const bool close = !res.keep_alive() || !counted;
    if (!counted)
        res.keep_alive(false);
    res.prepare_payload();
    res_ = std::make_shared<response>(std::move(res));
    stream_.expires_after(config_.write_timeout);
    http::async_write(stream_, *res_,
                      beast::bind_front_handler(&http_session::on_write, shared_from_this(), close, counted));
}

void http_session::on_write(bool close, bool counted, beast::error_code ec, std::size_t)
{
    if (counted)
        state_->in_flight.fetch_sub(1);
    res_.reset();
    if (ec)
        return fail(ec, "write");
    if (close)
        return do_close();
    do_read();
}

void http_session::do_close()
{
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    // A lingering close: what the peer still sends (the body of a refused request) is read and dropped for a
    // moment, so its answer is not lost to a reset, and no more than max_drain_bytes is taken from it.
    if (ec)
        return;
    drained_ = 0;
    stream_.expires_after(std::chrono::seconds{2});
    drain();
}

void http_session::drain()
{
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16 * 1024), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
        self->drained_ += n;
        if (!ec && self->drained_ < max_drain_bytes)
            self->drain();
    });
}

void http_session::fail(beast::error_code ec, std::string_view what)
{
    // A peer resetting or vanishing is routine for a server; only note it.
    if (ec == net::error::operation_aborted || ec == net::error::connection_reset || ec == beast::error::timeout)
        return;
    spdlog::debug("http: {}: {}", what, ec.message());
}

} // namespace checkpoint::bot
