// Flows across several changes (issue 22, items 1, 2 and 4): the order of a person's messages, the
// extension as reviewers and the integration see it, and requests sent more than once. The real
// checkpointd over the fake Slack.
#include "tests/e2e/slack_story.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace checkpoint::test;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr const char* kofi = "U01KOFI"; // Kofi Mensah, analytics-eng (u-4001)
constexpr const char* alex = "U01ALEX"; // Alex Chen, api-team (reviews api-production)

// A click on the Home tab (no channel, no message), as Slack sends it.
json::object home_click(const std::string& user, const std::string& action_id, const std::string& petition_id,
                        fake_slack& slack)
{
    return json::object{{"type", "block_actions"},
                        {"user", json::object{{"id", user}}},
                        {"trigger_id", slack.new_trigger_id()},
                        {"container", json::object{{"type", "view"}, {"view_id", "VHOME"}}},
                        {"view", json::object{{"id", "VHOME"}, {"type", "home"}}},
                        {"actions", json::array{json::object{
                                        {"action_id", action_id}, {"value", petition_id}, {"action_ts", "1.1"}}}}};
}

// The texts of the app's DMs to `user`, in the order they were posted.
std::vector<std::string> dm_texts(fake_slack& slack, const std::string& user)
{
    std::vector<std::string> out;
    for (const auto& m : slack.messages_in(fake_slack::dm_channel_of(user)))
        out.push_back(text_of(m.message));
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
