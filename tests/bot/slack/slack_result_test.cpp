#include "bot/slack/channel_pacer.hpp"
#include "bot/slack/slack_result.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::bot;
using namespace checkpoint::outbound;
using namespace std::chrono_literals;

namespace {

outbound::outbound_response answer(unsigned status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {})
{
    outbound::outbound_response res;
    res.status = status;
    res.body = std::move(body);
    res.headers = std::move(headers);
    return res;
}

} // namespace

TEST_CASE("classify_slack_response: Slack's answers sorted into ok, retryable and permanent")
{
    struct row {
        std::string name;
        outbound::outbound_response res;
        slack_outcome outcome;
        std::string error;
        std::optional<std::chrono::milliseconds> retry_after;
    };
    auto r = GENERATE(values<row>({
        {"ok", answer(200, R"({"ok":true,"ts":"1.2"})"), slack_outcome::ok, "", std::nullopt},
        {"ok with a warning", answer(200, R"({"ok":true,"warning":"missing_charset"})"), slack_outcome::ok, "", std::nullopt},
        {"429 with an empty body", answer(429, "", {{"Retry-After", "30"}}), slack_outcome::retryable, "ratelimited", 30s},
        {"429 without Retry-After", answer(429, "{}"), slack_outcome::retryable, "ratelimited", std::nullopt},
        {"ratelimited in the envelope", answer(200, R"({"ok":false,"error":"ratelimited"})", {{"retry-after", " 5 "}}),
         slack_outcome::retryable, "ratelimited", 5s},
        {"rate_limited from chat.postMessage", answer(200, R"({"ok":false,"error":"rate_limited"})"),
         slack_outcome::retryable, "rate_limited", std::nullopt},
        {"internal_error", answer(200, R"({"ok":false,"error":"internal_error"})"), slack_outcome::retryable, "internal_error", std::nullopt},
        {"fatal_error", answer(200, R"({"ok":false,"error":"fatal_error"})"), slack_outcome::retryable, "fatal_error", std::nullopt},
        {"service_unavailable", answer(200, R"({"ok":false,"error":"service_unavailable"})"), slack_outcome::retryable, "service_unavailable", std::nullopt},
        {"request_timeout", answer(200, R"({"ok":false,"error":"request_timeout"})"), slack_outcome::retryable, "request_timeout", std::nullopt},
        {"503 with an HTML page", answer(503, "<html>down</html>"), slack_outcome::retryable, "http_503", std::nullopt},
        {"500 with an envelope", answer(500, R"({"ok":false,"error":"internal_error"})"), slack_outcome::retryable, "internal_error", std::nullopt},
        {"channel_not_found", answer(200, R"({"ok":false,"error":"channel_not_found"})"), slack_outcome::permanent, "channel_not_found", std::nullopt},
        {"invalid_auth", answer(200, R"({"ok":false,"error":"invalid_auth"})"), slack_outcome::permanent, "invalid_auth", std::nullopt},
        {"not_in_channel", answer(200, R"({"ok":false,"error":"not_in_channel"})"), slack_outcome::permanent, "not_in_channel", std::nullopt},
        {"invalid_blocks", answer(200, R"({"ok":false,"error":"invalid_blocks"})"), slack_outcome::permanent, "invalid_blocks", std::nullopt},
        {"expired_trigger_id", answer(200, R"({"ok":false,"error":"expired_trigger_id"})"), slack_outcome::permanent, "expired_trigger_id", std::nullopt},
        {"404 without an envelope", answer(404, "Not Found"), slack_outcome::permanent, "http_404", std::nullopt},
        {"200 that is not JSON", answer(200, "<html>"), slack_outcome::permanent, "invalid_response", std::nullopt},
        {"200 without ok", answer(200, R"({"ts":"1.2"})"), slack_outcome::permanent, "invalid_response", std::nullopt},
        {"Retry-After as an HTTP date is ignored", answer(429, "", {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}),
         slack_outcome::retryable, "ratelimited", std::nullopt},
    }));

    // when
    const auto result = classify_slack_response(r.res);

    // then
    INFO(r.name);
    CHECK(result.outcome == r.outcome);
    CHECK(result.error == r.error);
    CHECK(result.retry_after == r.retry_after);
    CHECK(result.http_status == r.res.status);
}

TEST_CASE("classify_transport_failure: only a bad URL and TLS are permanent")
{
    auto [kind, outcome, error] = GENERATE(table<transport_failure_kind, slack_outcome, std::string>({
        {outbound::transport_failure_kind::bad_url, slack_outcome::permanent, "transport_bad_url"},
        {outbound::transport_failure_kind::tls, slack_outcome::permanent, "transport_tls"},
        {outbound::transport_failure_kind::resolve, slack_outcome::retryable, "transport_resolve"},
        {outbound::transport_failure_kind::connect, slack_outcome::retryable, "transport_connect"},
        {outbound::transport_failure_kind::timeout, slack_outcome::retryable, "transport_timeout"},
        {outbound::transport_failure_kind::io, slack_outcome::retryable, "transport_io"},
    }));

    const auto result = classify_transport_failure({kind, "details"});

    CHECK(result.outcome == outcome);
    CHECK(result.error == error);
    CHECK(result.http_status == 0);
}

TEST_CASE("slack_result: helpers read ts, channel, view and user from the answer")
{
    slack_result r = classify_slack_response(answer(200, R"({"ok":true,"channel":{"id":"D1"},"message_ts":"9.1",
        "view":{"id":"V1","hash":"h1"},"user":{"id":"U1","profile":{"email":"a@example.com"}}})"));

    CHECK(r.ok());
    CHECK(r.ts() == "9.1");
    CHECK(r.channel() == "D1");
    CHECK(r.view_id() == "V1");
    CHECK(r.view_hash() == "h1");
    CHECK(r.user_id() == "U1");
    CHECK(r.user_email() == "a@example.com");

    const auto empty = classify_slack_response(answer(200, R"({"ok":true})"));
    CHECK_FALSE(empty.ts());
    CHECK_FALSE(empty.channel());
    CHECK_FALSE(empty.view_id());
    CHECK_FALSE(empty.user_email());
}

TEST_CASE("channel_pacer: one post per channel per interval, channels independent")
{
    workflow::manual_clock clock{workflow::time_point{std::chrono::seconds{1'800'000'000}}};
    channel_pacer pacer(clock, 1000ms);

    CHECK_FALSE(pacer.reserve("C1"));
    CHECK(pacer.reserve("C1") == 1000ms);
    CHECK_FALSE(pacer.reserve("C2"));

    clock.advance(400ms);
    CHECK(pacer.reserve("C1") == 600ms);

    clock.advance(600ms);
    CHECK_FALSE(pacer.reserve("C1"));
    CHECK(pacer.reserve("C1") == 1000ms);
}
