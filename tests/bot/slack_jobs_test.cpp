#include "tests/bot/slack_service.hpp"

#include "bot/slack_jobs.hpp"
#include "workflow/duration.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

using namespace checkpoint;
namespace in = workflow::intent;

namespace {

in::request ask(std::string target, std::string length, std::string reason = "debugging latency")
{
    return {std::move(target), workflow::parse_duration(length).value(), std::move(reason), "", false};
}

// Runs what is due, then lets time pass so that paced and retried jobs fall due, a few times over.
void settle(test::service_fixture& svc, int rounds = 6)
{
    for (int i = 0; i < rounds; ++i) {
        svc.runner.run_until_idle();
        svc.clock.advance(std::chrono::minutes{1});
    }
    svc.runner.run_until_idle();
}

std::size_t expected_cards(const workflow::petition& p)
{
    const auto& step = p.route.steps.at(0);
    return step.reviewers.size() + step.channels.size();
}

} // namespace

TEST_CASE("post_card DMs the step's reviewers, posts to its channels and records every copy", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    test::add_directory_users(slack, svc.manifests);
    bot::register_slack_jobs(svc.runner, svc.ctx);

    GIVEN("Kofi asks for api-production for 7 days, which needs owner approval")
    {
        auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
        REQUIRE(p.state == workflow::petition_state::pending);
        REQUIRE_FALSE(p.route.steps.empty());

        WHEN("the workers run")
        {
            settle(svc);
            THEN("one card per reviewer and channel is posted and recorded")
            {
                auto copies = svc.cards.for_petition(p.id).value();
                CHECK(copies.size() == expected_cards(p));
                std::set<std::string> destinations;
                for (const auto& c : copies) {
                    destinations.insert(c.destination);
                    CHECK_FALSE(c.ts.empty());
                    CHECK(slack.message(c.channel, c.ts).has_value());
                }
                for (const auto& r : p.route.steps.at(0).reviewers)
                    CHECK(destinations.count(r.person_id) == 1);
            }
            THEN("the requester is told by DM")
            {
                CHECK_FALSE(slack.messages_in(test::fake_slack::dm_channel_of("U01KOFI")).empty());
            }
        }
        WHEN("the post_card jobs run twice (a retry after a lost completion)")
        {
            settle(svc);
            const auto posted = slack.calls("chat.postMessage").size();
            // Re-enqueue the same effects under new keys: the card store answers with the copies made.
            auto copies = svc.cards.for_petition(p.id).value();
            for (const auto& c : copies) {
                boost::json::object payload{{"petition_id", p.id}, {"version", p.version},
                                            {"effect", "post_card"}, {"notice", "submitted"},
                                            {"to", c.destination}, {"step", c.step}, {"at", 0}};
                (void)svc.jobs.enqueue({"post_card", "again/" + c.destination, boost::json::serialize(payload),
                                  svc.clock.now(), workflow::on_duplicate::keep},
                                 svc.clock.now());
            }
            settle(svc);
            THEN("the cards are updated, not posted again")
            {
                CHECK(slack.calls("chat.postMessage").size() == posted);
                CHECK(slack.calls("chat.update").size() >= copies.size());
                CHECK(svc.cards.for_petition(p.id)->size() == copies.size());
            }
        }
    }
}

