#include "bot/socket_mode/socket_client.hpp"

#include "bot/socket_mode/socket_message.hpp"
#include "outbound/tls.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace checkpoint::bot::socket_mode {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

bool is_loopback(const std::string& host)
{
    if (host == "localhost")
        return true;
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

// Slack's disconnect reasons as metric labels; anything else is "other", so a label cannot grow.
std::string_view reason_label(std::string_view reason)
{
    for (std::string_view known : {"warning", "refresh_requested", "link_disabled", "socket_mode_disabled"})
        if (reason == known)
            return known;
    return "other";
}

} // namespace

std::variant<socket_url, std::string> parse_socket_url(std::string_view url, bool allow_plain_loopback)
{
    auto u = boost::urls::parse_uri(url);
    if (!u)
        return std::string("apps.connections.open answered a URL that does not parse");
    socket_url out;
    const auto scheme = u->scheme();
    if (scheme == "wss")
        out.tls = true;
    else if (scheme == "ws")
        out.tls = false;
    else
        return "apps.connections.open answered a " + std::string(scheme.substr(0, 16)) +
               ":// URL; Socket Mode needs wss://";
    if (u->host_type() == boost::urls::host_type::ipv6)
        out.host = u->host_ipv6_address().to_string();
    else
        out.host = std::string(u->host_address());
    if (out.host.empty())
        return std::string("apps.connections.open answered a URL without a host");
    out.port = u->has_port() ? std::string(u->port()) : std::string(out.tls ? "443" : "80");
    out.target = u->encoded_path().empty() ? std::string("/") : std::string(u->encoded_path());
    if (u->has_query())
        out.target += "?" + std::string(u->encoded_query());
    if (!out.tls) {
        if (!allow_plain_loopback)
            return "apps.connections.open answered ws://" + out.host +
                   " (no TLS); only wss:// is accepted unless SLACK_API_URL is a loopback test server";
        if (!is_loopback(out.host))
            return "apps.connections.open answered ws://" + out.host + "; ws:// is accepted only to a loopback host";
    }
    return out;
}

// One WebSocket to Slack. Lives on the client's io thread; the client keeps it until it closes.
class link : public std::enable_shared_from_this<link> {
public:
    link(unsigned slot_index, unsigned long link_id) : slot(slot_index), id(link_id) {}
    virtual ~link() = default;

    virtual void run(const socket_url& url) = 0;
    // Queues a text frame; dropped once the link is closing.
    virtual void send(std::string text) = 0;
    // A WebSocket close; on_closed follows.
    virtual void close() = 0;

    const unsigned slot;
    const unsigned long id;
    bool said_hello = false;
    std::chrono::steady_clock::time_point opened_at{};
    // Slack asked to close it (or a replacement is dialling): it serves until the replacement says hello.
    bool retiring = false;
    bool closed = false;
};

// One envelope's answer, given once: see on_envelope.
class one_answer {
public:
    one_answer(std::weak_ptr<client::impl> owner, std::string id, std::string type)
        : owner_(std::move(owner)), id_(std::move(id)), type_(std::move(type))
    {
    }
    ~one_answer();
    one_answer(const one_answer&) = delete;
    one_answer& operator=(const one_answer&) = delete;

    void give(std::optional<boost::json::object> reply);

private:
    std::weak_ptr<client::impl> owner_;
    std::string id_;
    std::string type_;
    std::atomic<bool> given_{false};
};

struct client::impl : std::enable_shared_from_this<client::impl> {
    impl(client_options o, opener op, dispatcher d, blocking_runner r, metrics& m)
        : options(std::move(o)), open(std::move(op)), dispatch(std::move(d)), run_blocking(std::move(r)), stats(m)
    {
        outbound::configure_client_tls(tls, options.extra_ca_pem);
        for (unsigned i = 0; i < options.connections; ++i) {
            backoff.push_back(options.backoff_min);
            last_refresh.push_back({});
            redial_timers.push_back(std::make_unique<net::steady_timer>(ioc));
        }
    }

    // --- dialling (io thread) ---

