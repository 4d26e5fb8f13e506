// After a failed access attempt, the person gets a DM naming the bundle that grants it, with a Request
// button that opens the request form for it: through the real stores, the job runner and the fake Slack.
#include "tests/bot/slack_service.hpp"

#include "app/access_denied.hpp"
#include "bot/job_handlers.hpp"

#include <catch2/catch.hpp>

#include <boost/json/serialize.hpp>

using namespace checkpoint;

TEST_CASE("a denied access attempt DMs the person the bundle that grants it, with Request", "[access-denied]")
{
    test::slack_service s;
    auto& slack = s.slack;
    auto& svc = s.svc;
    bot::register_job_handlers(svc.runner, svc.ctx);

    auto a = app::report_access_denied(svc.manifests, svc.petitions, svc.audit,
                                       {"u-4001", "permission_set: api-staging", "aws", "AccessDenied"}, "token:shipper",
                                       {"api", 7}, svc.clock.now());
    REQUIRE(a.has_value());
    CHECK(a->suggested == "api-staging");
    CHECK(a->told);
    svc.runner.run_until_idle();
    const auto dms = slack.messages_in(test::fake_slack::dm_channel_of("U01KOFI"));
    REQUIRE(dms.size() == 1);
    const auto text = boost::json::serialize(dms.front().message);
    INFO(text);
    CHECK(text.find("You were denied `permission_set: api-staging` in aws") != std::string::npos);
    CHECK(text.find("*api-staging* grants it") != std::string::npos);
    CHECK(text.find("\"action_id\":\"checkpoint.open_request_modal\"") != std::string::npos);
    CHECK(text.find("\"value\":\"api-staging\"") != std::string::npos);

    // Eve asked for api-production and waits on its approval: not told to ask again.
    REQUIRE(svc.access.submit("u-4002", {"api-production", std::chrono::hours{24 * 7}, "load test", "", false})
                .has_value());
    auto waiting = app::report_access_denied(svc.manifests, svc.petitions, svc.audit,
                                             {"u-4002", "api-rds-connect", "aws", ""}, "token:shipper", {"api", 7},
                                             svc.clock.now());
    REQUIRE(waiting.has_value());
    REQUIRE(waiting->matches.size() == 1);
    CHECK(waiting->matches.front().held);
    CHECK(waiting->suggested.empty());
    CHECK_FALSE(waiting->told);

    // Once Kofi holds it, nothing is suggested: the attempt is only recorded.
    REQUIRE(svc.access.submit("u-4001", {"api-staging", std::chrono::hours{24}, "on call", "", false}).has_value());
    auto again = app::report_access_denied(svc.manifests, svc.petitions, svc.audit,
                                           {"u-4001", "api-staging", "aws", ""}, "token:shipper", {"api", 7},
                                           svc.clock.now() + std::chrono::hours{2});
    REQUIRE(again.has_value());
    CHECK(again->suggested.empty());
    REQUIRE(again->matches.size() == 1);
    CHECK(again->matches.front().held);
    CHECK_FALSE(again->told);
}
