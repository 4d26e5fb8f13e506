#include "outbound/beast_http_client.hpp"
#include "outbound/tls.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <openssl/ssl.h>
#include <poll.h>

#include <charconv>
#include <functional>
#include <optional>

namespace checkpoint::outbound {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace outbound_detail {

struct tls_context {
    ssl::context ctx{ssl::context::tls_client};
};

// Where a request goes, read once from its URL.
struct target {
    bool tls = false;
    // For DNS, SNI and the certificate check: decoded, without IPv6 brackets.
    std::string host;
    std::string host_header;
    std::string port;
    std::string path;
    // The pool key: connections are shared only between requests to the same origin.
    std::string key;
};

// One kept-alive connection with the io_context that drives it; used by one thread at a time.
struct connection {
    net::io_context ioc{1};
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    steady::time_point idle_since{};

    beast::tcp_stream& tcp_layer() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    void close() noexcept
    {
        beast::error_code ec;
        tcp_layer().socket().close(ec);
    }
};

} // namespace outbound_detail

using outbound_detail::connection;
using outbound_detail::target;

namespace {

template <class String>
std::string to_std(const String& s)
{
    return std::string(s.data(), s.size());
}

transport_failure failure(transport_failure_kind kind, std::string message)
{
    return transport_failure{kind, std::move(message)};
}

std::optional<target> parse_target(std::string_view url, std::string& why)
{
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        why = "not an absolute URL";
        return std::nullopt;
    }
    const boost::urls::url_view& u = *parsed;
    target t;
    if (u.scheme_id() == boost::urls::scheme::https)
        t.tls = true;
    else if (u.scheme_id() != boost::urls::scheme::http) {
        why = "the scheme must be http or https";
        return std::nullopt;
    }
    if (!u.has_authority() || u.encoded_host().empty()) {
        why = "no host";
        return std::nullopt;
    }
    t.host = u.host_address();
    const std::string default_port = t.tls ? "443" : "80";
    t.port = default_port;
    if (u.has_port() && !u.port().empty()) {
        // port_number() wraps values over 65535, so the digits are read here.
        const auto digits = u.port();
        unsigned long port = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535) {
            why = "bad port";
            return std::nullopt;
        }
        t.port = std::to_string(port);
    }
    t.host_header = to_std(u.encoded_host());
    if (t.port != default_port)
        t.host_header += ":" + t.port;
    t.path = to_std(u.encoded_target());
    if (t.path.empty() || t.path.front() != '/')
        t.path.insert(0, "/");
    t.key = (t.tls ? "https://" : "http://") + t.host + ":" + t.port;
    return t;
}

bool has_line_break(std::string_view s)
{
    return s.find_first_of("\r\n") != std::string_view::npos;
}

// Runs the connection's io_context until the started operation sets `done` or the deadline
// passes; then `cancel` ends the operation at once and false is returned.
bool drive(connection& c, const bool& done, steady::time_point deadline, const std::function<void()>& cancel)
{
    c.ioc.restart();
    while (!done) {
        const auto now = steady::now();
        if (now >= deadline)
            break;
        c.ioc.run_one_for(deadline - now);
        // Out of work without completing would be a bug; never spin on it.
        if (c.ioc.stopped() && !done)
            break;
    }
    if (done)
        return true;
    cancel();
    c.ioc.restart();
    while (!done && c.ioc.run_one() > 0) {
    }
    return false;
}

// An idle connection the server has since closed (or written to) shows as readable.
bool peer_gone(connection& c)
{
    pollfd pfd{};
    pfd.fd = c.tcp_layer().socket().native_handle();
    pfd.events = POLLIN;
    return ::poll(&pfd, 1, 0) != 0;
}

struct exchange_result {
    std::optional<outbound_response> response;
    std::optional<transport_failure> failure;
    bool keep_alive = false;
    // Failed before any byte of an answer: a reused connection the server had already dropped.
    bool maybe_stale = false;
};

template <class Stream>
exchange_result exchange(connection& c, Stream& stream, http::request<http::string_body>& msg,
                         std::size_t body_limit, steady::time_point deadline)
{
    exchange_result out;
    bool done = false;
    beast::error_code ec;
    const auto close = [&c] { c.close(); };

    http::async_write(stream, msg, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!drive(c, done, deadline, close)) {
        out.failure = failure(transport_failure_kind::timeout, "timed out sending the request");
        return out;
    }
    if (ec) {
        out.failure = failure(transport_failure_kind::io, "write: " + ec.message());
        out.maybe_stale = true;
        return out;
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    parser.header_limit(64 * 1024);
    if (msg.method() == http::verb::head)
        parser.skip(true);
    done = false;
    http::async_read(stream, c.buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!drive(c, done, deadline, close)) {
        out.failure = failure(transport_failure_kind::timeout, "timed out waiting for the response");
        return out;
    }
    if (ec == http::error::body_limit) {
        out.failure = failure(transport_failure_kind::io,
                              "response body larger than " + std::to_string(body_limit) + " bytes");
        return out;
    }
    if (ec) {
        out.failure = failure(transport_failure_kind::io, "read: " + ec.message());
        out.maybe_stale = !parser.got_some();
        return out;
    }

    auto& res = parser.get();
    outbound_response r;
    r.status = res.result_int();
    for (const auto& field : res)
        r.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
    r.body = std::move(res.body());
    // Leftover bytes would desynchronise the next exchange on this connection.
    out.keep_alive = res.keep_alive() && parser.is_done() && c.buffer.size() == 0;
    out.response = std::move(r);
    return out;
}

} // namespace

