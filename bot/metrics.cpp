#include "bot/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace checkpoint::bot {

std::string_view to_string(route_id r)
{
    switch (r) {
    case route_id::healthz:
        return "/healthz";
    case route_id::readyz:
        return "/readyz";
    case route_id::metrics:
        return "/metrics";
    case route_id::slack:
        return "/slack/events";
    case route_id::api:
        return "/api/v1";
    case route_id::other:
        return "other";
    }
    return "other";
}

metrics::metrics() : registry_(std::make_shared<prometheus::Registry>())
{
    auto& requests = prometheus::BuildCounter()
                         .Name("checkpoint_http_requests_total")
                         .Help("HTTP requests answered, by route and status class")
                         .Register(*registry_);
    auto& latency = prometheus::BuildHistogram()
                        .Name("checkpoint_http_request_duration_seconds")
                        .Help("Time from a parsed request to its response being ready, by route")
                        .Register(*registry_);
    const prometheus::Histogram::BucketBoundaries buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    static constexpr std::array<std::string_view, 5> classes{"1xx", "2xx", "3xx", "4xx", "5xx"};
    for (std::size_t r = 0; r < route_count; ++r) {
        const std::string route{to_string(static_cast<route_id>(r))};
        for (std::size_t c = 0; c < classes.size(); ++c)
            routes_[r].by_class[c] = &requests.Add({{"route", route}, {"code", std::string(classes[c])}});
        routes_[r].latency = &latency.Add({{"route", route}}, buckets);
    }
    signature_failures_ = &prometheus::BuildCounter()
                               .Name("checkpoint_slack_signature_failures_total")
                               .Help("Slack requests refused before parsing, by reason")
                               .Register(*registry_);
    slack_requests_ = &prometheus::BuildCounter()
                           .Name("checkpoint_slack_requests_total")
                           .Help("Verified Slack requests, by kind")
                           .Register(*registry_);
    in_flight_ = &prometheus::BuildGauge()
                      .Name("checkpoint_http_in_flight_requests")
                      .Help("Requests being handled now")
                      .Register(*registry_)
                      .Add({});
    socket_connections_ = &prometheus::BuildGauge()
                               .Name("checkpoint_socket_mode_connections")
                               .Help("Socket Mode connections open now (Slack said hello)")
                               .Register(*registry_)
                               .Add({});
    socket_envelopes_ = &prometheus::BuildCounter()
                             .Name("checkpoint_socket_mode_envelopes_total")
                             .Help("Socket Mode envelopes received, by type")
                             .Register(*registry_);
    socket_duplicates_ = &prometheus::BuildCounter()
                              .Name("checkpoint_socket_mode_duplicate_envelopes_total")
                              .Help("Envelopes Slack sent again, acknowledged without being handled twice")
                              .Register(*registry_)
                              .Add({});
    socket_reconnects_ = &prometheus::BuildCounter()
                              .Name("checkpoint_socket_mode_reconnects_total")
                              .Help("Socket Mode connections replaced, by reason (refresh_requested, lost, ...)")
                              .Register(*registry_);
}

void metrics::socket_envelope(std::string_view type)
{
    socket_envelopes_->Add({{"type", std::string(type)}}).Increment();
}

void metrics::socket_duplicate_envelope() { socket_duplicates_->Increment(); }

void metrics::socket_reconnect(std::string_view reason)
{
    socket_reconnects_->Add({{"reason", std::string(reason)}}).Increment();
}

void metrics::observe_request(route_id route, unsigned status, double seconds)
{
    auto& r = routes_[static_cast<std::size_t>(route)];
    const std::size_t cls = status >= 100 && status < 600 ? status / 100 - 1 : 4;
    r.by_class[cls]->Increment();
    r.latency->Observe(seconds);
}

void metrics::signature_failure(std::string_view reason)
{
    signature_failures_->Add({{"reason", std::string(reason)}}).Increment();
}

void metrics::slack_request(std::string_view kind)
{
    slack_requests_->Add({{"kind", std::string(kind)}}).Increment();
}

std::string metrics::render() const { return prometheus::TextSerializer{}.Serialize(registry_->Collect()); }

} // namespace checkpoint::bot
