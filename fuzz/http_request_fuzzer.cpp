// HTTP request parsing: the bytes of one request as a client sends them, into a Beast request parser set
// up as bot/http_session.cpp sets it up (header limit, the largest body limit while the header is read,
// then the route's own limit from its target, and a read buffer of max_read_buffer_bytes), fed whole
// and again in small pieces. A request that is read then meets the checks the server makes before
// dispatch: the target, the route (Slack or API), the ssl_check probe, Slack's signature and the API's
// bearer scheme.

#include "bot/api/api_errors.hpp"
#include "bot/api/api_internal.hpp"
#include "bot/api/api_router.hpp"
#include "bot/http.hpp"
#include "bot/slack_request.hpp"
#include "bot/slack_signature.hpp"
#include "fuzz_support.hpp"
#include "workflow/text.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <optional>
#include <span>
#include <string>

namespace {

using namespace checkpoint;
namespace http = boost::beast::http;
namespace net = boost::asio;
using bot::max_body_bytes;
using bot::max_header_bytes;
using bot::max_read_buffer_bytes;
using bot::max_upload_bytes;

constexpr std::string_view signing_secret = "8f742231b10e8888abcd99yyyzzz85a5";

struct outcome {
    std::optional<bot::request> req;
    boost::system::error_code ec;
    std::size_t body_limit = max_body_bytes;
    // The bytes the header took, once it was read.
    std::size_t header_bytes = 0;
};

// Reads `text` in pieces of the given sizes (cycled), as async_read_header and then async_read would.
outcome read_request(std::string_view text, std::span<const std::size_t> pieces)
{
    outcome out;
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_upload_bytes);
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.eager(false);
    bool header_handled = false;

    std::string buffer;
    std::size_t fed = 0;
    std::size_t consumed = 0;
    std::size_t piece = 0;
    for (;;) {
        boost::system::error_code ec;
        std::size_t used = 0;
        if (!buffer.empty())
            used = parser.put(net::buffer(buffer), ec);
        buffer.erase(0, used);
        consumed += used;
        if (ec == http::error::need_more || (!ec && used == 0 && !parser.is_done())) {
            if (fed == text.size()) {
                // The peer closed: what the stream's end means to the parser.
                parser.put_eof(ec);
                if (!ec && !parser.is_done())
                    ec = http::error::partial_message;
                if (ec) {
                    out.ec = ec;
                    return out;
                }
            } else {
                // The connection's buffer holds at most max_read_buffer_bytes not yet parsed (a chunk-size line
                // longer than that cannot be read): Beast's read fails when it is full and more is needed.
                if (buffer.size() >= max_read_buffer_bytes) {
                    out.ec = http::error::buffer_overflow;
                    return out;
                }
                const auto n = std::min({pieces[piece++ % pieces.size()], text.size() - fed,
                                         max_read_buffer_bytes - buffer.size()});
                buffer.append(text.substr(fed, n));
                fed += n;
                continue;
            }
        } else if (ec) {
            // on_header: a Content-Length over even the upload limit fails with the header read.
            if (ec == http::error::body_limit && parser.is_header_done())
                out.body_limit =
                    bot::api::api_router::body_limit(parser.get().method(), parser.get().target());
            out.ec = ec;
            return out;
        }
        if (parser.is_header_done() && !header_handled) {
            header_handled = true;
            out.header_bytes = consumed;
            // on_header holds the whole header to the limit, however it arrived.
            if (consumed > max_header_bytes) {
                out.ec = http::error::header_limit;
                return out;
            }
            const auto& head = parser.get();
            out.body_limit = bot::api::api_router::body_limit(head.method(), head.target());
            if (const auto length = parser.content_length(); length && *length > out.body_limit) {
                out.ec = http::error::body_limit;
                return out;
            }
            // Over 64 KiB the server first asks whether the caller's token may upload (http_app::admit, against
            // the token store); a caller it admits has the body read as here.
            parser.body_limit(out.body_limit);
            parser.eager(true);
        }
        if (parser.is_done())
            break;
    }
    out.req = parser.release();
    return out;
}

