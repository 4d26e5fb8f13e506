#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot {

// The routes metrics are kept for; everything else counts as "other".
enum class route_id { healthz, readyz, metrics, slack, api, other };
inline constexpr std::size_t route_count = 6;
std::string_view to_string(route_id r);

// Prometheus metrics of the service, created once so the request path only touches atomics.
class metrics {
public:
    metrics();

    void observe_request(route_id route, unsigned status, double seconds);
    void signature_failure(std::string_view reason);
    void slack_request(std::string_view kind);
    prometheus::Gauge& in_flight() { return *in_flight_; }

    // Socket Mode: connections open now (hello received), envelopes by type, envelopes Slack sent again
    // that were acknowledged without being handled twice, and connections lost or replaced, by reason.
    void socket_connections(double open) { socket_connections_->Set(open); }
    void socket_envelope(std::string_view type);
    void socket_duplicate_envelope();
    void socket_reconnect(std::string_view reason);

    // Prometheus text exposition format 0.0.4.
    std::string render() const;
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

private:
    struct route_metrics {
        std::array<prometheus::Counter*, 5> by_class{};
        prometheus::Histogram* latency = nullptr;
    };

    std::shared_ptr<prometheus::Registry> registry_;
    std::array<route_metrics, route_count> routes_{};
    prometheus::Family<prometheus::Counter>* signature_failures_ = nullptr;
    prometheus::Family<prometheus::Counter>* slack_requests_ = nullptr;
    prometheus::Gauge* in_flight_ = nullptr;
    prometheus::Gauge* socket_connections_ = nullptr;
    prometheus::Family<prometheus::Counter>* socket_envelopes_ = nullptr;
    prometheus::Counter* socket_duplicates_ = nullptr;
    prometheus::Family<prometheus::Counter>* socket_reconnects_ = nullptr;
};

} // namespace checkpoint::bot
