#include "bot/integrations/webhook_reply.hpp"
#include "tests/bot/integrations/sample_events.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::bot;
using namespace std::chrono;

TEST_CASE("Retry-After in seconds or as an HTTP-date")
{
    const auto now = test::utc(2026, 11, 22, 10);
    CHECK(parse_retry_after("120", now) == seconds{120});
    CHECK(parse_retry_after(" 0 ", now) == seconds{0});
    CHECK(parse_retry_after("Sun, 22 Nov 2026 10:01:30 GMT", now) == seconds{90});
    // a date already past means "now"
    CHECK(parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now) == seconds{0});
    // absurd values are capped
    CHECK(parse_retry_after("99999999999999999999999", now) == max_retry_after);
    CHECK(parse_retry_after("Sat, 22 Nov 2036 10:00:00 GMT", now) == max_retry_after);
    // dates a nanosecond clock cannot hold still compare
    CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == max_retry_after);
    CHECK(parse_retry_after("Mon, 01 Jan 0001 00:00:00 GMT", now) == seconds{0});
    CHECK_FALSE(parse_retry_after("", now));
    CHECK_FALSE(parse_retry_after("-5", now));
    CHECK_FALSE(parse_retry_after("soon", now));
    CHECK_FALSE(parse_retry_after("Sun, 31 Feb 2026 10:00:00 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 22 Nov 2026 10:01:30 PST", now));
}

TEST_CASE("Retry-After is honoured on 503 too, read case-insensitively")
{
    outbound::outbound_response res{503, {{"retry-after", "Sun, 22 Nov 2026 10:00:05 GMT"}}, ""};
    const auto out = classify_webhook_reply(res, event_kind::revoke, test::utc(2026, 11, 22, 10));
    CHECK(out.is_retry());
    CHECK(out.retry_after == seconds{5});
}

TEST_CASE("a 2xx error object's message is quoted - a redirect is permanent")
{
    const auto now = test::utc(2026, 11, 22, 10);
    auto out = classify_webhook_reply({200, {}, R"({"error":{"message":"unknown permission set"}})"},
                                      event_kind::grant, now);
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("unknown permission set"));

    out = classify_webhook_reply({200, {}, R"({"error":"quota"})"}, event_kind::grant, now);
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("quota"));

    // `"error": null` is not an error
    CHECK(classify_webhook_reply({200, {}, R"({"error":null,"ok":true})"}, event_kind::grant, now).is_done());
    // a 2xx that is not JSON still means the receiver took it
    CHECK(classify_webhook_reply({200, {}, "OK"}, event_kind::grant, now).is_done());
    CHECK(classify_webhook_reply({302, {{"Location", "https://elsewhere"}}, ""}, event_kind::grant, now)
              .is_permanent_failure());
}
