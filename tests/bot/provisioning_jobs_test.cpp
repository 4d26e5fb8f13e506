#include "tests/bot/service_fixture.hpp"

#include "bot/integrations/webhook_integration.hpp"
#include "bot/provisioning_jobs.hpp"
#include "bot/slack_commands.hpp"
#include "bot/slack_jobs.hpp"
#include "app/effect_jobs.hpp"
#include "tests/fakes/slack/fake_slack.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>

using namespace checkpoint;
using namespace std::chrono_literals;
namespace in = workflow::intent;

namespace {

constexpr const char* secret_env = "CHECKPOINT_TEST_PROVISIONING_SECRET";
constexpr const char* secret = "provisioning-test-secret";

in::request ask(std::string target, std::string length)
{
    return {std::move(target), workflow::parse_duration(length).value(), "analysis", "", false};
}

// Points staging-access at `hook`, as a webhook with the test secret.
void use_receiver(test::service_fixture& svc, test::fake_webhook& hook)
{
    ::setenv(secret_env, secret, 1);
    svc.integrations["staging-access"] = std::make_unique<bot::webhook_integration>(
        "staging-access", bot::webhook_settings{hook.url(), secret_env, workflow::webhook_format::checkpoint, 2000ms},
        svc.http, svc.clock);
}

// True when the petition's audit trail has `action`, with `reason_has` in its reason.
bool audited(test::service_fixture& svc, const std::string& id, std::string_view action, std::string_view reason_has = "")
{
    for (const auto& rec : svc.audit.for_petition(id).value())
        if (rec.event.action == action && rec.event.reason.find(reason_has) != std::string::npos)
            return true;
    return false;
}

// The service with staging-access pointed at a fake receiver, and the provisioning jobs registered;
// Slack jobs are no-ops here.
struct rig {
    rig()
    {
        use_receiver(svc, hook);
        for (const char* kind : {"notify_person", "notify_channel", "post_card", "update_cards", "remind"})
            svc.runner.handle(kind, {[](const workflow::job&) { return bot::job_outcome::done(); }, {}});
        bot::register_provisioning_jobs(svc.runner, svc.ctx);
    }

    workflow::petition file(const std::string& target = "analytics-staging", const std::string& length = "1d")
    {
        auto p = svc.access.submit("u-4001", ask(target, length));
        REQUIRE(p.has_value());
        return *p;
    }

    // A second request of what `file` filed, written as requests were before one open request per person
    // and target was kept: stored data may still hold such overlaps, and the ledger must handle them.
    workflow::petition file_overlapping(const std::string& target, workflow::duration length, const std::string& id)
    {
        const auto now = svc.clock.now();
        auto route = workflow::decide(svc.manifests, {"u-4001", target, length, false}, now);
        REQUIRE(route.has_value());
        auto t = workflow::file(*route, {id, "overlapping", ""}, now);
        REQUIRE(svc.petitions.file(app::plan_write(t, app::filing_audit(t.petition, {}), now)).value() ==
                workflow::write_status::applied);
        return t.petition;
    }

    workflow::petition_state state(const std::string& id) { return svc.access.get(id).value().state; }

    // Kofi's analytics-staging for a day, granted: the workers ran and the request is active.
    workflow::petition active()
    {
        auto p = file();
        svc.runner.run_until_idle();
        REQUIRE(state(p.id) == workflow::petition_state::active);
        return p;
    }

    test::service_fixture svc;
    test::fake_webhook hook{secret};
};

} // namespace

SCENARIO("an auto-approved request is granted through the webhook, then revoked at expiry", "[provisioning]")
{
    rig r;
    GIVEN("Kofi (analytics-eng) asks for analytics-staging for 1 day: auto-approved")
    {
        auto p = r.file();
        REQUIRE(p.state == workflow::petition_state::approved);
        WHEN("the workers run")
        {
            r.svc.runner.run_until_idle();
            THEN("the receiver got access/grant for Kofi and the bundle, signed, and the petition is active")
            {
                auto log = r.hook.snapshot();
                REQUIRE(log.count("access/grant") == 1);
                const auto& req = log.requests.front();
                CHECK(req.signature_valid);
                CHECK_FALSE(req.idempotency_key.empty());
                REQUIRE(req.events.size() == 1);
                CHECK(req.events[0].person_id == "u-4001");
                CHECK(req.events[0].resource_kind == "bundle");
                CHECK(req.events[0].resource_id == "analytics-staging");
                CHECK(r.state(p.id) == workflow::petition_state::active);
                CHECK(r.hook.snapshot().count("access/revoke") == 0);
            }
            AND_WHEN("the clock passes the expiry")
            {
                r.svc.clock.advance(24h + 1min);
                r.svc.runner.run_until_idle();
                THEN("access/revoke is delivered and the petition is expired")
                {
                    auto log = r.hook.snapshot();
                    CHECK(log.count("access/revoke") == 1);
                    CHECK(log.effects_of("access/revoke") == 1);
                    CHECK(r.state(p.id) == workflow::petition_state::expired);
                    CHECK(r.svc.grants.holdings_of("u-4001").value().empty());
                }
            }
        }
    }
}

