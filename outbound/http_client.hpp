#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace checkpoint::outbound {

// One outbound HTTP request: to Slack's Web API or to a provisioning webhook.
struct outbound_request {
    std::string method = "POST";
    // Absolute http:// or https:// URL.
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{10'000};
};

struct outbound_response {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // The first header of that name, case-insensitive.
    std::optional<std::string_view> header(std::string_view name) const;
};

// Why no response came back. Every kind is worth retrying except a bad URL and a TLS
// verification failure, which will not fix themselves.
enum class transport_failure_kind { bad_url, resolve, connect, tls, timeout, io };

struct transport_failure {
    transport_failure_kind kind;
    std::string message;
};

// "bad_url", "resolve", … for logs and error codes.
std::string_view to_string(transport_failure_kind kind) noexcept;

// False for a bad URL and a TLS verification failure; true for the rest.
bool is_retryable(transport_failure_kind kind) noexcept;

// Blocking HTTP/1.1 client for worker threads (never the threads that answer Slack): HTTPS with
// SNI, certificate and host-name verification against the system's CAs, kept-alive connections
// per host, a deadline over the whole exchange. Thread-safe.
class http_client {
public:
    virtual ~http_client() = default;
    // Returns the response, or the failure when none arrived; exactly one of the two is set.
    virtual std::pair<std::optional<outbound_response>, std::optional<transport_failure>>
    send(const outbound_request& req) = 0;
};

} // namespace checkpoint::outbound
