#include "bot/integrations/webhook_integration.hpp"

#include "bot/integrations/delivery_log.hpp"

#include "bot/integrations/event_json.hpp"
#include "bot/integrations/webhook_reply.hpp"
#include "bot/integrations/webhook_url_policy.hpp"
#include "bot/slack_signature.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace checkpoint::bot {

using namespace std::chrono;

outbound::outbound_request signed_webhook_request(const webhook_settings& settings, const access_event& event,
                                        std::string_view secret, system_clock::time_point now)
{
    outbound::outbound_request req;
    req.method = "POST";
    req.url = settings.url;
    req.timeout = settings.timeout;
    req.body = event_body(event);

    const std::string ts = std::to_string(floor<seconds>(now).time_since_epoch().count());
    const std::string hex = hmac_sha256_v0_hex(secret, ts, req.body);
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Idempotency-Key", event.idempotency_key);
    switch (settings.format) {
    case workflow::webhook_format::checkpoint:
        req.headers.emplace_back("X-Checkpoint-Timestamp", ts);
        req.headers.emplace_back("X-Checkpoint-Signature", "v0=" + hex);
        break;
    case workflow::webhook_format::indent:
        // Indent's SDK compares the bare hex digest.
        req.headers.emplace_back("X-Indent-Timestamp", ts);
        req.headers.emplace_back("X-Indent-Signature", hex);
        break;
    }
    return req;
}

webhook_integration::webhook_integration(std::string name, webhook_settings settings, outbound::http_client& http,
                                         const workflow::clock& clock)
    : name_(std::move(name)), settings_(std::move(settings)), http_(http), clock_(clock)
{
}

delivery_outcome webhook_integration::deliver(const access_event& event)
{
    const auto outcome = [&]() -> delivery_outcome {
        if (auto refusal = refuse_webhook_url(settings_.url))
            return delivery_outcome::failed(*refusal);
        if (event.idempotency_key.empty())
            return delivery_outcome::failed("the event has no idempotency key; receivers could apply it twice");
        // Read at use, so rotating the secret needs no restart (and it never sits in our config).
        const char* secret = settings_.secret_env.empty() ? nullptr : std::getenv(settings_.secret_env.c_str());
        if (!secret || !*secret)
            return delivery_outcome::failed(
                "the signing secret is missing: set the environment variable " +
                (settings_.secret_env.empty() ? std::string("named by secret_env") : settings_.secret_env) +
                " for integration " + name_);

        const auto req = signed_webhook_request(settings_, event, secret, clock_.now());
        auto [res, failure] = http_.send(req);
        if (res)
            return classify_webhook_reply(*res, event.kind, clock_.now());
        if (failure)
            return classify_webhook_transport_failure(*failure);
        return delivery_outcome::retry("the HTTP client returned neither an answer nor a failure");
    }();

    log_delivery(name_, event, outcome);
    return outcome;
}

} // namespace checkpoint::bot