SCENARIO("a receiver that is down gets the grant once it is back, under the same idempotency key", "[provisioning]")
{
    rig r;
    GIVEN("the receiver is down when the request is approved")
    {
        r.hook.go_down();
        auto p = r.file();
        r.svc.runner.run_until_idle();
        REQUIRE(r.state(p.id) == workflow::petition_state::provisioning);
        WHEN("it comes back and the retry falls due")
        {
            r.hook.come_back();
            r.hook.queue(test::webhook_reply::with_status(503));
            r.svc.clock.advance(1min);
            r.svc.runner.run_until_idle();
            r.svc.clock.advance(5min);
            r.svc.runner.run_until_idle();
            THEN("the grant is delivered after the retries and the petition is active")
            {
                auto log = r.hook.snapshot();
                CHECK(log.count("access/grant") == 2);
                CHECK(log.effects_of("access/grant") == 1);
                REQUIRE(log.requests.size() == 2);
                CHECK(log.requests[0].idempotency_key == log.requests[1].idempotency_key);
                CHECK(r.state(p.id) == workflow::petition_state::active);
            }
        }
    }
}

SCENARIO("overlapping grants on one bundle: no revoke until the last one ends", "[provisioning]")
{
    rig r;
    GIVEN("two active grants of analytics-staging to Kofi, for 1 day and 3 days")
    {
        auto short_one = r.file("analytics-staging", "1d");
        auto long_one = r.file_overlapping("analytics-staging", 72h, "p-overlapping");
        r.svc.runner.run_until_idle();
        REQUIRE(r.state(short_one.id) == workflow::petition_state::active);
        REQUIRE(r.state(long_one.id) == workflow::petition_state::active);
        WHEN("the first one expires")
        {
            r.svc.clock.advance(24h + 1min);
            r.svc.runner.run_until_idle();
            THEN("it is expired but nothing is revoked")
            {
                CHECK(r.state(short_one.id) == workflow::petition_state::expired);
                CHECK(r.state(long_one.id) == workflow::petition_state::active);
                CHECK(r.hook.snapshot().count("access/revoke") == 0);
            }
            AND_WHEN("the second one expires too")
            {
                r.svc.clock.advance(48h);
                r.svc.runner.run_until_idle();
                THEN("access/revoke is delivered once")
                {
                    CHECK(r.state(long_one.id) == workflow::petition_state::expired);
                    CHECK(r.hook.snapshot().count("access/revoke") == 1);
                }
            }
        }
    }
}

SCENARIO("a 4xx from the receiver fails the petition", "[provisioning]")
{
    rig r;
    GIVEN("a receiver that refuses the grant with 403")
    {
        r.hook.queue(test::webhook_reply::with_status(403), 5);
        auto p = r.file();
        WHEN("the workers run")
        {
            r.svc.runner.run_until_idle();
            THEN("the petition is failed, with the reason, and nothing is active")
            {
                auto after = r.svc.access.get(p.id).value();
                CHECK(after.state == workflow::petition_state::failed);
                CHECK_FALSE(after.close_reason.empty());
                CHECK(r.hook.snapshot().count("access/grant") == 1);
                CHECK(r.svc.grants.holdings_of("u-4001").value().empty());
            }
            THEN("the owning team (analytics-eng) and the platform team are told, each member once")
            {
                for (const char* who : {"u-4000", "u-4002", "u-1000", "u-1001", "u-1002"}) {
                    INFO(who);
                    auto j = r.svc.jobs.find("failed/" + p.id + "/" + who).value();
                    REQUIRE(j.has_value());
                    CHECK(j->kind == "notify_person");
                }
                // The requester hears it from the transition itself, not twice.
                CHECK_FALSE(r.svc.jobs.find("failed/" + p.id + "/u-4001").value().has_value());
            }
        }
    }
}

