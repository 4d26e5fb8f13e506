#pragma once

#include "bot/integrations/integration.hpp"
#include "outbound/http_client.hpp"
#include "workflow/clock.hpp"
#include "workflow/settings.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace checkpoint::bot {

struct webhook_settings {
    std::string url;
    // The environment variable holding the signing secret; read at every delivery.
    std::string secret_env;
    workflow::webhook_format format = workflow::webhook_format::checkpoint;
    // Over the whole exchange: connect, send, answer.
    std::chrono::milliseconds timeout{10'000};
};

// The request MANIFESTS.md describes: the event body, Idempotency-Key, and the timestamp and
// HMAC-SHA256 signature of `v0:<timestamp>:<body>` in the headers of the chosen format.
outbound::outbound_request signed_webhook_request(const webhook_settings& settings, const access_event& event,
                                        std::string_view secret, std::chrono::system_clock::time_point now);

// POSTs each event to a receiver and reads the outcome from its answer. The secret lives only
// in the environment and in this call's stack, never in a log line or an outcome.
class webhook_integration final : public integration {
public:
    webhook_integration(std::string name, webhook_settings settings, outbound::http_client& http, const workflow::clock& clock);

    std::string_view name() const noexcept override { return name_; }
    delivery_outcome deliver(const access_event& event) override;

private:
    std::string name_;
    webhook_settings settings_;
    outbound::http_client& http_;
    const workflow::clock& clock_;
};

} // namespace checkpoint::bot
