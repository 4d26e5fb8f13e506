#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace checkpoint::test {

// How the fake answers one request.
struct webhook_reply {
    unsigned status = 200;
    // Empty: `{}`, or for a 2xx to pull/update the configured resources.
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // Waited (on a timer, not a sleep) before answering, to run a client past its deadline.
    std::chrono::milliseconds delay{0};
    // Close the connection instead of answering.
    bool hang_up = false;

    static webhook_reply ok() { return {}; }
    static webhook_reply with_status(unsigned status, std::string body = {});
    // 200 carrying `{"error":{"message":…}}`: a failure despite the status.
    static webhook_reply error_object(std::string message);
    static webhook_reply too_many_requests(std::string retry_after);
    static webhook_reply slow(std::chrono::milliseconds delay);
    static webhook_reply close_without_answer();
};

struct received_event {
    std::string event;
    // The first resource of kind "user", and the first of any other kind.
    std::string person_id;
    std::string resource_kind;
    std::string resource_id;
    boost::json::object raw;
};

struct received_request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string idempotency_key;
    // "checkpoint" or "indent" by the headers present; empty when unsigned.
    std::string signature_format;
    bool signature_valid = false;
    std::vector<received_event> events;
    // What the fake answered; 0 when it hung up.
    unsigned answered = 0;

    // The first header of that name, case-insensitive.
    std::optional<std::string_view> header(std::string_view name) const;
};

// One effect, applied the first time its idempotency key was delivered successfully.
struct applied_effect {
    std::string event;
    std::string person_id;
    std::string resource_id;
    // Successful deliveries with this key; more than one means the sender retried.
    std::size_t deliveries = 0;
};

// Everything the fake has seen, as one consistent view.
struct webhook_log {
    std::vector<received_request> requests;
    // By idempotency key: what a real receiver with exactly-once effects would have done.
    std::map<std::string, applied_effect> effects;

    std::size_t count(std::string_view event) const;
    std::size_t effects_of(std::string_view event) const;
};

// A provisioning receiver on loopback, on its own thread: verifies signatures in both formats
// (401 when wrong), answers as scripted per next request, records every request, and counts
// effects once per idempotency key. Thread-safe.
class fake_webhook {
public:
    // `port` 0 picks a free one.
    explicit fake_webhook(std::string secret, std::uint16_t port = 0);
    ~fake_webhook();
    fake_webhook(const fake_webhook&) = delete;
    fake_webhook& operator=(const fake_webhook&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::string url(std::string_view path = "/hook") const;

    // The next `times` requests get `reply`; after the queue runs out, 200 `{}`.
    void queue(webhook_reply reply, std::size_t times = 1);
    // What a 2xx to pull/update lists.
    void set_resources(boost::json::array resources);

    // Stops listening and drops open connections: connections are refused until come_back().
    void go_down();
    // Listens again on the same port.
    void come_back();

    webhook_log snapshot() const;
    // How many requests arrived so far; cheap, for polling under load (snapshot() copies them all).
    std::size_t received() const;
    // Waits until `pred` holds over the log (checked at every change), or the timeout passes.
    bool wait_for(const std::function<bool(const webhook_log&)>& pred, std::chrono::milliseconds timeout) const;
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

private:
    struct server;
    friend struct server;
    friend class webhook_session;

    std::string secret_;
    std::uint16_t port_ = 0;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    webhook_log log_;
    std::deque<webhook_reply> script_;
    boost::json::array resources_;
    std::unique_ptr<server> server_;
    std::thread thread_;
};

// Recomputes the signature independently (OpenSSL directly): hex HMAC-SHA256 of `v0:<ts>:<body>`.
std::string webhook_signature_hex(std::string_view secret, std::string_view timestamp, std::string_view body);

} // namespace checkpoint::test