SCENARIO("an extension moves the end: the first expiry does nothing, the new one revokes", "[provisioning]")
{
    rig r;
    GIVEN("an active 1-day grant extended by 2 days")
    {
        auto p = r.active();
        REQUIRE(r.svc.access.extend(p.id, "u-4001", 48h, "still analysing", workflow::slack_origin()).has_value());
        r.svc.runner.run_until_idle();
        WHEN("the original end passes")
        {
            r.svc.clock.advance(24h + 1min);
            r.svc.runner.run_until_idle();
            THEN("access stays")
            {
                CHECK(r.state(p.id) == workflow::petition_state::active);
                CHECK(r.hook.snapshot().count("access/revoke") == 0);
                CHECK(r.svc.grants.holdings_of("u-4001").value().size() == 1);
            }
            AND_WHEN("the extended end passes")
            {
                r.svc.clock.advance(48h);
                r.svc.runner.run_until_idle();
                THEN("it is revoked once")
                {
                    CHECK(r.state(p.id) == workflow::petition_state::expired);
                    CHECK(r.hook.snapshot().count("access/revoke") == 1);
                }
            }
        }
    }
}

SCENARIO("429 with Retry-After is honoured", "[provisioning]")
{
    rig r;
    GIVEN("a receiver that asks for a 120-second pause")
    {
        r.hook.queue(test::webhook_reply::too_many_requests("120"));
        auto p = r.file();
        r.svc.runner.run_until_idle();
        REQUIRE(r.hook.snapshot().requests.size() == 1);
        WHEN("only a minute passes")
        {
            r.svc.clock.advance(1min);
            r.svc.runner.run_until_idle();
            THEN("nothing is sent again") { CHECK(r.hook.snapshot().requests.size() == 1); }
            AND_WHEN("the pause is over")
            {
                r.svc.clock.advance(2min);
                r.svc.runner.run_until_idle();
                THEN("the grant lands")
                {
                    CHECK(r.hook.snapshot().effects_of("access/grant") == 1);
                    CHECK(r.state(p.id) == workflow::petition_state::active);
                }
            }
        }
    }
}

SCENARIO("a revoke that fails for good is audited and told to the owner and platform teams", "[provisioning]")
{
    rig r;
    GIVEN("an active grant, and a receiver that refuses the revoke")
    {
        auto p = r.active();
        r.hook.queue(test::webhook_reply::with_status(400));
        WHEN("it expires")
        {
            r.svc.clock.advance(24h + 1min);
            r.svc.runner.run_until_idle();
            THEN("the audit trail records the failed revoke")
            {
                CHECK(audited(r.svc, p.id, "revoke_failed"));
            }
            THEN("analytics-eng (Nina, Eve) and platform-team (Paula, Omar, Grace) get a DM; Kofi, who asked, does not")
            {
                for (const char* person : {"u-4000", "u-4002", "u-1000", "u-1001", "u-1002", "u-4001"}) {
                    INFO(person);
                    auto j = r.svc.jobs.find("revoke_failed/" + p.id + "/" + person).value();
                    CHECK(j.has_value() == (std::string(person) != "u-4001"));
                    if (j)
                        CHECK_THAT(j->payload, Catch::Contains("\"notice\":\"revoke_failed\""));
                }
            }
        }
    }
}

SCENARIO("a revoke that keeps failing until the retry window closes tells the owner and platform teams",
         "[provisioning]")
{
    rig r;
    GIVEN("an active grant, and a receiver that answers 503 to every revoke")
    {
        auto p = r.active();
        r.hook.queue(test::webhook_reply::with_status(503), 1000);
        r.svc.clock.advance(24h + 1min);
        r.svc.runner.run_until_idle();
        REQUIRE(r.state(p.id) == workflow::petition_state::expired);
        REQUIRE(r.svc.jobs.find("revoke_failed/" + p.id + "/u-1000").value() == std::nullopt);
        WHEN("the retry window (24 h) closes")
        {
            r.svc.clock.advance(25h);
            r.svc.runner.run_until_idle();
            THEN("the revoke is dead, its give-up is audited, and both teams are told")
            {
                auto revoke = r.svc.jobs.find(app::revoke_key("u-4001", "analytics-staging", p.id)).value();
                REQUIRE(revoke);
                CHECK(revoke->status == workflow::job_status::dead);
                CHECK(audited(r.svc, p.id, "revoke_failed", "gave up after retrying"));
                for (const char* person : {"u-4000", "u-4002", "u-1000", "u-1001", "u-1002"}) {
                    INFO(person);
                    CHECK(r.svc.jobs.find("revoke_failed/" + p.id + "/" + person).value().has_value());
                }
            }
        }
    }
}