TEST_CASE("update_cards re-renders every copy once a reviewer decides", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    test::add_directory_users(slack, svc.manifests);
    bot::register_slack_jobs(svc.runner, svc.ctx);

    auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
    settle(svc);
    const auto copies = svc.cards.for_petition(p.id).value();
    REQUIRE(copies.size() == expected_cards(p));
    const auto reviewer = p.route.steps.at(0).reviewers.at(0).person_id;
    const auto requester_dms = slack.messages_in(test::fake_slack::dm_channel_of("U01KOFI")).size();

    WHEN("the requester tries to approve their own request")
    {
        auto t = svc.access.act(p.id, workflow::approve_by("u-4001", svc.clock.now()));
        settle(svc);
        THEN("it is refused and no card changes")
        {
            REQUIRE_FALSE(t.has_value());
            CHECK(t.error().code == "self_approval");
            CHECK(slack.calls("chat.update").empty());
        }
    }
    WHEN("a reviewer approves, twice")
    {
        auto first = svc.access.act(p.id, workflow::approve_by(reviewer, svc.clock.now()));
        auto second = svc.access.act(p.id, workflow::approve_by(reviewer, svc.clock.now()));
        settle(svc);
        THEN("every copy is updated exactly once and the requester is told")
        {
            REQUIRE(first.has_value());
            CHECK_FALSE(second.has_value());
            for (const auto& c : copies) {
                auto m = slack.message(c.channel, c.ts);
                REQUIRE(m.has_value());
                CHECK(m->updates == 1);
                CHECK(boost::json::serialize(m->message).find("checkpoint.approve") == std::string::npos);
            }
            CHECK(slack.messages_in(test::fake_slack::dm_channel_of("U01KOFI")).size() > requester_dms);
        }
    }
}

TEST_CASE("Slack's 429 puts the job off for Retry-After, then it posts once", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    test::add_directory_users(slack, svc.manifests);
    bot::register_slack_jobs(svc.runner, svc.ctx);

    GIVEN("chat.postMessage answers 429 with Retry-After: 30 once")
    {
        slack.rate_limit_next("chat.postMessage", 1, std::chrono::seconds{30});
        auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();

        WHEN("the workers run now")
        {
            svc.runner.run_until_idle();
            THEN("Slack was called once, nothing was recorded, and the jobs wait")
            {
                CHECK(slack.calls("chat.postMessage").size() == 1);
                CHECK(svc.cards.for_petition(p.id)->empty());
            }
            AND_WHEN("less than Retry-After passes")
            {
                svc.clock.advance(std::chrono::seconds{20});
                svc.runner.run_until_idle();
                THEN("Slack is not called again") { CHECK(slack.calls("chat.postMessage").size() == 1); }
            }
            AND_WHEN("Retry-After has passed")
            {
                settle(svc);
                THEN("every card is posted exactly once")
                {
                    auto copies = svc.cards.for_petition(p.id).value();
                    CHECK(copies.size() == expected_cards(p));
                    std::size_t card_posts = 0;
                    for (const auto& m : slack.messages())
                        for (const auto& c : copies)
                            if (m.channel == c.channel && m.ts == c.ts)
                                ++card_posts;
                    CHECK(card_posts == copies.size());
                }
            }
        }
    }
}

TEST_CASE("a reviewer who is not in Slack fails the card job with a clear message", "[slack]")
{
    test::fake_slack slack; // no users: every users.lookupByEmail answers users_not_found
    test::service_fixture svc(slack.api_url(), slack.token());
    bot::register_slack_jobs(svc.runner, svc.ctx);

    auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
    settle(svc);
    bool found_without_slack_id = false;
    for (const auto& r : p.route.steps.at(0).reviewers) {
        const auto& person = svc.manifests.directory.at(svc.manifests.directory.find(r.person_id));
        if (person.slack_id.empty()) {
            found_without_slack_id = true;
            CHECK_FALSE(svc.cards.find(p.id, 0, r.person_id)->has_value());
        } else {
            CHECK(svc.cards.find(p.id, 0, r.person_id)->has_value());
        }
    }
    if (found_without_slack_id)
        CHECK_FALSE(slack.calls("users.lookupByEmail").empty());
}

