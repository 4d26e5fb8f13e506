#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::test {

struct fake_socket_mode_options {
    // An envelope not acknowledged within this time is sent again (retry_attempt + 1, retry_reason
    // "timeout"), on another connection when there is one, as Slack does.
    std::chrono::milliseconds retry_after{3'000};
    int max_retries = 3;
};

// How one envelope goes out.
struct fake_envelope_options {
    bool accepts_response_payload = true;
    // The first acknowledgement is thrown away as if lost on the way, so the envelope is sent again.
    bool lose_first_ack = false;
};

// Slack's Socket Mode side, on 127.0.0.1 with its own thread: a Beast WebSocket server that accepts
// the URLs fake_slack's apps.connections.open hands out, says hello, sends envelopes round robin over
// the open connections, records every acknowledgement, sends unacknowledged envelopes again, and
// can ask connections to refresh or drop them without a word.
class fake_socket_mode {
public:
    explicit fake_socket_mode(fake_socket_mode_options options = {});
    ~fake_socket_mode();
    fake_socket_mode(const fake_socket_mode&) = delete;
    fake_socket_mode& operator=(const fake_socket_mode&) = delete;

    // ws://127.0.0.1:<port>/link/?ticket=<n>: what apps.connections.open answers; each ticket works once.
    std::string new_url();

    // Connections Slack would send to now: said hello, not asked to disconnect, not closed.
    std::size_t open_connections() const;
    // Every WebSocket handshake accepted so far.
    std::size_t connections_accepted() const;
    bool wait_for_connections(std::size_t n, std::chrono::milliseconds timeout) const;

    // Queues an envelope of `type` (slash_commands, interactive, events_api) for the next open
    // connection; returns its envelope_id.
    std::string send(const std::string& type, boost::json::object payload, fake_envelope_options options = {});
    // The first acknowledgement that counted (not lost), as received; nullopt at the timeout.
    std::optional<boost::json::object> wait_ack(const std::string& envelope_id, std::chrono::milliseconds timeout) const;
    // Acknowledgements received for it, lost ones included.
    std::size_t acks_of(const std::string& envelope_id) const;
    // Times it went out: 1, plus one per retry.
    std::size_t deliveries_of(const std::string& envelope_id) const;
    // Sent and never acknowledged (after every retry).
    std::vector<std::string> unacknowledged() const;

    // How long an envelope waits for its acknowledgement before it is sent again.
    void set_retry_after(std::chrono::milliseconds wait);

    // {"type":"disconnect","reason":…} on every open connection; each is closed `grace` later.
    void disconnect_all(const std::string& reason, std::chrono::milliseconds grace);
    // Closes every connection's socket at once, with no close frame: a network loss.
    void drop_all();

    class server;

private:
    std::unique_ptr<server> server_;
};

} // namespace checkpoint::test