SCENARIO("an ended request's own holding never keeps its access", "[provisioning]")
{
    rig r;
    GIVEN("an active grant whose holding is written again after its revoke (a late grant's record)")
    {
        auto p = r.active();
        REQUIRE(r.svc.access.act(p.id, workflow::revoke_by("u-4001", r.svc.clock.now())).has_value());
        REQUIRE(r.svc.grants.hold({"u-4001", "analytics-staging", p.id, r.svc.clock.now() + 1h}).has_value());
        WHEN("the revoke job runs")
        {
            r.svc.runner.run_until_idle();
            THEN("the revoke is delivered all the same")
            {
                CHECK(r.hook.snapshot().effects_of("access/revoke") == 1);
            }
        }
    }
    GIVEN("an extended grant whose holding was released meanwhile")
    {
        auto p = r.active();
        REQUIRE(r.svc.grants.release("u-4001", "analytics-staging", p.id,
                                     app::revoke_job("u-4001", "analytics-staging", p.id, r.svc.clock.now()),
                                     r.svc.clock.now())
                    .has_value());
        WHEN("the end is moved")
        {
            auto moved = r.svc.grants.move_end({"u-4001", "analytics-staging", p.id, r.svc.clock.now() + 48h});
            THEN("nothing is held again")
            {
                CHECK_FALSE(moved.value());
                CHECK(r.svc.grants.holdings_of("u-4001").value().empty());
            }
        }
    }
}

SCENARIO("a request revoked while its grant was retrying sends a revoke after the grant", "[provisioning]")
{
    rig r;
    GIVEN("a grant the receiver answered 503 once (it may have applied it), then a revoke")
    {
        r.hook.queue(test::webhook_reply::with_status(503));
        auto p = r.file();
        r.svc.runner.run_once();
        REQUIRE(r.state(p.id) == workflow::petition_state::provisioning);
        REQUIRE(r.svc.access.act(p.id, workflow::revoke_by("u-4001", r.svc.clock.now())).has_value());
        WHEN("the grant job runs again")
        {
            r.svc.clock.advance(10min);
            r.svc.runner.run_until_idle();
            THEN("it grants nothing and queues a revoke of its own, delivered like the first")
            {
                auto log = r.hook.snapshot();
                CHECK(log.count("access/grant") == 1);
                CHECK(log.count("access/revoke") == 2);
                auto late = r.svc.jobs.find(app::revoke_key("u-4001", "analytics-staging", p.id) + "/after-grant")
                                .value();
                REQUIRE(late);
                CHECK(late->status == workflow::job_status::done);
            }
        }
    }
}

SCENARIO("a grant that gives up fails the petition and tells the requester, the owner team and the platform team",
         "[provisioning]")
{
    test::fake_slack slack;
    // Eve and Grace have no slack_id in the directory: found by email.
    slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau"});
    slack.add_user({"UXGRACE", "grace@example.com", "Grace Kim"});
    test::service_fixture svc(slack.api_url(), slack.token());
    test::fake_webhook hook{secret};
    use_receiver(svc, hook);
    bot::register_slack_jobs(svc.runner, svc.ctx);
    bot::register_provisioning_jobs(svc.runner, svc.ctx);

    GIVEN("a receiver that answers 503 to every grant")
    {
        hook.queue(test::webhook_reply::with_status(503), 1000);
        auto p = svc.access.submit("u-4001", ask("analytics-staging", "1d")).value();
        svc.runner.run_until_idle();
        REQUIRE(svc.access.get(p.id).value().state == workflow::petition_state::provisioning);
        WHEN("the retry window (24 h) closes")
        {
            slack.clear_calls();
            svc.clock.advance(25h);
            svc.runner.run_until_idle();
            THEN("the petition is failed with the last error")
            {
                auto after = svc.access.get(p.id).value();
                CHECK(after.state == workflow::petition_state::failed);
                CHECK_THAT(after.close_reason, Catch::Contains("gave up after retrying") && Catch::Contains("503"));
                CHECK(audited(svc, p.id, "grant_failed"));
            }
            THEN("Kofi, analytics-eng (Nina, Eve) and platform-team (Paula, Omar, Grace) each get one DM")
            {
                std::map<std::string, int> dms;
                for (const auto& c : slack.calls("chat.postMessage")) {
                    const auto body = boost::json::serialize(c.args);
                    if (body.find("failed") != std::string::npos && body.find(p.id) != std::string::npos)
                        ++dms[std::string(c.args.at("channel").as_string())];
                }
                const std::map<std::string, int> want{{"U01KOFI", 1}, {"U01NINA", 1},   {"UXEVE", 1},
                                                      {"U01PAULA", 1}, {"U01OMAR", 1}, {"UXGRACE", 1}};
                CHECK(dms == want);
            }
            THEN("/checkpoint status shows the failure to the requester")
            {
                bot::slack_commands commands(svc.ctx);
                auto reply = boost::json::serialize(
                    commands.handle({"/checkpoint", "status " + p.id, "U01KOFI", "T01", "C01GENERAL", "", ""}));
                CHECK_THAT(reply, Catch::Contains("failed") && Catch::Contains("gave up after retrying"));
            }
        }
    }
}

