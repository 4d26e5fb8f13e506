#include "tests/bot/slack_service.hpp"
#include "tests/fakes/slack/fake_slack.hpp"

#include "bot/slack_commands.hpp"
#include "bot/slack_interactions.hpp"
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

std::string slack_id_of(const test::service_fixture& svc, const std::string& person_id)
{
    const auto& p = svc.manifests.directory.at(svc.manifests.directory.find(person_id));
    return p.slack_id.empty() ? "UX" + p.id : p.slack_id;
}

bot::interaction click(const std::string& user, std::string action_id, const std::string& petition_id,
                       std::string action_ts)
{
    boost::json::object action{{"action_id", std::move(action_id)}, {"value", petition_id},
                               {"action_ts", std::move(action_ts)}};
    boost::json::object payload{{"type", "block_actions"},
                                {"user", boost::json::object{{"id", user}}},
                                {"trigger_id", "1.2.abc"},
                                {"channel", boost::json::object{{"id", "C01CARDS"}}},
                                {"actions", boost::json::array{action}}};
    return {bot::interaction_kind::block_actions, user, std::move(payload)};
}

bot::interaction deny_submission(const std::string& user, const std::string& petition_id, std::string reason)
{
    boost::json::object values{
        {"deny_reason", boost::json::object{{"checkpoint.deny_reason", boost::json::object{{"value", reason}}}}}};
    boost::json::object view{{"callback_id", "checkpoint.deny_modal"},
                             {"private_metadata", petition_id},
                             {"state", boost::json::object{{"values", values}}}};
    boost::json::object payload{{"type", "view_submission"}, {"user", boost::json::object{{"id", user}}},
                                {"view", view}};
    return {bot::interaction_kind::view_submission, user, std::move(payload)};
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

    THEN("status and mine show it to the requester, reason and all, and to anyone else without its reason")
    {
        CHECK(text_of(commands.handle(command("U01KOFI", "status " + p.id))).find(p.id) != std::string::npos);
        CHECK(text_of(commands.handle(command("U01KOFI", "status " + p.id))).find("debugging latency") !=
              std::string::npos);
        // Sam Support is neither the requester nor a reviewer of Kofi's request.
        const auto other = text_of(commands.handle(command("U01SAM", "status " + p.id)));
        CHECK(other.find(p.id) != std::string::npos);
        CHECK(other.find("debugging latency") == std::string::npos);
        CHECK(other.find("kept for the requester, its reviewers and auditors") != std::string::npos);
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

// Kofi's 7-day request for api-production, its cards posted through the fake Slack: what a click acts on.
struct carded_request {
    test::slack_service s;
    test::fake_slack& slack = s.slack;
    test::service_fixture& svc = s.svc;
    bool registered = (bot::register_slack_jobs(svc.runner, svc.ctx), true);
    bot::slack_commands commands{svc.ctx};
    bot::slack_interactions clicks{svc.ctx};
    workflow::petition p = file();
    std::vector<workflow::card_message> copies = svc.cards.for_petition(p.id).value();

    workflow::petition file()
    {
        (void)commands.handle(command("U01KOFI", "request api-production --duration 7d --reason \"debugging latency\""));
        auto filed = svc.access.mine("u-4001")->front();
        settle(svc);
        return filed;
    }
};

TEST_CASE("Approve, Deny and Cancel clicks act for the bound clicker, and refusals are explained ephemerally", "[slack]")
{
    carded_request r;
    auto& slack = r.slack;
    auto& svc = r.svc;
    auto& clicks = r.clicks;
    const auto& p = r.p;
    const auto& copies = r.copies;
    REQUIRE_FALSE(copies.empty());
    const auto reviewer = slack_id_of(svc, p.route.steps.at(0).reviewers.at(0).person_id);

    WHEN("the requester clicks Approve on their own request")
    {
        (void)clicks.handle(click("U01KOFI", "checkpoint.approve", p.id, "100.1"));
        settle(svc);
        THEN("nothing changes and they are told why, ephemerally")
        {
            CHECK(svc.access.get(p.id)->state == workflow::petition_state::pending);
            auto ephemeral = slack.calls("chat.postEphemeral");
            REQUIRE(ephemeral.size() == 1);
            CHECK(ephemeral.front().args.at("user").as_string() == "U01KOFI");
        }
    }
    WHEN("a reviewer double-clicks Approve")
    {
        (void)clicks.handle(click(reviewer, "checkpoint.approve", p.id, "200.1"));
        (void)clicks.handle(click(reviewer, "checkpoint.approve", p.id, "200.2"));
        settle(svc);
        THEN("it is approved once, every copy is updated once, and the second click is explained")
        {
            const auto after = svc.access.get(p.id).value();
            CHECK(after.state != workflow::petition_state::pending);
            CHECK(after.decisions.size() == 1);
            for (const auto& c : copies)
                CHECK(slack.message(c.channel, c.ts)->updates == 1);
            CHECK(slack.calls("chat.postEphemeral").size() == 1);
        }
    }
    WHEN("a reviewer clicks Deny and submits a reason")
    {
        (void)clicks.handle(click(reviewer, "checkpoint.deny", p.id, "300.1"));
        THEN("the deny modal opens") { CHECK(slack.calls("views.open").size() == 1); }
        auto empty = clicks.handle(deny_submission(reviewer, p.id, ""));
        THEN("an empty reason is refused on the field")
        {
            REQUIRE(empty.has_value());
            CHECK(empty->at("response_action").as_string() == "errors");
            CHECK(svc.access.get(p.id)->state == workflow::petition_state::pending);
        }
        auto ok = clicks.handle(deny_submission(reviewer, p.id, "use staging instead"));
        settle(svc);
        THEN("the petition is denied with the reason and the cards are updated")
        {
            CHECK_FALSE(ok.has_value());
            const auto after = svc.access.get(p.id).value();
            CHECK(after.state == workflow::petition_state::denied);
            CHECK(after.close_reason == "use staging instead");
            for (const auto& c : copies)
                CHECK(slack.message(c.channel, c.ts)->updates == 1);
        }
    }
    WHEN("a reviewer clicks Ask in thread on a card")
    {
        auto i = click(reviewer, "checkpoint.ask_in_thread", p.id, "600.1");
        i.payload["channel"] = boost::json::object{{"id", copies.front().channel}};
        i.payload["message"] = boost::json::object{{"ts", copies.front().ts}};
        (void)clicks.handle(i);
        (void)clicks.handle(i); // Slack's retry of the same click
        settle(svc);
        THEN("one message is posted in the card's thread and the request stays pending")
        {
            std::size_t in_thread = 0;
            for (const auto& m : slack.messages_in(copies.front().channel))
                if (auto* t = m.message.if_contains("thread_ts"); t && t->is_string() && t->get_string() == copies.front().ts)
                    ++in_thread;
            CHECK(in_thread == 1);
            CHECK(svc.access.get(p.id)->state == workflow::petition_state::pending);
        }
    }
    WHEN("the requester clicks Cancel")
    {
        (void)clicks.handle(click("U01KOFI", "checkpoint.cancel", p.id, "400.1"));
        THEN("it is cancelled") { CHECK(svc.access.get(p.id)->state == workflow::petition_state::cancelled); }
    }
    WHEN("a stranger clicks Approve")
    {
        (void)clicks.handle(click("U0STRANGER", "checkpoint.approve", p.id, "500.1"));
        settle(svc);
        THEN("nothing changes and the stranger is told what an admin must add")
        {
            CHECK(svc.access.get(p.id)->state == workflow::petition_state::pending);
            CHECK(slack.calls("chat.postEphemeral").size() == 1);
        }
    }
}

TEST_CASE("a reviewer approves for less from the card's menu - the requester is told what was granted", "[slack]")
{
    carded_request r;
    auto& slack = r.slack;
    auto& svc = r.svc;
    auto& clicks = r.clicks;
    const auto& p = r.p;
    const auto& copies = r.copies;
    REQUIRE_FALSE(copies.empty());
    // The card offers the usual durations shorter than the 7 days asked.
    const auto card = boost::json::serialize(slack.message(copies.front().channel, copies.front().ts)->message);
    CHECK(card.find("\"action_id\":\"checkpoint.approve_for\"") != std::string::npos);
    CHECK(card.find("\"value\":\"" + p.id + " 3d\"") != std::string::npos);
    CHECK(card.find("\"value\":\"" + p.id + " 7d\"") == std::string::npos);

    const auto reviewer_id = p.route.steps.at(0).reviewers.at(0).person_id;
    auto pick = click(slack_id_of(svc, reviewer_id), "checkpoint.approve_for", "", "700.1");
    auto& action = pick.payload.at("actions").as_array().at(0).as_object();
    action.erase("value");
    action["selected_option"] = boost::json::object{{"value", p.id + " 1d"}};
    (void)clicks.handle(pick);
    settle(svc);

    const auto after = svc.access.get(p.id).value();
    CHECK(after.state != workflow::petition_state::pending);
    CHECK(after.length() == std::chrono::hours{24});
    REQUIRE(after.asked_length);
    CHECK(*after.asked_length == std::chrono::hours{24 * 7});
    REQUIRE(after.decisions.size() == 1);
    CHECK(after.decisions[0].granted == workflow::duration{std::chrono::hours{24}});
    bool told = false;
    for (const auto& m : slack.messages_in(test::fake_slack::dm_channel_of("U01KOFI")))
        told = told || boost::json::serialize(m.message).find("is approved for 1 day (you asked for 7 days; ") !=
                           std::string::npos;
    CHECK(told);
}

TEST_CASE("the request modal's submission is validated per field, then filed like the command", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    bot::slack_interactions clicks(svc.ctx);

    auto submission = [](std::string bundle, std::string length, std::string reason) {
        boost::json::object values{
            {"bundle", boost::json::object{{"checkpoint.bundle",
                                            boost::json::object{{"selected_option",
                                                                 boost::json::object{{"value", bundle}}}}}}},
            {"duration", boost::json::object{{"checkpoint.duration",
                                              boost::json::object{{"selected_option",
                                                                   boost::json::object{{"value", length}}}}}}},
            {"reason", boost::json::object{{"checkpoint.reason", boost::json::object{{"value", reason}}}}}};
        boost::json::object view{{"callback_id", "checkpoint.request_modal"},
                                 {"state", boost::json::object{{"values", values}}}};
        return bot::interaction{bot::interaction_kind::view_submission, "U01KOFI",
                                boost::json::object{{"type", "view_submission"}, {"view", view}}};
    };

    WHEN("the reason is too short")
    {
        auto answer = clicks.handle(submission("api-production", "7d", "x"));
        THEN("the reason field is in error and nothing is filed")
        {
            REQUIRE(answer.has_value());
            CHECK(answer->at("errors").as_object().contains("reason"));
            CHECK(svc.access.mine("u-4001")->empty());
        }
    }
    WHEN("the form is complete")
    {
        auto answer = clicks.handle(submission("api-production", "7d", "debugging latency"));
        THEN("the modal closes and the petition is filed")
        {
            CHECK_FALSE(answer.has_value());
            REQUIRE(svc.access.mine("u-4001")->size() == 1);
        }
    }
    WHEN("the bundle does not exist")
    {
        auto answer = clicks.handle(submission("api-prodution", "7d", "debugging latency"));
        THEN("the bundle field is in error")
        {
            REQUIRE(answer.has_value());
            CHECK(answer->at("errors").as_object().contains("bundle"));
        }
    }
}