TEST_CASE("remind tells the reviewers still owing a decision, and nobody once it is decided", "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    test::add_directory_users(slack, svc.manifests);
    bot::register_slack_jobs(svc.runner, svc.ctx);

    auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
    settle(svc);
    const auto reviewers = p.route.steps.at(0).reviewers;
    auto dms_to_reviewers = [&] {
        std::size_t n = 0;
        for (const auto& r : reviewers) {
            const auto& person = svc.manifests.directory.at(svc.manifests.directory.find(r.person_id));
            const auto id = person.slack_id.empty() ? "UX" + person.id : person.slack_id;
            n += slack.messages_in(test::fake_slack::dm_channel_of(id)).size();
        }
        return n;
    };
    const auto before = dms_to_reviewers();

    WHEN("it is still pending past pending_after")
    {
        svc.clock.advance(std::chrono::hours{5});
        settle(svc);
        THEN("each reviewer gets a reminder") { CHECK(dms_to_reviewers() >= before + reviewers.size()); }
    }
    WHEN("it was cancelled before pending_after")
    {
        REQUIRE(svc.access.act(p.id, workflow::cancel_by("u-4001", svc.clock.now())).has_value());
        settle(svc);
        const auto after_cancel = dms_to_reviewers();
        svc.clock.advance(std::chrono::hours{5});
        settle(svc);
        THEN("no reminder is sent") { CHECK(dms_to_reviewers() == after_cancel); }
    }
}

TEST_CASE("a retry after a crash finds the card and the DM an earlier attempt posted, and posts neither again",
          "[slack]")
{
    test::fake_slack slack;
    test::service_fixture svc(slack.api_url(), slack.token());
    test::add_directory_users(slack, svc.manifests);
    bot::register_slack_jobs(svc.runner, svc.ctx);

    auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
    REQUIRE(p.state == workflow::petition_state::pending);

    // A worker leased every job and died: the leases are taken back at start-up, with the effect unknown.
    const auto leased = svc.jobs.lease("checkpointd/0", 100, std::chrono::minutes{1}, svc.clock.now()).value();
    REQUIRE(svc.jobs.reclaim_all(svc.clock.now(), "checkpointd").value() == leased.size());

    // Before dying it had posted the channel card and the requester's DM, each with its delivery key.
    const auto life = [&](const workflow::job& j) {
        return std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(j.first_attempt_at->time_since_epoch()).count());
    };
    std::string card_ts;
    std::string channel;
    for (const auto& j : leased) {
        const auto payload = boost::json::parse(j.payload).as_object();
        const auto* to_value = payload.if_contains("to");
        const std::string to = to_value && to_value->is_string() ? std::string(to_value->get_string()) : "";
        if (j.kind == "post_card" && to.starts_with("C")) {
            channel = to;
            auto r = svc.slack.post_message(to, boost::json::object{{"text", "an old card"}}, j.key + "@" + life(j));
            REQUIRE(r.ok());
            card_ts = *r.ts();
        } else if (j.kind == "notify_person" && to == "u-4001") {
            REQUIRE(svc.slack.post_message("U01KOFI", boost::json::object{{"text", "waiting for approval"}},
                                           j.key + "/u-4001@" + life(j))
                        .ok());
        }
    }
    REQUIRE_FALSE(card_ts.empty());
    const auto posts_before = slack.calls("chat.postMessage").size();

    settle(svc);

    THEN("the channel card is the one already there, brought up to date and recorded")
    {
        std::size_t card_posts = 0;
        for (const auto& m : slack.messages_in(channel))
            card_posts += m.message.contains("blocks") || m.ts == card_ts ? 1 : 0;
        CHECK(card_posts == 1);
        auto m = slack.message(channel, card_ts);
        REQUIRE(m);
        CHECK(m->updates == 1);
        CHECK_THAT(boost::json::serialize(m->message), Catch::Contains("checkpoint.approve"));
        bool recorded = false;
        for (const auto& c : svc.cards.for_petition(p.id).value())
            recorded = recorded || (c.channel == channel && c.ts == card_ts);
        CHECK(recorded);
    }
    THEN("the requester has one DM, and every other card was posted once")
    {
        CHECK(slack.messages_in(test::fake_slack::dm_channel_of("U01KOFI")).size() == 1);
        CHECK(svc.cards.for_petition(p.id)->size() == expected_cards(p));
        std::set<std::string> keys;
        for (const auto& m : slack.messages())
            CHECK(keys.insert(boost::json::serialize(m.message.at("metadata"))).second);
        CHECK(slack.calls("chat.postMessage").size() > posts_before);
        CHECK_FALSE(slack.calls("conversations.history").empty());
    }
}
