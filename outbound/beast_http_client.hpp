#pragma once

#include "outbound/http_client.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace checkpoint::outbound {

namespace outbound_detail {
struct connection;
struct target;
struct tls_context;
} // namespace outbound_detail

struct beast_http_client_options {
    // Idle kept-alive connections kept per (scheme, host, port); extra ones are closed after use.
    std::size_t max_idle_per_host = 4;
    // A larger response body is refused as an io failure; Slack's answers are a few kB.
    std::size_t max_body_bytes = 1024 * 1024;
    // Servers drop idle connections after about a minute; older ones are not reused.
    std::chrono::seconds max_idle_time{50};
    // PEM certificates trusted in addition to the system's store (tests with their own CA).
    std::string extra_ca_pem;
    std::string user_agent = "checkpoint/0.1";
};

// http_client over Beast and OpenSSL. Each connection owns a private io_context that the calling
// thread drives with run_one_for, so every exchange has a deadline and no thread of ours runs in
// the background. Redirects are returned, not followed. Thread-safe.
class beast_http_client final : public http_client {
public:
    explicit beast_http_client(beast_http_client_options options = {});
    ~beast_http_client() override;
    beast_http_client(const beast_http_client&) = delete;
    beast_http_client& operator=(const beast_http_client&) = delete;

    std::pair<std::optional<outbound_response>, std::optional<transport_failure>>
    send(const outbound_request& req) override;

    // Connections opened since construction; tests read it to see keep-alive at work.
    std::size_t connections_opened() const noexcept { return connections_opened_.load(); }
    // Idle connections currently pooled, over every host.
    std::size_t idle_connections() const;

private:
    using connection = outbound_detail::connection;
    using target = outbound_detail::target;

    std::unique_ptr<connection> take_idle(const std::string& key);
    void put_idle(const std::string& key, std::unique_ptr<connection> conn);
    std::pair<std::unique_ptr<connection>, std::optional<transport_failure>>
    open(const target& t, std::chrono::steady_clock::time_point deadline);

    beast_http_client_options options_;
    std::unique_ptr<outbound_detail::tls_context> tls_;
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<std::unique_ptr<connection>>> idle_;
    std::atomic<std::size_t> connections_opened_{0};
};

} // namespace checkpoint::outbound