    void dial(unsigned slot)
    {
        if (stopping)
            return;
        ++dialling;
        run_blocking([weak = weak_from_this(), slot] {
            auto self = weak.lock();
            if (!self)
                return;
            open_result r = open_failure{"apps.connections.open was not called", true};
            try {
                r = self->open();
            } catch (const std::exception& e) {
                r = open_failure{e.what(), true};
            }
            net::post(self->ioc, [weak, slot, r = std::move(r)] {
                if (auto s = weak.lock())
                    s->on_url(slot, r);
            });
        });
    }

    void on_url(unsigned slot, const open_result& r)
    {
        --dialling;
        if (stopping)
            return;
        if (const auto* failed = std::get_if<open_failure>(&r)) {
            if (!failed->retryable)
                backoff[slot] = options.backoff_max;
            // Slack's Retry-After (apps.connections.open is rate-limited) is a floor.
            if (failed->retry_after)
                backoff[slot] =
                    std::min(std::max(backoff[slot], *failed->retry_after), std::chrono::milliseconds(600'000));
            spdlog::warn("socket mode: apps.connections.open failed ({}); connection {} dials again in {} ms",
                         failed->error, slot, next_backoff(slot).count());
            return redial(slot);
        }
        auto url = parse_socket_url(std::get<opened_url>(r).url, options.allow_plain_loopback);
        if (auto* why = std::get_if<std::string>(&url)) {
            backoff[slot] = options.backoff_max;
            spdlog::error("socket mode: {}; connection {} dials again in {} ms", *why, slot, next_backoff(slot).count());
            return redial(slot);
        }
        const auto& target = std::get<socket_url>(url);
        auto l = make_link(slot, target.tls);
        links.push_back(l);
        spdlog::info("socket mode: connection {}.{} dialling {}://{}:{}", slot, l->id, target.tls ? "wss" : "ws",
                     target.host, target.port);
        l->run(target);
    }

    std::chrono::milliseconds next_backoff(unsigned slot) const { return backoff[slot]; }

    // How long a connection must have served for a loss to count as news rather than flapping.
    static constexpr std::chrono::seconds stable_after{30};

    void redial(unsigned slot)
    {
        if (stopping)
            return;
        auto& timer = *redial_timers[slot];
        timer.expires_after(backoff[slot]);
        backoff[slot] = std::min(backoff[slot] * 2, options.backoff_max);
        timer.async_wait([weak = weak_from_this(), slot](boost::system::error_code ec) {
            if (auto s = weak.lock(); s && !ec)
                s->dial(slot);
        });
    }

    std::shared_ptr<link> make_link(unsigned slot, bool secure);

    // --- what a link reports (io thread) ---

    void on_text(const std::shared_ptr<link>& l, std::string_view text)
    {
        auto m = parse_message(text);
        if (auto* h = std::get_if<hello>(&m))
            return on_hello(l, *h);
        if (auto* d = std::get_if<disconnect>(&m))
            return on_disconnect(l, d->reason);
        if (auto* e = std::get_if<envelope>(&m))
            return on_envelope(l, std::move(*e));
        const auto& bad = std::get<unusable>(m);
        spdlog::warn("socket mode: connection {}.{}: {}", l->slot, l->id, bad.reason);
        stats.slack_request("malformed");
        // Acknowledged all the same: Slack would only send it again, and it would not decode then either.
        if (!bad.envelope_id.empty())
            l->send(ack(bad.envelope_id, std::nullopt));
    }

    void on_hello(const std::shared_ptr<link>& l, const hello& h)
    {
        l->said_hello = true;
        l->opened_at = steady::now();
        // The connection it replaces has served until now; the new one takes over. The old one closes a
        // little later (if Slack has not closed it first), so acknowledgements on their way still arrive.
        for (auto& other : links)
            if (other != l && other->slot == l->slot && other->retiring && !other->closed) {
                auto timer = std::make_shared<net::steady_timer>(ioc, options.retire_after);
                timer->async_wait([this, timer, old = std::weak_ptr<link>(other)](boost::system::error_code ec) {
                    auto o = old.lock();
                    if (!o || ec)
                        return;
                    // Only while its replacement still serves; otherwise it serves on until Slack closes it.
                    if (has_fresh(o->slot))
                        o->close();
                });
            }
        recount();
        spdlog::info("socket mode: connection {}.{} open (Slack counts {} connection(s); refresh in about {} s); {}",
                     l->slot, l->id, h.num_connections, h.approximate_connection_time_s, state());
    }

    void on_disconnect(const std::shared_ptr<link>& l, const std::string& reason)
    {
        stats.socket_reconnect(reason_label(reason));
        if (reason == "link_disabled")
            spdlog::error("socket mode: Slack disabled connection {}.{} (link_disabled): Socket Mode may have been "
                          "turned off for the app; dialling again with backoff",
                          l->slot, l->id);
        else
            spdlog::info("socket mode: Slack will close connection {}.{} ({}); dialling its replacement now", l->slot,
                         l->id, reason);
        if (l->retiring)
            return;
        l->retiring = true;
        recount();
        if (reason == "link_disabled" || steady::now() - last_refresh[l->slot] < std::chrono::seconds(10))
            redial(l->slot);
        else
            dial(l->slot);
        last_refresh[l->slot] = steady::now();
    }

    void on_closed(const std::shared_ptr<link>& l, const std::string& why)
    {
        if (l->closed)
            return;
        l->closed = true;
        links.erase(std::remove(links.begin(), links.end(), l), links.end());
        recount();
        if (stopping) {
            if (links.empty())
                note_drained();
            return;
        }
        // A retiring link's replacement is already dialling.
        if (l->retiring) {
            spdlog::info("socket mode: connection {}.{} closed after its refresh ({}); {}", l->slot, l->id, why,
                         state());
            return;
        }
        // A connection that served a while starts its successor's backoff afresh; one that flaps does not.
        if (l->said_hello && steady::now() - l->opened_at >= stable_after)
            backoff[l->slot] = options.backoff_min;
        // Never opened (refused, a certificate that does not verify, no hello) or opened and then lost.
        stats.socket_reconnect(l->said_hello ? "lost" : "dial_failed");
        spdlog::warn("socket mode: connection {}.{} {} ({}); dialling again in {} ms; {}", l->slot, l->id,
                     l->said_hello ? "lost" : "could not be opened", why, next_backoff(l->slot).count(), state());
        redial(l->slot);
    }

    // --- envelopes (io thread) ---

    void on_envelope(const std::shared_ptr<link>& l, envelope e)
    {
        stats.socket_envelope(e.type);
        // Shutting down: neither handled nor acknowledged, so Slack sends it to a process that stays.
        if (draining)
            return;
        forget_old();
        if (auto it = envelopes.find(e.envelope_id); it != envelopes.end()) {
            stats.socket_duplicate_envelope();
            spdlog::info("socket mode: envelope {} ({}) sent again (retry {}, {}); {}", e.envelope_id, e.type,
                         e.retry_attempt, e.retry_reason.empty() ? "-" : e.retry_reason,
                         it->second.done ? "acknowledged as the first time" : "acknowledged once it is handled");
            if (it->second.done)
                l->send(it->second.ack);
            else if (std::none_of(it->second.waiting.begin(), it->second.waiting.end(),
                                  [&](const std::weak_ptr<link>& w) { return w.lock() == l; }))
                it->second.waiting.push_back(l);
            return;
        }
        ++handling;
        auto& t = envelopes[e.envelope_id];
        t.waiting.push_back(l);

        const slack_delivery delivery{e.retry_attempt > 0 ? std::to_string(e.retry_attempt) : std::string(),
                                      e.retry_reason};
        // Answered exactly once: by the dispatcher, or, if every copy of its callback is dropped
        // unanswered (a handler that threw on an application thread), with a bare acknowledgement, so
        // the envelope is not left waiting and Slack does not send it again and again.
        auto answer = std::make_shared<one_answer>(weak_from_this(), e.envelope_id, e.type);
        auto finish = [answer, accepts = e.accepts_response_payload](std::optional<boost::json::object> reply) {
            answer->give(accepts ? std::move(reply) : std::nullopt);
        };
        try {
            dispatch(std::move(e.request), delivery, std::move(finish));
        } catch (const std::exception& ex) {
            spdlog::error("socket mode: envelope {} ({}) failed: {}", e.envelope_id, e.type, ex.what());
            on_handled(e.envelope_id, ack(e.envelope_id, std::nullopt));
        }
    }

    void on_handled(const std::string& id, std::string text)
    {
        auto it = envelopes.find(id);
        if (it == envelopes.end() || it->second.done)
            return;
        if (--handling == 0) {
            std::lock_guard lock(mutex);
            stopped_links.notify_all();
        }
        it->second.done = true;
        it->second.at = steady::now();
        it->second.ack = std::move(text);
        answered.push_back(id);
        for (auto& w : it->second.waiting)
            if (auto l = w.lock(); l && !l->closed)
                l->send(it->second.ack);
        it->second.waiting.clear();
    }

    // Acknowledgements are kept `remember_for` after they were given, and at most max_remembered of
    // them. Envelopes still being handled are not in `answered`: there are only as many as are in flight.
    void forget_old()
    {
        static constexpr std::size_t max_remembered = 50'000;
        const auto horizon = steady::now() - options.remember_for;
        while (!answered.empty()) {
            auto it = envelopes.find(answered.front());
            if (it != envelopes.end() && it->second.at >= horizon && answered.size() <= max_remembered)
                break;
            if (it != envelopes.end())
                envelopes.erase(it);
            answered.pop_front();
        }
    }

    // A slot serves while one of its connections has said hello and is not closed: a refreshed one
    // serves until its replacement does.
    void recount()
    {
        unsigned n = 0;
        for (unsigned slot = 0; slot < options.connections; ++slot)
            n += std::any_of(links.begin(), links.end(),
                             [&](const auto& l) { return l->slot == slot && l->said_hello && !l->closed; });
        open_count = n;
        stats.socket_connections(n);
    }

    // Whether `slot` has a connection that is not being refreshed away.
    bool has_fresh(unsigned slot) const
    {
        return std::any_of(links.begin(), links.end(), [&](const auto& l) {
            return l->slot == slot && l->said_hello && !l->retiring && !l->closed;
        });
    }

    void note_drained()
    {
        std::lock_guard lock(mutex);
        drained = true;
        stopped_links.notify_all();
    }

    std::string state() const
    {
        const unsigned n = open_count.load();
        const char* word = n == options.connections ? "connected" : n > 0 ? "degraded" : "connecting";
        return std::string(word) + " " + std::to_string(n) + " of " + std::to_string(options.connections);
    }

    struct tracked {
        bool done = false;
        std::string ack;
        // Links the envelope arrived on while it was being handled: each gets the acknowledgement.
        std::vector<std::weak_ptr<link>> waiting;
        // When it was answered.
        steady::time_point at;
    };

    client_options options;
    opener open;
    dispatcher dispatch;
    blocking_runner run_blocking;
    metrics& stats;

    // Before the loop: links still queued in the loop's handlers when it is destroyed use it.
    ssl::context tls{ssl::context::tls_client};
    net::io_context ioc{1};
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
    std::thread thread;

    // io thread only.
    std::vector<std::shared_ptr<link>> links;
    std::vector<std::chrono::milliseconds> backoff;
    // When each slot last dialled at Slack's request: refreshes more often than every 10 s back off.
    std::vector<steady::time_point> last_refresh;
    std::vector<std::unique_ptr<net::steady_timer>> redial_timers;
    std::unordered_map<std::string, tracked> envelopes;
    // Envelopes answered, oldest first: what forget_old forgets.
    std::deque<std::string> answered;
    unsigned long next_link_id = 0;
    int dialling = 0;
    bool stopping = false;
    // stop() began: new envelopes are left for Slack to send elsewhere.
    bool draining = false;

    std::atomic<unsigned> open_count{0};
    // Envelopes dispatched and not yet acknowledged.
    std::atomic<int> handling{0};
    std::mutex mutex;
    // Signalled when the last envelope being handled is answered, and when the links are gone at stop.
    std::condition_variable stopped_links;
    bool drained = false;
    bool started = false;
    bool joined = false;
};

void one_answer::give(std::optional<boost::json::object> reply)
{
    if (given_.exchange(true))
        return;
    auto text = ack(id_, reply);
    if (auto self = owner_.lock())
        net::post(self->ioc, [weak = owner_, id = id_, text = std::move(text)]() mutable {
            if (auto s = weak.lock())
                s->on_handled(id, std::move(text));
        });
}

one_answer::~one_answer()
{
    if (given_.load())
        return;
    spdlog::error("socket mode: envelope {} ({}) was dropped without an answer; acknowledged bare", id_, type_);
    give(std::nullopt);
}

namespace {

template <class Next>
class link_over final : public link {
public:
    // The owner outlives its links: they are dropped with its loop's handlers, and touch it only from there.
    template <class... Args>
    link_over(client::impl& owner, unsigned slot_index, unsigned long link_id, Args&&... args)
        : link(slot_index, link_id), owner_(owner), resolver_(owner.ioc), ws_(std::forward<Args>(args)...)
    {
    }

    void run(const socket_url& url) override
    {
        url_ = url;
        resolver_.async_resolve(url_.host, url_.port,
                                [self = shared()](beast::error_code ec, tcp::resolver::results_type r) {
                                    self->on_resolved(ec, std::move(r));
                                });
    }

    void send(std::string text) override
    {
        if (closed || closing_)
            return;
        outbox_.push_back(std::move(text));
        if (outbox_.size() == 1 && open_)
            write_next();
    }

    void close() override
    {
        if (closed || closing_)
            return;
        closing_ = true;
        if (!open_) {
            // Still dialling: whatever step is under way completes with an error, and finish() reports it.
            resolver_.cancel();
            beast::error_code ec;
            beast::get_lowest_layer(ws_).socket().close(ec);
            return;
        }
        ws_.async_close(websocket::close_code::normal,
                        [self = shared()](beast::error_code ec) { self->finish(ec ? ec.message() : "closed by us"); });
    }

private:
    std::shared_ptr<link_over> shared() { return std::static_pointer_cast<link_over>(shared_from_this()); }

    void on_resolved(beast::error_code ec, tcp::resolver::results_type results)
    {
        if (closing_)
            return finish("closed while dialling");
        if (ec)
            return finish("resolve " + url_.host + ": " + ec.message());
        auto& tcp_layer = beast::get_lowest_layer(ws_);
        tcp_layer.expires_after(owner_.options.handshake_timeout);
        tcp_layer.async_connect(results, [self = shared()](beast::error_code e, const tcp::endpoint&) {
            self->on_connected(e);
        });
    }

    void on_connected(beast::error_code ec)
    {
        if (closing_)
            return finish("closed while dialling");
        if (ec)
            return finish("connect " + url_.host + ":" + url_.port + ": " + ec.message());
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
        if constexpr (std::is_same_v<Next, beast::ssl_stream<beast::tcp_stream>>) {
            auto& tls = ws_.next_layer();
            if (!outbound::set_server_name(tls.native_handle(), url_.host))
                return finish("cannot set SNI for " + url_.host);
            tls.set_verify_callback(ssl::host_name_verification(url_.host));
            tls.async_handshake(ssl::stream_base::client,
                                [self = shared()](beast::error_code e) { self->on_secured(e); });
        } else {
            on_secured({});
        }
    }

    void on_secured(beast::error_code ec)
    {
        if (closing_)
            return finish("closed while dialling");
        if (ec)
            return finish("TLS handshake with " + url_.host + ": " + ec.message());
        beast::get_lowest_layer(ws_).expires_never();
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = owner_.options.handshake_timeout;
        timeouts.idle_timeout = owner_.options.idle_timeout;
        timeouts.keep_alive_pings = true;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "checkpoint/0.1"); }));
        ws_.read_message_max(max_message_bytes);
        const bool default_port = url_.port == (url_.tls ? "443" : "80");
        const std::string host_header = (url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host) +
                                        (default_port ? "" : ":" + url_.port);
        ws_.async_handshake(host_header, url_.target, [self = shared()](beast::error_code e) { self->on_open(e); });
    }

    void on_open(beast::error_code ec)
    {
        if (ec)
            return finish("WebSocket handshake with " + url_.host + ": " + ec.message());
        open_ = true;
        ws_.text(true);
        if (closing_)
            return close_now();
        // Slack speaks first; a connection that never says hello is not one to wait on.
        hello_timer_.expires_after(owner_.options.handshake_timeout);
        hello_timer_.async_wait([self = shared()](beast::error_code e) {
            if (!e && !self->said_hello && !self->closed && !self->closing_) {
                self->closing_ = true;
                self->finish("no hello from Slack within " +
                             std::to_string(self->owner_.options.handshake_timeout.count()) + " s");
            }
        });
        if (!outbox_.empty())
            write_next();
        read();
    }

    void close_now()
    {
        ws_.async_close(websocket::close_code::normal,
                        [self = shared()](beast::error_code ec) { self->finish(ec ? ec.message() : "closed by us"); });
    }

    void read()
    {
        ws_.async_read(buffer_, [self = shared()](beast::error_code ec, std::size_t) {
            if (ec) {
                if (ec == websocket::error::closed)
                    return self->finish("closed by Slack (" + printable(self->ws_.reason().reason.c_str()) + ")");
                return self->finish(ec.message());
            }
            const std::string text = beast::buffers_to_string(self->buffer_.data());
            self->buffer_.consume(self->buffer_.size());
            self->owner_.on_text(self, text);
            if (!self->closed)
                self->read();
        });
    }

    void write_next()
    {
        ws_.async_write(net::buffer(outbox_.front()), [self = shared()](beast::error_code ec, std::size_t) {
            if (ec) {
                // A write cut short by our own close: the close's completion reports the end.
                if (self->closing_)
                    return;
                return self->finish("write: " + ec.message());
            }
            self->outbox_.pop_front();
            if (!self->outbox_.empty() && !self->closed && !self->closing_)
                self->write_next();
        });
    }

    void finish(const std::string& why)
    {
        if (closed)
            return;
        hello_timer_.cancel();
        beast::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
        owner_.on_closed(shared_from_this(), why);
    }

    client::impl& owner_;
    tcp::resolver resolver_;
    websocket::stream<Next> ws_;
    socket_url url_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    net::steady_timer hello_timer_{owner_.ioc};
    bool open_ = false;
    bool closing_ = false;
};

} // namespace

