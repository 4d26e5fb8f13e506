// Flows across several changes (issue 22, items 1, 2 and 4): the order of a person's messages, the
// extension as reviewers and the integration see it, and requests sent more than once. The real
// checkpointd over the fake Slack.
#include "tests/e2e/slack_story.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

using namespace checkpoint::test;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr const char* kofi = "U01KOFI"; // Kofi Mensah, analytics-eng (u-4001)
constexpr const char* alex = "U01ALEX"; // Alex Chen, api-team (reviews api-production)

// The texts of the app's DMs to `user`, in the order they were posted.
std::vector<std::string> dm_texts(fake_slack& slack, const std::string& user)
{
    std::vector<std::string> out;
    for (const auto& m : dms(slack, user))
        out.push_back(text_of(m.message));
    return out;
}

// The DM messages to `user` that ask to decide an extension of `petition_id` (cards, not notices).
std::vector<fake_slack_message> extension_cards(fake_slack& slack, const std::string& user, const std::string& id)
{
    std::vector<fake_slack_message> out;
    for (const auto& m : dms(slack, user))
        if (const auto t = text_of(m.message);
            t.find("Extension Request") != std::string::npos && t.find(id) != std::string::npos)
            out.push_back(m);
    return out;
}

int count_of(const slack_story& s, const std::string& sql) { return std::stoi(s.rows(sql).at(0).at(0)); }

} // namespace

TEST_CASE("order: a requester's messages go out in the order things happened, and one overtaken is dropped",
          "[e2e][slack]")
{
    slack_story s;
    // Slack fails every post to Kofi for a while: his notices wait behind the first.
    s.slack().fail_channel("chat.postMessage", kofi);
    (void)s.command(kofi, "request api-production --duration 1d --reason \"order: a burst of changes\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    REQUIRE(slack_story::eventually([&] {
        for (const auto& c : s.slack().calls("chat.postMessage"))
            if (c.status == 500)
                return true;
        return false;
    }));

    // Approved, active and revoked while "waiting for approval" is still owed.
    REQUIRE(s.interact(home_click(alex, "checkpoint.approve", id, s.slack())).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    (void)s.command(kofi, "revoke " + id);
    REQUIRE(s.state_of(id) == "revoked");

    // Slack answers again; the retries fall due.
    s.slack().heal();
    const auto owed = "SELECT count(*) FROM jobs WHERE kind = 'notify_person' AND status < 2";
    REQUIRE(slack_story::eventually([&] {
        if (count_of(s, owed) == 0)
            return true;
        s.move_time(std::chrono::minutes(10));
        return false;
    }));

    // What still held went out, in order; "waiting for approval" and "is active" no longer did.
    const auto texts = dm_texts(s.slack(), kofi);
    std::string all;
    for (const auto& t : texts)
        all += t.substr(0, 160) + "\n";
    INFO(all);
    REQUIRE(texts.size() == 2);
    CHECK_THAT(texts[0], Catch::Contains("is approved"));
    CHECK_THAT(texts[1], Catch::Contains("was revoked by Kofi Mensah"));
    CHECK(count_of(s, "SELECT count(*) FROM jobs WHERE kind = 'notify_person' AND status = 3") == 0);
}

TEST_CASE("extension: reviewers get a new card, it waits on them, escalates, and a denial's reason reaches everyone",
          "[e2e][slack]")
{
    slack_story s;
    (void)s.command(kofi, "request api-production --duration 3d --reason \"extension: nightly load\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0 && card_for(s, id, "u-2002"); }));
    const auto first_card = *card_for(s, id, "u-2002");
    const auto first_channel_card = *card_for(s, id, "C0ENGPROD");
    REQUIRE(s.interact(home_click(alex, "checkpoint.approve", id, s.slack())).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active" && s.unsettled_jobs() == 0; }));

    // Two more days (five in all) need api-team again.
    const auto asked = reply_text(s.command(kofi, "extend " + id + " 2d --reason \"the load test runs late\""));
    INFO(asked);
    REQUIRE(slack_story::eventually([&] { return !extension_cards(s.slack(), alex, id).empty(); }));

    // A new message in each reviewer's DM and in the channel (Slack notifies new messages, not edits);
    // the first card stays as it was.
    const auto ext_card = extension_cards(s.slack(), alex, id).front();
    CHECK(ext_card.ts != first_card.ts);
    CHECK(has_action(ext_card.message, "checkpoint.approve"));
    CHECK_THAT(text_of(ext_card.message), Catch::Contains("by 2 days"));
    const auto channel_copy = card_for(s, id, "C0ENGPROD");
    REQUIRE(channel_copy);
    CHECK(channel_copy->ts != first_channel_card.ts);
    CHECK_FALSE(has_action(s.slack().message(first_channel_card.channel, first_channel_card.ts)->message,
                           "checkpoint.approve"));
    // It waits on Alex: /checkpoint pending lists it.
    CHECK_THAT(reply_text(s.command(alex, "pending")), Catch::Contains(id));

    // Nobody answers for a day: the platform team is asked too, with a card of its own.
    s.move_time(std::chrono::hours(5));
    REQUIRE(slack_story::eventually([&] { return dm_contains(s.slack(), alex, "Reminder"); }));
    s.move_time(std::chrono::hours(20));
    REQUIRE(slack_story::eventually([&] { return !extension_cards(s.slack(), "U01PAULA", id).empty(); }));
    CHECK(s.audit_count(id, "escalate") == 1);
    CHECK_THAT(reply_text(s.command("U01PAULA", "pending")), Catch::Contains(id));

    // Alex denies, with a reason.
    const auto trigger = s.slack().new_trigger_id();
    REQUIRE(s.click(alex, "checkpoint.deny", id, ext_card.channel, ext_card.ts, trigger).result() == http::status::ok);
    REQUIRE(s.interact(view_submission(alex, "checkpoint.deny_modal", id, deny_values("the freeze starts tomorrow")))
                .result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "Your extension of"); }));
    const auto denied = dm_with(s.slack(), kofi, "Your extension of");
    CHECK_THAT(denied, Catch::Contains("was denied by Alex Chen"));
    CHECK_THAT(denied, Catch::Contains("> the freeze starts tomorrow"));
    // The extension card says who denied it and why, and offers nothing more.
    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0; }));
    const auto decided = s.slack().message(ext_card.channel, ext_card.ts);
    REQUIRE(decided);
    CHECK_THAT(text_of(decided->message), Catch::Contains("Extension denied* by Alex Chen") &&
                                              Catch::Contains("> the freeze starts tomorrow"));
    CHECK_FALSE(has_action(decided->message, "checkpoint.approve"));
    const auto status = reply_text(s.command(kofi, "status " + id));
    CHECK_THAT(status, Catch::Contains("Extension denied* by Alex Chen"));
    CHECK_THAT(status, Catch::Contains("the freeze starts tomorrow"));
    CHECK(s.state_of(id) == "active");
}