std::string_view header(const bot::request& req, std::string_view name)
{
    auto it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

// The server's answer to a request it could not read (http_session::on_read).
void refuse(const outcome& o)
{
    if (o.ec == http::error::body_limit) {
        fuzz::check(o.body_limit == max_body_bytes || o.body_limit == max_upload_bytes, "the body limit is a route's");
        (void)bot::api::api_error(bot::api::code::too_large, "The body is larger than " + std::to_string(o.body_limit));
    } else if (o.ec == http::error::buffer_overflow) {
        (void)bot::error_response(http::status::bad_request, "line_too_long", "a line is too long");
    } else if (o.ec == http::error::header_limit) {
        (void)bot::error_response(http::status::request_header_fields_too_large, "headers_too_large", "too large");
    } else {
        (void)bot::error_response(http::status::bad_request, "bad_http", "malformed HTTP request: " + o.ec.message());
    }
}

// What happens between reading a request and handing it on (http_app, slack_endpoint, api_router).
void before_dispatch(const bot::request& req)
{
    fuzz::check(req.body().size() <= max_upload_bytes, "no body read is over the upload limit");
    if (req.body().size() > max_body_bytes)
        fuzz::check(bot::api::api_router::body_limit(req.method(), req.target()) == max_upload_bytes,
                    "only PUT /api/v1/resources reads a body over 64 KiB");
    (void)req.keep_alive();
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target) {
        (void)bot::error_response(http::status::bad_request, "bad_target", target.error().message());
        return;
    }
    const std::string_view path = target->encoded_path();
    if (bot::api::api_router::owns(path)) {
        (void)bot::api::match(bot::api::segments_after_prefix(*target), req.method());
        // authenticate(): the bearer scheme is checked before the token store is asked.
        const auto auth = req[http::field::authorization];
        if (auth.size() > 7)
            (void)workflow::to_lower(auth.substr(0, 7));
        return;
    }
    if (req.method() != http::verb::post ||
        (path != "/slack/events" && path != "/slack/commands" && path != "/slack/interactions"))
        return;
    const auto content_type = header(req, "Content-Type");
    if (bot::is_ssl_check(content_type, req.body()))
        return;
    const auto bad = bot::verify_slack_signature(signing_secret, header(req, "X-Slack-Request-Timestamp"),
                                                 header(req, "X-Slack-Signature"), req.body(), fuzz::fixed_now());
    if (bad) {
        (void)bot::describe(*bad);
        return;
    }
    (void)bot::parse_slack_request(content_type, req.body());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    static constexpr std::array<std::size_t, 1> whole{SIZE_MAX};
    static constexpr std::array<std::size_t, 4> pieces{1, 3, 17, 128};

    const auto at_once = read_request(text, whole);
    const auto in_pieces = read_request(text, pieces);
    // How the bytes arrive must not change what is read. (Beast 1.81 alone applies the header limit to the
    // start line and the fields apart when both arrive in one read; on_header holds the whole header to it.)
    fuzz::check(at_once.req.has_value() == in_pieces.req.has_value(), "pieces and whole read alike");
    fuzz::check(!at_once.req || at_once.header_bytes <= max_header_bytes, "no header over the limit is read");
    if (at_once.req && in_pieces.req)
        fuzz::check(at_once.req->body() == in_pieces.req->body() && at_once.req->target() == in_pieces.req->target() &&
                        at_once.req->method_string() == in_pieces.req->method_string() &&
                        at_once.header_bytes == in_pieces.header_bytes,
                    "pieces and whole read the same request");
    if (at_once.req) {
        before_dispatch(*at_once.req);
    } else {
        // Which error a malformed request gets may differ (Beast parses a start line it has whole at once,
        // and waits for the header's end otherwise); that it is refused may not.
        refuse(at_once);
        refuse(in_pieces);
    }
    return 0;
}
