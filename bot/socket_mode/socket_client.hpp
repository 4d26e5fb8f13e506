#pragma once

#include "bot/metrics.hpp"
#include "bot/slack_endpoint.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace checkpoint::bot::socket_mode {

struct client_options {
    // Connections kept open at once (Slack allows 10). Two, so that a refresh of one leaves the other
    // serving while its replacement dials.
    unsigned connections = 2;
    // ws:// (no TLS) is refused unless this is set, and then only to a loopback host: the service sets
    // it only when SLACK_API_URL is a loopback http:// test server.
    bool allow_plain_loopback = false;
    // PEM certificates trusted in addition to the system's store (tests with their own CA).
    std::string extra_ca_pem;
    // Waiting before dialling again after a lost connection, doubled per failure up to the maximum.
    std::chrono::milliseconds backoff_min{250};
    std::chrono::milliseconds backoff_max{30'000};
    // TCP, TLS and WebSocket handshakes together.
    std::chrono::seconds handshake_timeout{10};
    // Silence after which the connection is taken for dead; a ping goes out at half of it.
    std::chrono::seconds idle_timeout{30};
    // A refreshed connection is closed this long after its replacement said hello, unless Slack closes it
    // first: acknowledgements still being written on it arrive.
    std::chrono::milliseconds retire_after{2'000};
    // How long an envelope's acknowledgement is kept, to answer Slack's retries of it without
    // handling it again.
    std::chrono::minutes remember_for{10};
};

// A new WebSocket URL from apps.connections.open, or why there is none and whether to try again.
struct opened_url {
    std::string url;
};
struct open_failure {
    std::string error;
    bool retryable = true;
    // Slack's Retry-After, when it answered 429: no new dial before it.
    std::optional<std::chrono::milliseconds> retry_after = std::nullopt;
};
using open_result = std::variant<opened_url, open_failure>;

// Socket Mode: Checkpoint dials out to Slack instead of Slack calling in. Keeps `connections`
// WebSockets open (URLs from apps.connections.open; wss:// with the certificate and host name
// verified), decodes each envelope and hands it to the same dispatch as HTTP (slack_endpoint::dispatch),
// and acknowledges it with its envelope_id, carrying the answer when Slack accepts one.
//
// An envelope Slack sends again (its acknowledgement was lost, or came too late) is answered with the
// first acknowledgement, or joins the handling still under way: it is handled once. Events are also
// de-duplicated by event_id in the database, across restarts. A "disconnect" (refresh_requested,
// link_disabled) dials a replacement at once and keeps the old connection until the new one says hello;
// a lost connection is dialled again with backoff.
//
// Runs on its own thread; apps.connections.open (a blocking HTTPS call) runs through `run_blocking`.
class client {
public:
    using opener = std::function<open_result()>;
    using dispatcher = std::function<void(slack_request, const slack_delivery&, slack_reply)>;
    using blocking_runner = std::function<void(std::function<void()>)>;

    client(client_options options, opener open, dispatcher dispatch, blocking_runner run_blocking, metrics& m);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Dials every connection; returns at once.
    void start();
    // Closes every connection (a WebSocket close, up to `grace`) and joins the thread. Envelopes still
    // being handled are not acknowledged; Slack sends them again to whichever process is connected.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2'000));

    // Connections Slack has said hello on and not asked to close.
    unsigned open_connections() const;
    unsigned wanted_connections() const noexcept;
    // "connected 2 of 2", "degraded 1 of 2", "connecting 0 of 2": for /readyz and the log.
    std::string state() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

// Where a connection goes, read from apps.connections.open's URL.
struct socket_url {
    bool tls = true;
    // For DNS, SNI and the certificate check: without IPv6 brackets.
    std::string host;
    std::string port;
    // Path and query, as the WebSocket handshake sends them.
    std::string target;
};

// Reads and checks a WebSocket URL: wss://, or ws:// to a loopback host when `allow_plain_loopback`.
// Otherwise the string says what was wrong (without the URL's query, which carries a ticket).
std::variant<socket_url, std::string> parse_socket_url(std::string_view url, bool allow_plain_loopback);

} // namespace checkpoint::bot::socket_mode
