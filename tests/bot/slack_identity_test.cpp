#include "tests/bot/service_fixture.hpp"
#include "tests/fakes/slack/fake_slack.hpp"

#include "bot/slack_commands.hpp"
#include "bot/slack_identity.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint;

namespace {

boost::json::object slack_user(std::string id, std::string team = "T0HOME")
{
    return {{"id", std::move(id)},
            {"team_id", std::move(team)},
            {"deleted", false},
            {"is_bot", false},
            {"is_app_user", false},
            {"is_email_confirmed", true},
            {"profile", boost::json::object{{"email", "eve@example.com"}}}};
}

} // namespace

TEST_CASE("a Slack account is bound by its email only when confirmed, active, a person, and in this workspace",
          "[slack][identity]")
{
    const bot::slack_workspace home{"T0HOME", ""};
    const bot::slack_workspace grid{"T0HOME", "E0ORG"};
    workflow::person eve;
    eve.id = "u-4002";
    eve.email = "eve@example.com";
    workflow::person kofi;
    kofi.id = "u-4001";
    kofi.email = "kofi@example.com";
    kofi.slack_id = "U01KOFI";

    auto with = [](boost::json::object u, std::string_view key, boost::json::value v) {
        u[key] = std::move(v);
        return u;
    };
    auto member_of = [](boost::json::object u, std::string enterprise) {
        u["enterprise_user"] = boost::json::object{{"enterprise_id", std::move(enterprise)}};
        return u;
    };
    struct row {
        const char* what;
        boost::json::object user;
        bot::slack_workspace workspace;
        const workflow::person* person;
        std::string refused; // a word of the refusal; empty: bound
    };
    const row rows[] = {
        {"a confirmed member", slack_user("UXEVE"), home, &eve, ""},
        {"the person's own slack_id", slack_user("U01KOFI"), home, &kofi, ""},
        {"unconfirmed email", with(slack_user("UXEVE"), "is_email_confirmed", false), home, &eve, "not confirmed"},
        {"no is_email_confirmed at all", [&] {
             auto u = slack_user("UXEVE");
             u.erase("is_email_confirmed");
             return u;
         }(), home, &eve, "not confirmed"},
        {"deactivated", with(slack_user("UXEVE"), "deleted", true), home, &eve, "deactivated"},
        {"a bot", with(slack_user("UXEVE"), "is_bot", true), home, &eve, "bot"},
        {"an app user", with(slack_user("UXEVE"), "is_app_user", true), home, &eve, "bot"},
        {"Slackbot", slack_user("USLACKBOT"), home, &eve, "bot"},
        {"another workspace", slack_user("UXEVE", "T0OTHER"), home, &eve, "another workspace"},
        {"no team given", with(slack_user("UXEVE"), "team_id", nullptr), home, &eve, "another workspace"},
        {"another workspace of the same Grid org", member_of(slack_user("UXEVE", "T0SISTER"), "E0ORG"), grid, &eve, ""},
        {"another Grid org", member_of(slack_user("UXEVE", "T0SISTER"), "E0ELSE"), grid, &eve, "another workspace"},
        {"a Grid member when Checkpoint is in no Grid", member_of(slack_user("UXEVE", "T0SISTER"), ""), home, &eve,
         "another workspace"},
        {"someone else holding a person's email who has an explicit slack_id", slack_user("UXIMPOSTOR"), home, &kofi,
         "U01KOFI"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto why = bot::email_binding_refusal(r.user, r.workspace, *r.person);
        if (r.refused.empty())
            CHECK(why.empty());
        else
            CHECK_THAT(why, Catch::Contains(r.refused));
    }
}

TEST_CASE("/checkpoint from an account whose email is not trusted says why and binds no one", "[slack][identity]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    bot::slack_commands commands(svc.ctx);
    auto ask = [&](const std::string& user) {
        return boost::json::serialize(
            commands.handle({"/checkpoint", "mine", user, "T01", "C01GENERAL", "", ""}));
    };

    SECTION("an unconfirmed email")
    {
        slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau", false});
        const auto reply = ask("UXEVE");
        CHECK_THAT(reply, Catch::Contains("has not confirmed") && Catch::Contains("slack_id: UXEVE"));
        CHECK_FALSE(svc.slack_users.get("UXEVE", svc.clock.now() - std::chrono::hours{1}).value());
    }
    SECTION("an account in another workspace (a Slack Connect guest)")
    {
        slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau", true, false, false, "T0PARTNER"});
        CHECK_THAT(ask("UXEVE"), Catch::Contains("another workspace (T0PARTNER)"));
    }
    SECTION("someone else with Kofi's email, while the directory names Kofi's Slack id")
    {
        slack.add_user({"UXIMPOSTOR", "kofi@example.com", "Not Kofi"});
        CHECK_THAT(ask("UXIMPOSTOR"), Catch::Contains("U01KOFI"));
    }
    SECTION("a confirmed member of this workspace is bound, and auth.test is asked once")
    {
        slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau"});
        CHECK_THAT(ask("UXEVE"), !Catch::Contains("cannot tell who you are"));
        auto cached = svc.slack_users.get("UXEVE", svc.clock.now() - std::chrono::hours{1}).value();
        REQUIRE(cached);
        CHECK(cached->person_id == "u-4002");
        slack.add_user({"UXEVE2", "eve@example.com", "Eve again"});
        (void)ask("UXEVE2");
        CHECK(slack.calls("auth.test").size() == 1);
    }
}

TEST_CASE("cards and messages go to a person's Slack account found by email only when it is trusted",
          "[slack][identity]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau", false});
    auto who = bot::slack_user_for_person(svc.ctx, "u-4002");
    CHECK_FALSE(who.found());
    CHECK_THAT(who.why, Catch::Contains("has not confirmed"));
    REQUIRE(who.failure);
    CHECK(who.failure->outcome == bot::slack_outcome::permanent);

    slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau"});
    CHECK(bot::slack_user_for_person(svc.ctx, "u-4002").slack_id == "UXEVE");
}

TEST_CASE("when Slack cannot say which workspace is Checkpoint's, no one is bound by email, and the reason says so",
          "[slack][identity]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    slack.add_user({"UXEVE", "eve@example.com", "Eve Moreau"});
    slack.error_next("auth.test", 1, "invalid_auth");
    auto who = bot::slack_user_for_person(svc.ctx, "u-4002");
    CHECK_FALSE(who.found());
    CHECK(who.why == "auth.test failed: invalid_auth");
    // Asked again next time, and then bound.
    CHECK(bot::slack_user_for_person(svc.ctx, "u-4002").slack_id == "UXEVE");
}
