#include "tests/fakes/webhook/fake_webhook.hpp"

#include <boost/algorithm/hex.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <future>

namespace checkpoint::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string text(json::value const* v)
{
    if (v && v->is_string())
        return std::string(v->get_string());
    return {};
}

std::vector<received_event> parse_events(const std::string& body)
{
    std::vector<received_event> out;
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object())
        return out;
    const json::value* events = doc.get_object().if_contains("events");
    if (!events || !events->is_array())
        return out;
    for (const auto& e : events->get_array()) {
        if (!e.is_object())
            continue;
        received_event r;
        r.raw = e.get_object();
        r.event = text(r.raw.if_contains("event"));
        if (const json::value* resources = r.raw.if_contains("resources"); resources && resources->is_array())
            for (const auto& res : resources->get_array()) {
                if (!res.is_object())
                    continue;
                const auto& o = res.get_object();
                const std::string kind = text(o.if_contains("kind"));
                if (kind == "user" && r.person_id.empty())
                    r.person_id = text(o.if_contains("id"));
                else if (kind != "user" && r.resource_kind.empty()) {
                    r.resource_kind = kind;
                    r.resource_id = text(o.if_contains("id"));
                }
            }
        out.push_back(std::move(r));
    }
    return out;
}

bool is_error_object(const std::string& body)
{
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object())
        return false;
    const json::value* e = doc.get_object().if_contains("error");
    return e && !e->is_null() && !(e->is_bool() && !e->get_bool());
}

} // namespace

std::string webhook_signature_hex(std::string_view secret, std::string_view timestamp, std::string_view body)
{
    std::string message = "v0:";
    message.append(timestamp).append(":").append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
    std::string hex;
    boost::algorithm::hex_lower(mac, mac + len, std::back_inserter(hex));
    return hex;
}

webhook_reply webhook_reply::with_status(unsigned status, std::string body)
{
    webhook_reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

webhook_reply webhook_reply::error_object(std::string message)
{
    return with_status(200, json::serialize(json::object{{"error", json::object{{"message", message}}}}));
}

webhook_reply webhook_reply::too_many_requests(std::string retry_after)
{
    webhook_reply r = with_status(429, R"({"message":"slow down"})");
    r.headers.emplace_back("Retry-After", std::move(retry_after));
    return r;
}

webhook_reply webhook_reply::slow(std::chrono::milliseconds delay)
{
    webhook_reply r;
    r.delay = delay;
    return r;
}

webhook_reply webhook_reply::close_without_answer()
{
    webhook_reply r;
    r.hang_up = true;
    r.status = 0;
    return r;
}

std::optional<std::string_view> received_request::header(std::string_view name) const
{
    for (const auto& [k, v] : headers)
        if (iequals(k, name))
            return std::string_view(v);
    return std::nullopt;
}

std::size_t webhook_log::count(std::string_view event) const
{
    std::size_t n = 0;
    for (const auto& r : requests)
        for (const auto& e : r.events)
            n += e.event == event ? 1 : 0;
    return n;
}

std::size_t webhook_log::effects_of(std::string_view event) const
{
    return static_cast<std::size_t>(
        std::count_if(effects.begin(), effects.end(), [&](const auto& kv) { return kv.second.event == event; }));
}

class webhook_session;

// The Asio side: only ever touched on the fake's own thread.
struct fake_webhook::server {
    explicit server(fake_webhook& owner) : owner_(owner), acceptor_(ioc_) {}

    void listen(std::uint16_t port)
    {
        const tcp::endpoint at{net::ip::make_address("127.0.0.1"), port};
        acceptor_.open(at.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(at);
        acceptor_.listen();
        do_accept();
    }

    void do_accept();
    void drop_everything();
    // Records the request and decides the answer, under the owner's lock.
    webhook_reply decide(received_request& req);

    fake_webhook& owner_;
    net::io_context ioc_;
    tcp::acceptor acceptor_;
    std::vector<std::weak_ptr<webhook_session>> sessions_;
};

class webhook_session : public std::enable_shared_from_this<webhook_session> {
public:
    webhook_session(tcp::socket socket, fake_webhook::server& srv) : stream_(std::move(socket)), timer_(srv.ioc_), server_(srv) {}

    void run() { do_read(); }
    void close()
    {
        beast::error_code ec;
        timer_.cancel();
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

private:
    void do_read()
    {
        parser_.emplace();
        parser_->body_limit(1024 * 1024);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec)
    {
        if (ec)
            return close();
        auto req = parser_->release();
        received_request rec;
        rec.method = std::string(req.method_string());
        rec.target = std::string(req.target());
        for (const auto& f : req)
            rec.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        rec.body = req.body();
        keep_alive_ = req.keep_alive();
        reply_ = server_.decide(rec);
        if (reply_.delay.count() > 0) {
            timer_.expires_after(reply_.delay);
            return timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
                if (!tec)
                    self->answer();
            });
        }
        answer();
    }

    void answer()
    {
        if (reply_.hang_up)
            return close();
        res_ = {};
        res_.version(11);
        res_.result(reply_.status);
        res_.set(http::field::content_type, "application/json");
        for (const auto& [k, v] : reply_.headers)
            res_.set(k, v);
        res_.body() = reply_.body;
        res_.keep_alive(keep_alive_);
        res_.prepare_payload();
        http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec || !self->keep_alive_)
                return self->close();
            self->do_read();
        });
    }

    beast::tcp_stream stream_;
    net::steady_timer timer_;
    fake_webhook::server& server_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> res_;
    webhook_reply reply_;
    bool keep_alive_ = false;
};

