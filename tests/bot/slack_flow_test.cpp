#include "tests/bot/service_fixture.hpp"
#include "tests/fakes/slack/fake_slack.hpp"

#include "bot/slack_commands.hpp"
#include "bot/slack_jobs.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint;

namespace {

bot::slash_command command(std::string user, std::string text)
{
    return {"/checkpoint", std::move(text), std::move(user), "T01", "C01GENERAL", "", ""};
}

std::string text_of(const boost::json::object& o) { return boost::json::serialize(o); }

void settle(test::service_fixture& svc, int rounds = 6)
{
    for (int i = 0; i < rounds; ++i) {
        svc.runner.run_until_idle();
        svc.clock.advance(std::chrono::minutes{1});
    }
    svc.runner.run_until_idle();
}

} // namespace

TEST_CASE("/checkpoint request files a petition for the bound person", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau"});
    bot::register_slack_jobs(svc.runner, svc.ctx);
    bot::slack_commands commands(svc.ctx);

    WHEN("Kofi (slack_id in the directory) asks for api-production")
    {
        auto reply = commands.handle(command("U01KOFI", "request api-production --duration 7d --reason \"debugging latency\""));
        THEN("a pending petition is filed and the reply names the bundle")
        {
            auto mine = svc.access.mine("u-4001").value();
            REQUIRE(mine.size() == 1);
            CHECK(mine.front().state == workflow::petition_state::pending);
            CHECK(text_of(reply).find("api-production") != std::string::npos);
        }
        AND_WHEN("the workers run")
        {
            settle(svc);
            THEN("the cards reach the reviewers")
            {
                CHECK_FALSE(svc.cards.for_petition(svc.access.mine("u-4001")->front().id)->empty());
            }
        }
    }
    WHEN("Eve (no slack_id; found by users.info email) asks")
    {
        auto reply = commands.handle(command("UXEVE", "request api-production --duration 7d --reason \"debugging latency\""));
        auto again = commands.handle(command("UXEVE", "mine"));
        THEN("she is bound by email once, and the binding is cached")
        {
            CHECK(svc.access.mine("u-4002")->size() == 1);
            CHECK(slack.calls("users.info").size() == 1);
            CHECK(svc.slack_users.by_person("u-4002")->has_value());
        }
    }
    WHEN("a Slack user Checkpoint does not know asks")
    {
        auto reply = commands.handle(command("U0STRANGER", "request api-production --duration 7d --reason \"x y z w\""));
        THEN("nothing is filed and the reply names the user")
        {
            CHECK(text_of(reply).find("U0STRANGER") != std::string::npos);
        }
    }
    WHEN("an unknown bundle is asked for")
    {
        auto reply = commands.handle(command("U01KOFI", "request api-prodution --duration 7d --reason \"debugging latency\""));
        THEN("nothing is filed and the reply says so")
        {
            CHECK(svc.access.mine("u-4001")->empty());
            CHECK_FALSE(text_of(reply).empty());
        }
    }
}

TEST_CASE("/checkpoint status, mine, pending, cancel and revoke go through the access service", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    bot::slack_commands commands(svc.ctx);

    (void)commands.handle(command("U01KOFI", "request api-production --duration 7d --reason \"debugging latency\""));
    const auto p = svc.access.mine("u-4001")->front();
    const auto reviewer_id = p.route.steps.at(0).reviewers.at(0).person_id;
    const auto& reviewer = svc.manifests.directory.at(svc.manifests.directory.find(reviewer_id));

    THEN("status and mine show it to the requester")
    {
        CHECK(text_of(commands.handle(command("U01KOFI", "status " + p.id))).find(p.id) != std::string::npos);
        CHECK(text_of(commands.handle(command("U01KOFI", "status"))).find(p.id) != std::string::npos);
        CHECK(text_of(commands.handle(command("U01KOFI", "mine"))).find(p.id) != std::string::npos);
    }
    if (!reviewer.slack_id.empty()) {
        THEN("pending shows it to a reviewer")
        {
            CHECK(text_of(commands.handle(command(reviewer.slack_id, "pending"))).find(p.id) != std::string::npos);
        }
    }
    WHEN("the requester cancels it")
    {
        (void)commands.handle(command("U01KOFI", "cancel " + p.id));
        THEN("it is cancelled") { CHECK(svc.access.get(p.id)->state == workflow::petition_state::cancelled); }
        AND_WHEN("cancels again")
        {
            auto reply = commands.handle(command("U01KOFI", "cancel " + p.id));
            THEN("the reply explains and nothing changes")
            {
                CHECK_FALSE(text_of(reply).empty());
                CHECK(svc.access.get(p.id)->state == workflow::petition_state::cancelled);
            }
        }
    }
    WHEN("someone else tries to cancel it")
    {
        (void)commands.handle(command("U01NINA", "cancel " + p.id));
        THEN("it stays pending") { CHECK(svc.access.get(p.id)->state == workflow::petition_state::pending); }
    }
}
