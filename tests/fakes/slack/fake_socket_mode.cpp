#include "tests/fakes/slack/fake_socket_mode.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace checkpoint::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

class fake_socket_mode::server {
public:
    explicit server(fake_socket_mode_options options) : options_(options)
    {
        const tcp::endpoint endpoint{net::ip::make_address("127.0.0.1"), 0};
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        accept();
        tick();
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~server()
    {
        ioc_.stop();
        thread_.join();
    }

    class session;

    std::string new_url()
    {
        std::lock_guard lock(mutex_);
        const auto ticket = std::to_string(++tickets_issued_);
        tickets_.insert(ticket);
        return "ws://127.0.0.1:" + std::to_string(port_) + "/link/?ticket=" + ticket + "&app_id=A1";
    }

    std::size_t open_connections() const
    {
        std::lock_guard lock(mutex_);
        return open_count_locked();
    }

    std::size_t connections_accepted() const
    {
        std::lock_guard lock(mutex_);
        return accepted_;
    }

    bool wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return open_count_locked() >= n; });
    }

    std::string send(const std::string& type, json::object payload, fake_envelope_options o)
    {
        std::string id;
        {
            std::lock_guard lock(mutex_);
            id = "env-" + std::to_string(++envelopes_sent_) + "-5f1c2e";
            auto& e = envelopes_[id];
            e.type = type;
            e.payload = std::move(payload);
            e.options = o;
            pending_.push_back(id);
        }
        net::post(ioc_, [this] { deliver_pending(); });
        return id;
    }

    std::optional<json::object> wait_ack(const std::string& id, std::chrono::milliseconds timeout) const
    {
        std::unique_lock lock(mutex_);
        const bool got = changed_.wait_for(lock, timeout, [&] {
            auto it = envelopes_.find(id);
            return it != envelopes_.end() && it->second.ack.has_value();
        });
        if (!got)
            return std::nullopt;
        return envelopes_.at(id).ack;
    }

    std::size_t acks_of(const std::string& id) const
    {
        std::lock_guard lock(mutex_);
        auto it = envelopes_.find(id);
        return it == envelopes_.end() ? 0 : it->second.acks;
    }

    std::size_t deliveries_of(const std::string& id) const
    {
        std::lock_guard lock(mutex_);
        auto it = envelopes_.find(id);
        return it == envelopes_.end() ? 0 : static_cast<std::size_t>(it->second.deliveries);
    }

    std::vector<std::string> unacknowledged() const
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& [id, e] : envelopes_)
            if (!e.ack)
                out.push_back(id);
        return out;
    }

    void disconnect_all(const std::string& reason, std::chrono::milliseconds grace);
    void drop_all();
    void set_retry_after(std::chrono::milliseconds wait)
    {
        std::lock_guard lock(mutex_);
        options_.retry_after = wait;
    }

    // --- called by sessions, on the io thread ---
    bool take_ticket(std::string_view target)
    {
        const auto at = target.find("ticket=");
        if (at == std::string_view::npos)
            return false;
        auto ticket = target.substr(at + 7);
        ticket = ticket.substr(0, ticket.find('&'));
        std::lock_guard lock(mutex_);
        return tickets_.erase(std::string(ticket)) == 1;
    }
    void opened(const std::shared_ptr<session>& s);
    void closed(const std::shared_ptr<session>& s);
    void on_text(const std::string& text);

private:
    struct tracked {
        std::string type;
        json::object payload;
        fake_envelope_options options;
        int deliveries = 0;
        steady::time_point last_sent{};
        std::size_t acks = 0;
        std::optional<json::object> ack;
        // The connection it last went out on; a retry prefers another.
        std::size_t last_session = 0;
    };

    std::size_t open_count_locked() const;
    void accept();
    void tick();
    void deliver_pending();
    // Sends envelope `id` on an open connection other than `avoid` when there is one; false when none is open.
    bool deliver(const std::string& id, std::size_t avoid);

    fake_socket_mode_options options_;
    net::io_context ioc_{1};
    tcp::acceptor acceptor_{ioc_};
    net::steady_timer ticker_{ioc_};
    unsigned short port_ = 0;
    std::thread thread_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::set<std::string> tickets_;
    std::size_t tickets_issued_ = 0;
    std::size_t accepted_ = 0;
    std::size_t envelopes_sent_ = 0;
    std::map<std::string, tracked> envelopes_;
    std::deque<std::string> pending_;
    // io thread only.
    std::map<std::size_t, std::shared_ptr<session>> sessions_;
    std::size_t next_session_ = 0;
    std::size_t round_robin_ = 0;
};