void fake_webhook::server::do_accept()
{
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec)
            return;
        auto s = std::make_shared<webhook_session>(std::move(socket), *this);
        std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
        sessions_.push_back(s);
        s->run();
        do_accept();
    });
}

void fake_webhook::server::drop_everything()
{
    beast::error_code ec;
    acceptor_.close(ec);
    for (auto& w : sessions_)
        if (auto s = w.lock())
            s->close();
    sessions_.clear();
}

webhook_reply fake_webhook::server::decide(received_request& req)
{
    auto& o = owner_;
    if (auto key = req.header("Idempotency-Key"))
        req.idempotency_key = std::string(*key);
    std::optional<std::string_view> ts, sig;
    std::string expected_prefix;
    if (auto s = req.header("X-Checkpoint-Signature")) {
        req.signature_format = "checkpoint";
        ts = req.header("X-Checkpoint-Timestamp");
        sig = s;
        expected_prefix = "v0=";
    } else if (auto si = req.header("X-Indent-Signature")) {
        req.signature_format = "indent";
        ts = req.header("X-Indent-Timestamp");
        sig = si;
    }
    if (ts && sig)
        req.signature_valid = *sig == expected_prefix + webhook_signature_hex(o.secret_, *ts, req.body);
    req.events = parse_events(req.body);

    std::lock_guard lock(o.mutex_);
    webhook_reply reply;
    if (!req.signature_valid) {
        // A wrong signature is refused before the script is consulted, as a real receiver would.
        reply = webhook_reply::with_status(401, R"({"error":{"message":"invalid signature"}})");
    } else {
        if (!o.script_.empty()) {
            reply = std::move(o.script_.front());
            o.script_.pop_front();
        }
        const bool pull = !req.events.empty() && req.events.front().event == "pull/update";
        const bool success = !reply.hang_up && reply.status >= 200 && reply.status < 300;
        // 204 and 304 carry no body by definition.
        const bool bodiless = reply.status == 204 || reply.status == 304 || reply.status < 200;
        if (reply.body.empty() && !reply.hang_up && !bodiless)
            reply.body = pull && success ? json::serialize(json::object{{"resources", o.resources_}}) : "{}";
        // Applied on receipt, before any delay: a receiver that did the work but answered too late.
        if (success && !pull && !is_error_object(reply.body)) {
            const std::string key = req.idempotency_key.empty()
                                        ? "(no key #" + std::to_string(o.log_.requests.size()) + ")"
                                        : req.idempotency_key;
            auto [it, fresh] = o.log_.effects.try_emplace(key);
            if (fresh && !req.events.empty()) {
                it->second.event = req.events.front().event;
                it->second.person_id = req.events.front().person_id;
                it->second.resource_id = req.events.front().resource_id;
            }
            ++it->second.deliveries;
        }
    }
    req.answered = reply.hang_up ? 0 : reply.status;
    o.log_.requests.push_back(req);
    o.changed_.notify_all();
    return reply;
}

fake_webhook::fake_webhook(std::string secret, std::uint16_t port)
    : secret_(std::move(secret)), server_(std::make_unique<server>(*this))
{
    server_->listen(port);
    port_ = server_->acceptor_.local_endpoint().port();
    thread_ = std::thread([this] {
        auto guard = net::make_work_guard(server_->ioc_);
        server_->ioc_.run();
    });
}

fake_webhook::~fake_webhook()
{
    net::post(server_->ioc_, [this] {
        server_->drop_everything();
        server_->ioc_.stop();
    });
    thread_.join();
}

std::string fake_webhook::url(std::string_view path) const
{
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void fake_webhook::queue(webhook_reply reply, std::size_t times)
{
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < times; ++i)
        script_.push_back(reply);
}

void fake_webhook::set_resources(boost::json::array resources)
{
    std::lock_guard lock(mutex_);
    resources_ = std::move(resources);
}

void fake_webhook::go_down()
{
    std::promise<void> done;
    net::post(server_->ioc_, [&] {
        server_->drop_everything();
        done.set_value();
    });
    done.get_future().wait();
}

void fake_webhook::come_back()
{
    std::promise<void> done;
    net::post(server_->ioc_, [&] {
        try {
            server_->listen(port_);
            done.set_value();
        } catch (...) {
            done.set_exception(std::current_exception());
        }
    });
    done.get_future().get();
}

std::size_t fake_webhook::received() const
{
    std::lock_guard lock(mutex_);
    return log_.requests.size();
}

webhook_log fake_webhook::snapshot() const
{
    std::lock_guard lock(mutex_);
    return log_;
}

bool fake_webhook::wait_for(const std::function<bool(const webhook_log&)>& pred, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(log_); });
}

bool fake_webhook::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const
{
    return wait_for([n](const webhook_log& l) { return l.requests.size() >= n; }, timeout);
}

} // namespace checkpoint::test