std::shared_ptr<link> client::impl::make_link(unsigned slot, bool secure)
{
    const auto id = ++next_link_id;
    if (secure)
        return std::make_shared<link_over<beast::ssl_stream<beast::tcp_stream>>>(*this, slot, id, ioc, tls);
    return std::make_shared<link_over<beast::tcp_stream>>(*this, slot, id, ioc);
}

client::client(client_options options, opener open, dispatcher dispatch, blocking_runner run_blocking, metrics& m)
{
    options.connections = std::clamp(options.connections, 1u, 10u);
    impl_ = std::make_shared<impl>(std::move(options), std::move(open), std::move(dispatch), std::move(run_blocking), m);
}

client::~client() { stop(std::chrono::milliseconds(0)); }

void client::start()
{
    auto& i = *impl_;
    if (i.started)
        return;
    i.started = true;
    net::post(i.ioc, [weak = std::weak_ptr<impl>(impl_)] {
        if (auto s = weak.lock())
            for (unsigned slot = 0; slot < s->options.connections; ++slot)
                s->dial(slot);
    });
    i.thread = std::thread([&i] { i.ioc.run(); });
}

void client::stop(std::chrono::milliseconds grace)
{
    auto& i = *impl_;
    if (!i.started || i.joined)
        return;
    // Envelopes being handled are answered first, within the grace period, so Slack need not send them
    // again; new ones are left unacknowledged, for Slack to send to a process that stays.
    net::post(i.ioc, [&i] { i.draining = true; });
    const auto deadline = steady::now() + grace;
    {
        std::unique_lock lock(i.mutex);
        i.stopped_links.wait_until(lock, deadline, [&i] { return i.handling.load() == 0; });
    }
    net::post(i.ioc, [&i] {
        i.stopping = true;
        for (auto& t : i.redial_timers)
            t->cancel();
        if (i.links.empty())
            return i.note_drained();
        for (auto links = i.links; auto& l : links)
            l->close();
    });
    {
        std::unique_lock lock(i.mutex);
        i.stopped_links.wait_until(lock, std::max(deadline, steady::now() + std::chrono::milliseconds(200)),
                                   [&i] { return i.drained; });
    }
    i.work.reset();
    i.ioc.stop();
    i.thread.join();
    i.joined = true;
    // The links refer to the impl; they go with the loop's handlers.
    i.links.clear();
}

unsigned client::open_connections() const { return impl_->open_count.load(); }

unsigned client::wanted_connections() const noexcept { return impl_->options.connections; }

std::string client::state() const { return impl_->state(); }

} // namespace checkpoint::bot::socket_mode