class fake_socket_mode::server::session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket socket, server& owner, std::size_t session_id)
        : id(session_id), ws_(std::move(socket)), owner_(owner)
    {
    }

    void start()
    {
        // The handshake is read first, to check the ticket as Slack does.
        http::async_read(ws_.next_layer(), buffer_, upgrade_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            if (!websocket::is_upgrade(self->upgrade_) || !self->owner_.take_ticket(self->upgrade_.target()))
                return self->ws_.next_layer().socket().close(ec);
            self->ws_.async_accept(self->upgrade_, [self](beast::error_code e) {
                if (e)
                    return;
                self->ws_.text(true);
                self->owner_.opened(self);
                self->read();
            });
        });
    }

    void send(std::string text)
    {
        if (gone)
            return;
        outbox_.push_back(std::move(text));
        if (outbox_.size() == 1)
            write_next();
    }

    void close_after(std::chrono::milliseconds grace)
    {
        timer_.expires_after(grace);
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->gone)
                return;
            self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) { self->end(); });
        });
    }

    void drop()
    {
        beast::error_code ec;
        ws_.next_layer().socket().close(ec);
        end();
    }

    const std::size_t id;
    // Read by the test's threads (open_connections) while the io thread changes them.
    std::atomic<bool> said_hello{false};
    std::atomic<bool> disconnecting{false};
    std::atomic<bool> gone{false};

private:
    void read()
    {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return self->end();
            const auto text = beast::buffers_to_string(self->buffer_.data());
            self->buffer_.consume(self->buffer_.size());
            self->owner_.on_text(text);
            self->read();
        });
    }

    void write_next()
    {
        ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return self->end();
            self->outbox_.pop_front();
            if (!self->outbox_.empty())
                self->write_next();
        });
    }

    void end()
    {
        if (gone)
            return;
        gone = true;
        owner_.closed(shared_from_this());
    }

    websocket::stream<beast::tcp_stream> ws_;
    server& owner_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> upgrade_;
    std::deque<std::string> outbox_;
    net::steady_timer timer_{ws_.get_executor()};
};

std::size_t fake_socket_mode::server::open_count_locked() const
{
    std::size_t n = 0;
    for (const auto& [id, s] : sessions_)
        if (s->said_hello && !s->disconnecting && !s->gone)
            ++n;
    return n;
}

void fake_socket_mode::server::accept()
{
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec)
            return;
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<session>(std::move(socket), *this, ++next_session_)->start();
        accept();
    });
}

void fake_socket_mode::server::opened(const std::shared_ptr<session>& s)
{
    std::size_t open = 0;
    {
        std::lock_guard lock(mutex_);
        ++accepted_;
        sessions_[s->id] = s;
        s->said_hello = true;
        open = open_count_locked();
    }
    s->send(json::serialize(json::object{
        {"type", "hello"},
        {"num_connections", open},
        {"debug_info", json::object{{"host", "fake-socket-mode"}, {"approximate_connection_time", 18060}}},
        {"connection_info", json::object{{"app_id", "A1"}}},
    }));
    changed_.notify_all();
    deliver_pending();
}

void fake_socket_mode::server::closed(const std::shared_ptr<session>& s)
{
    {
        std::lock_guard lock(mutex_);
        sessions_.erase(s->id);
    }
    changed_.notify_all();
}

void fake_socket_mode::server::on_text(const std::string& text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return;
    const auto* id = v.as_object().if_contains("envelope_id");
    if (!id || !id->is_string())
        return;
    {
        std::lock_guard lock(mutex_);
        auto it = envelopes_.find(std::string(id->get_string()));
        if (it == envelopes_.end())
            return;
        auto& e = it->second;
        ++e.acks;
        if (e.options.lose_first_ack && e.acks == 1)
            return;
        if (!e.ack)
            e.ack = v.as_object();
    }
    changed_.notify_all();
}