beast_http_client::beast_http_client(beast_http_client_options options)
    : options_(std::move(options)), tls_(std::make_unique<outbound_detail::tls_context>())
{
    configure_client_tls(tls_->ctx, options_.extra_ca_pem);
}

beast_http_client::~beast_http_client() = default;

std::size_t beast_http_client::idle_connections() const
{
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, conns] : idle_)
        n += conns.size();
    return n;
}

std::unique_ptr<connection> beast_http_client::take_idle(const std::string& key)
{
    std::lock_guard lock(mutex_);
    const auto it = idle_.find(key);
    if (it == idle_.end())
        return nullptr;
    auto& conns = it->second;
    const auto now = steady::now();
    while (!conns.empty()) {
        auto conn = std::move(conns.back());
        conns.pop_back();
        if (now - conn->idle_since <= options_.max_idle_time && !peer_gone(*conn))
            return conn;
    }
    return nullptr;
}

void beast_http_client::put_idle(const std::string& key, std::unique_ptr<connection> conn)
{
    std::lock_guard lock(mutex_);
    auto& conns = idle_[key];
    if (conns.size() >= options_.max_idle_per_host)
        return;
    conn->idle_since = steady::now();
    conns.push_back(std::move(conn));
}

std::pair<std::unique_ptr<connection>, std::optional<transport_failure>>
beast_http_client::open(const target& t, steady::time_point deadline)
{
    auto c = std::make_unique<connection>();
    bool done = false;
    beast::error_code ec;

    // getaddrinfo cannot be interrupted: a hung DNS server holds this thread until it gives up.
    tcp::resolver resolver(c->ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(t.host, t.port, [&](beast::error_code e, tcp::resolver::results_type r) {
        ec = e;
        endpoints = std::move(r);
        done = true;
    });
    if (!drive(*c, done, deadline, [&resolver] { resolver.cancel(); }))
        return {nullptr, failure(transport_failure_kind::timeout, "timed out resolving " + t.host)};
    if (ec)
        return {nullptr, failure(transport_failure_kind::resolve, "resolve " + t.host + ": " + ec.message())};

    if (t.tls)
        c->secure.emplace(c->ioc, tls_->ctx);
    else
        c->plain.emplace(c->ioc);
    connections_opened_.fetch_add(1);
    const auto close = [&c] { c->close(); };

    done = false;
    c->tcp_layer().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    if (!drive(*c, done, deadline, close))
        return {nullptr, failure(transport_failure_kind::timeout, "timed out connecting to " + t.key)};
    if (ec)
        return {nullptr, failure(transport_failure_kind::connect, "connect " + t.key + ": " + ec.message())};
    c->tcp_layer().socket().set_option(tcp::no_delay(true), ec);

    if (!t.tls)
        return {std::move(c), std::nullopt};

    if (!set_server_name(c->secure->native_handle(), t.host))
        return {nullptr, failure(transport_failure_kind::tls, "cannot set SNI for " + t.host)};
    c->secure->set_verify_callback(ssl::host_name_verification(t.host));

    done = false;
    c->secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    if (!drive(*c, done, deadline, close))
        return {nullptr, failure(transport_failure_kind::timeout, "timed out in the TLS handshake with " + t.key)};
    if (ec)
        return {nullptr, failure(transport_failure_kind::tls, "TLS handshake with " + t.key + ": " + ec.message())};
    return {std::move(c), std::nullopt};
}

std::pair<std::optional<outbound_response>, std::optional<transport_failure>>
beast_http_client::send(const outbound_request& req)
{
    std::string why;
    const auto t = parse_target(req.url, why);
    if (!t)
        return {std::nullopt, failure(transport_failure_kind::bad_url, why)};
    const auto verb = http::string_to_verb(req.method);
    if (verb == http::verb::unknown)
        return {std::nullopt, failure(transport_failure_kind::bad_url, "unsupported method " + req.method)};

    http::request<http::string_body> msg{verb, t->path, 11};
    msg.set(http::field::host, t->host_header);
    msg.set(http::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : req.headers) {
        if (name.empty() || has_line_break(name) || has_line_break(value))
            return {std::nullopt, failure(transport_failure_kind::bad_url, "malformed header " + name)};
        msg.set(name, value);
    }
    msg.body() = req.body;
    msg.keep_alive(true);
    msg.prepare_payload();

    const auto deadline = steady::now() + req.timeout;
    for (int attempt = 0;; ++attempt) {
        auto conn = attempt == 0 ? take_idle(t->key) : nullptr;
        const bool reused = conn != nullptr;
        if (!conn) {
            auto [opened, failed] = open(*t, deadline);
            if (failed)
                return {std::nullopt, std::move(failed)};
            conn = std::move(opened);
        }
        auto r = t->tls ? exchange(*conn, *conn->secure, msg, options_.max_body_bytes, deadline)
                        : exchange(*conn, *conn->plain, msg, options_.max_body_bytes, deadline);
        // The server dropped the kept-alive connection before reading this request: once more, fresh.
        if (r.failure && reused && r.maybe_stale)
            continue;
        if (r.failure)
            return {std::nullopt, std::move(r.failure)};
        if (r.keep_alive)
            put_idle(t->key, std::move(conn));
        return {std::move(r.response), std::nullopt};
    }
}

} // namespace checkpoint::outbound
