// The anomaly alert end to end inside the service: filings for a critical bundle queue a demand check;
// the check counts the window and the baseline; a spike is told once per window in the security channel
// (the fake Slack), with its audit event.
#include "tests/bot/slack_service.hpp"

#include "app/demand.hpp"
#include "bot/audit_anchors.hpp"
#include "bot/job_handlers.hpp"
#include "workflow/duration.hpp"

#include <catch2/catch.hpp>

#include <boost/json/serialize.hpp>

using namespace checkpoint;
using namespace std::chrono_literals;

namespace {

workflow::intent::request ask(std::string target, std::string length = "1h")
{
    return {std::move(target), workflow::parse_duration(length).value(), "investigating pods", "", false};
}

std::size_t alerts_in(const test::fake_slack& slack, const std::string& channel)
{
    std::size_t n = 0;
    for (const auto& m : slack.messages_in(channel))
        if (boost::json::serialize(m.message).find("Unusual demand") != std::string::npos)
            ++n;
    return n;
}

std::size_t spike_events(test::service_fixture& svc)
{
    auto guard = svc.db->lock();
    auto q = svc.db->connection().use("SELECT count(*) FROM audit_log WHERE action = 'anomaly.demand_spike'");
    q->executeStep();
    return static_cast<std::size_t>(q->getColumn(0).getInt64());
}

} // namespace

TEST_CASE("a spike in requests for a critical bundle is told once per window in the security channel",
          "[anomaly]")
{
    test::slack_service s;
    auto& slack = s.slack;
    auto& svc = s.svc;
    bot::register_job_handlers(svc.runner, svc.ctx);
    const auto security = svc.manifests.settings.security_channel;
    REQUIRE_FALSE(security.empty());

    // Last week, two requests: the usual is 2 / 168 an hour.
    for (const auto* who : {"u-2001", "u-2002"})
        REQUIRE(svc.access.submit(who, ask("kubernetes-prod-debug")).has_value());
    svc.clock.advance(72h);
    svc.runner.run_until_idle();

    // Within the hour, four more (under the floor of 5), then a fifth.
    const std::vector<std::string> people{"u-2003", "u-4001", "u-4002", "u-3001", "u-6001", "u-3002"};
    for (std::size_t i = 0; i < 4; ++i) {
        REQUIRE(svc.access.submit(people[i], ask("kubernetes-prod-debug")).has_value());
        svc.clock.advance(5min);
    }
    svc.runner.run_until_idle();
    CHECK(alerts_in(slack, security) == 0);
    // Low-risk requests are not watched: no check is queued for them.
    auto staging = svc.access.submit("u-2001", ask("api-staging", "1d")).value();
    CHECK_FALSE(svc.jobs.find(staging.id + "/demand").value());

    auto fifth = svc.access.submit(people[4], ask("kubernetes-prod-debug")).value();
    REQUIRE(svc.jobs.find(fifth.id + "/demand").value());
    svc.runner.run_until_idle();
    REQUIRE(alerts_in(slack, security) == 1);
    const auto text = boost::json::serialize(slack.messages_in(security).back().message);
    INFO(text);
    CHECK(text.find("*Unusual demand for kubernetes-prod-debug* (critical risk)") != std::string::npos);
    CHECK(text.find("*5 requests* in 1h (up to ") != std::string::npos);
    CHECK(text.find("against a usual *0* per 1h over the 7 days before (2 in all)") != std::string::npos);
    CHECK(text.find("fires at 5 or more requests in 1h and more than 3× the usual") != std::string::npos);

    // A sixth in the same hour is still a spike, but the window was told already: nothing new.
    REQUIRE(svc.access.submit(people[5], ask("kubernetes-prod-debug")).has_value());
    svc.runner.run_until_idle();
    CHECK(alerts_in(slack, security) == 1);
    CHECK(spike_events(svc) == 1);
}

TEST_CASE("the demand alert says what it compared against", "[anomaly]")
{
    app::demand_alert_payload a{"C0SECURITY", "api-production-admin", "critical", 12, 336, 3600, 7 * 86400, 3, 5, {}};
    const auto text = boost::json::serialize(bot::demand_alert_message(a));
    INFO(text);
    CHECK(text.find("*12 requests* in 1h") != std::string::npos);
    CHECK(text.find("a usual *2* per 1h over the 7 days before (336 in all)") != std::string::npos);
    CHECK(text.find("`checkpoint log --bundle api-production-admin`") != std::string::npos);
}