bool fake_socket_mode::server::deliver(const std::string& id, std::size_t avoid)
{
    std::vector<std::shared_ptr<session>> open;
    for (const auto& [sid, s] : sessions_)
        if (s->said_hello && !s->disconnecting && !s->gone)
            open.push_back(s);
    if (open.empty())
        return false;
    std::shared_ptr<session> chosen;
    for (std::size_t i = 0; i < open.size() && !chosen; ++i) {
        auto& candidate = open[(round_robin_ + i) % open.size()];
        if (candidate->id != avoid || open.size() == 1)
            chosen = candidate;
    }
    ++round_robin_;
    auto& e = envelopes_.at(id);
    json::object envelope{{"envelope_id", id},
                          {"type", e.type},
                          {"payload", e.payload},
                          {"accepts_response_payload", e.options.accepts_response_payload}};
    if (e.deliveries > 0) {
        envelope["retry_attempt"] = e.deliveries;
        envelope["retry_reason"] = "timeout";
    }
    ++e.deliveries;
    e.last_sent = steady::now();
    e.last_session = chosen->id;
    chosen->send(json::serialize(envelope));
    return true;
}

void fake_socket_mode::server::deliver_pending()
{
    std::lock_guard lock(mutex_);
    while (!pending_.empty()) {
        if (!deliver(pending_.front(), 0))
            return;
        pending_.pop_front();
    }
}

void fake_socket_mode::server::tick()
{
    ticker_.expires_after(std::chrono::milliseconds(50));
    ticker_.async_wait([this](beast::error_code ec) {
        if (ec)
            return;
        {
            std::lock_guard lock(mutex_);
            const auto now = steady::now();
            for (auto& [id, e] : envelopes_)
                if (!e.ack && e.deliveries > 0 && e.deliveries <= options_.max_retries &&
                    now - e.last_sent >= options_.retry_after)
                    deliver(id, e.last_session);
        }
        tick();
    });
}

void fake_socket_mode::server::disconnect_all(const std::string& reason, std::chrono::milliseconds grace)
{
    net::post(ioc_, [this, reason, grace] {
        std::vector<std::shared_ptr<session>> told;
        {
            std::lock_guard lock(mutex_);
            for (auto& [id, s] : sessions_)
                if (!s->disconnecting && !s->gone) {
                    s->disconnecting = true;
                    told.push_back(s);
                }
        }
        changed_.notify_all();
        const auto text = json::serialize(json::object{
            {"type", "disconnect"}, {"reason", reason}, {"debug_info", json::object{{"host", "fake-socket-mode"}}}});
        for (auto& s : told) {
            s->send(text);
            s->close_after(grace);
        }
    });
}

void fake_socket_mode::server::drop_all()
{
    net::post(ioc_, [this] {
        std::vector<std::shared_ptr<session>> all;
        {
            std::lock_guard lock(mutex_);
            for (auto& [id, s] : sessions_)
                all.push_back(s);
        }
        for (auto& s : all)
            s->drop();
    });
}

fake_socket_mode::fake_socket_mode(fake_socket_mode_options options)
    : server_(std::make_unique<server>(options))
{
}

fake_socket_mode::~fake_socket_mode() = default;

std::string fake_socket_mode::new_url() { return server_->new_url(); }
std::size_t fake_socket_mode::open_connections() const { return server_->open_connections(); }
std::size_t fake_socket_mode::connections_accepted() const { return server_->connections_accepted(); }
bool fake_socket_mode::wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const
{
    return server_->wait_for_connections(n, timeout);
}
std::string fake_socket_mode::send(const std::string& type, boost::json::object payload, fake_envelope_options options)
{
    return server_->send(type, std::move(payload), options);
}
std::optional<boost::json::object> fake_socket_mode::wait_ack(const std::string& envelope_id,
                                                              std::chrono::milliseconds timeout) const
{
    return server_->wait_ack(envelope_id, timeout);
}
std::size_t fake_socket_mode::acks_of(const std::string& envelope_id) const { return server_->acks_of(envelope_id); }
std::size_t fake_socket_mode::deliveries_of(const std::string& envelope_id) const
{
    return server_->deliveries_of(envelope_id);
}
std::vector<std::string> fake_socket_mode::unacknowledged() const { return server_->unacknowledged(); }
void fake_socket_mode::disconnect_all(const std::string& reason, std::chrono::milliseconds grace)
{
    server_->disconnect_all(reason, grace);
}
void fake_socket_mode::drop_all() { server_->drop_all(); }
void fake_socket_mode::set_retry_after(std::chrono::milliseconds wait) { server_->set_retry_after(wait); }

} // namespace checkpoint::test