TEST_CASE("duplicates: a request sent again, or a form submitted three times at once, files once and points at it",
          "[e2e][slack]")
{
    slack_story s;
    const std::string ask = "request api-production --duration 3d --reason \"duplicates: the same ask\"";
    (void)s.command(kofi, ask);
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    for (int i = 0; i < 2; ++i) {
        const auto again = reply_text(s.command(kofi, ask));
        CHECK_THAT(again, Catch::Contains("Nothing new was filed") &&
                              Catch::Contains("You already asked for api-production: request " + id +
                                              " is waiting for approval") &&
                              Catch::Contains("/checkpoint cancel " + id));
    }
    CHECK(count_of(s, "SELECT count(*) FROM petitions WHERE requester_id = 'u-4001'") == 1);

    // The request form sent three times at once (a double click, a retry): one request, one set of cards.
    const auto submit = [&] {
        return s.interact(view_submission(kofi, "checkpoint.request_modal", "C0GENERAL",
                                          request_values("data-warehouse", "3d", "duplicates: the form, thrice")));
    };
    auto a = std::async(std::launch::async, submit);
    auto b = std::async(std::launch::async, submit);
    auto c = std::async(std::launch::async, submit);
    int closed = 0, refused = 0;
    for (auto* f : {&a, &b, &c}) {
        const auto r = f->get();
        REQUIRE(r.result() == http::status::ok);
        closed += r.body().empty();
        refused += r.body().find("You already asked for data-warehouse") != std::string::npos;
    }
    CHECK(closed == 1);
    CHECK(refused == 2);
    CHECK(count_of(s, "SELECT count(*) FROM petitions WHERE requester_id = 'u-4001' AND target = 'data-warehouse'") ==
          1);

    // Once granted, asking again is pointed at Extend.
    REQUIRE(s.interact(home_click(alex, "checkpoint.approve", id, s.slack())).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    const auto held = reply_text(s.command(kofi, "request api-production --duration 1d --reason \"duplicates: more\""));
    CHECK_THAT(held, Catch::Contains("You already have access to api-production (request " + id) &&
                         Catch::Contains("/checkpoint extend " + id + " &lt;duration&gt;"));
    CHECK(count_of(s, "SELECT count(*) FROM petitions WHERE requester_id = 'u-4001'") == 2);
}

TEST_CASE("deprecation: the holder of live access to a bundle deprecated since is told once, with its successor",
          "[e2e][slack]")
{
    std::filesystem::path manifests;
    slack_story s([&](const std::filesystem::path& m, std::map<std::string, std::string>&) { manifests = m; });
    const auto lee = s.slack_id_of("u-2001");
    // Lee's own team's staging bundle for a day is automatic.
    s.command(lee, "request api-staging --duration 1d --reason \"load test\"");
    const auto p = s.latest_petition_of("u-2001");
    REQUIRE(slack_story::eventually([&] { return s.state_of(p) == "active"; }));

    // The platform team deprecates it in favour of api-production and restarts the service.
    {
        std::ofstream out(manifests / "bundles" / "api-staging.yaml", std::ios::app);
        out << "deprecated: { successor: api-production }\n";
    }
    s.kill_and_restart();
    const std::string needle = "api-staging* is deprecated";
    REQUIRE(slack_story::eventually([&] { return dm_count(s.slack(), lee, needle) == 1; }));
    CHECK(dm_contains(s.slack(), lee, "Use *api-production* instead"));
    CHECK(dm_contains(s.slack(), lee, "`" + p + "`"));

    // Told once: another start finds the notice given.
    s.kill_and_restart();
    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0; }));
    CHECK(dm_count(s.slack(), lee, needle) == 1);
    // And no one can ask for it any more.
    const auto refused = reply_text(s.command(lee, "request api-staging --duration 1d --reason \"again\""));
    CHECK_THAT(refused, Catch::Contains("retired"));
}