SCENARIO("a day before the end the requester gets a reminder with the Extend button - an extension moves it",
         "[provisioning]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    test::fake_webhook hook{secret};
    use_receiver(svc, hook);
    bot::register_slack_jobs(svc.runner, svc.ctx);
    bot::register_provisioning_jobs(svc.runner, svc.ctx);
    // Slack's pace (one message a second per channel) runs on the manual clock: let it tick.
    auto settle = [&] {
        for (int i = 0; i < 5; ++i) {
            svc.runner.run_until_idle();
            svc.clock.advance(1min);
        }
        svc.runner.run_until_idle();
    };
    auto reminders = [&] {
        std::size_t n = 0;
        for (const auto& c : slack.calls("chat.postMessage"))
            n += c.args.at("channel") == "U01KOFI" &&
                 boost::json::serialize(c.args).find("checkpoint.extend") != std::string::npos;
        return n;
    };

    GIVEN("Kofi's 3-day grant of analytics-staging is active")
    {
        auto p = svc.access.submit("u-4001", ask("analytics-staging", "3d")).value();
        settle();
        REQUIRE(svc.access.get(p.id).value().state == workflow::petition_state::active);
        REQUIRE(reminders() == 0);
        WHEN("47 hours pass") {
            svc.clock.advance(47h);
            settle();
            THEN("no reminder yet") { CHECK(reminders() == 0); }
        }
        WHEN("48 hours pass (24 h before the end)")
        {
            svc.clock.advance(48h - 5min + 1s);
            settle();
            THEN("one reminder, with the Extend button for this request")
            {
                REQUIRE(reminders() == 1);
                CHECK_THAT(boost::json::serialize(slack.calls("chat.postMessage").back().args),
                           Catch::Contains(p.id));
            }
        }
        WHEN("it is extended by 2 days first")
        {
            REQUIRE(svc.access.extend(p.id, "u-4001", 48h, "the study runs on", workflow::slack_origin()).has_value());
            settle();
            svc.clock.advance(48h - 10min + 1s);
            settle();
            THEN("the reminder moved with the end: none at the old time, one a day before the new end")
            {
                CHECK(reminders() == 0);
                svc.clock.advance(48h);
                settle();
                CHECK(reminders() == 1);
                CHECK(svc.access.get(p.id).value().state == workflow::petition_state::active);
            }
        }
    }
}

SCENARIO("at start-up, revokes that fell due while the service was down run at once, and dead leases are taken back",
         "[provisioning]")
{
    rig r;
    GIVEN("an active grant, and a service that was down across its expiry")
    {
        auto p = r.active();
        r.svc.clock.advance(72h);
        WHEN("the workers start")
        {
            const auto started = std::chrono::steady_clock::now();
            r.svc.runner.start();
            THEN("the revoke reaches the receiver within 5 s, with no clock movement needed")
            {
                CHECK(r.hook.wait_for([](const test::webhook_log& l) { return l.effects_of("access/revoke") == 1; },
                                      5s));
                CHECK(std::chrono::steady_clock::now() - started < 5s);
                r.svc.runner.stop();
                CHECK(r.state(p.id) == workflow::petition_state::expired);
            }
        }
    }
    GIVEN("a grant whose provision job was leased by a process that died mid-delivery")
    {
        auto p = r.file();
        auto leased = r.svc.jobs.lease("checkpointd/0", 100, 10min, r.svc.clock.now()).value();
        REQUIRE_FALSE(leased.empty());
        WHEN("the service starts again, long before that lease would expire")
        {
            r.svc.runner.start();
            THEN("the grant is delivered at once")
            {
                CHECK(r.hook.wait_for([](const test::webhook_log& l) { return l.effects_of("access/grant") == 1; },
                                      5s));
                r.svc.runner.stop();
            }
        }
    }
}
