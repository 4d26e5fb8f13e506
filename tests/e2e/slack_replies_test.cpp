// What Slack users read when something does not apply (issue 22, items 8 and "Also"): the real
// checkpointd over the fake Slack, replies checked word for word where it matters.
#include "tests/e2e/slack_story.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

constexpr const char* kofi = "U01KOFI"; // Kofi Mensah, analytics-eng (u-4001)

std::string text(const json::value& reply) { return json::serialize(reply); }

} // namespace

TEST_CASE("replies: `ooo off` from someone who is not away says nothing changed, and records nothing",
          "[e2e][slack]")
{
    slack_story s;
    const auto reply = s.command(kofi, "ooo off");
    CHECK_THAT(text(reply), Catch::Contains("You are not out of office, so nothing changed"));
    CHECK_THAT(text(reply), !Catch::Contains("Welcome back"));
    CHECK(s.rows("SELECT count(*) FROM audit_log WHERE action = 'ooo_off'").at(0).at(0) == "0");

    // Away, then back: welcomed, and recorded.
    CHECK_THAT(text(s.command(kofi, "ooo 3d")), Catch::Contains("You are out of office"));
    CHECK_THAT(text(s.command(kofi, "ooo off")), Catch::Contains("Welcome back"));
    CHECK(s.rows("SELECT count(*) FROM audit_log WHERE action = 'ooo_off'").at(0).at(0) == "1");
}

TEST_CASE("replies: an action that does not apply to a request says so in words, with no internal names",
          "[e2e][slack]")
{
    slack_story s;
    s.command(kofi, "request api-production --duration 1d --reason \"replies: a pending request\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(s.state_of(id) == "pending");
    const auto reply = text(s.command(kofi, "extend " + id + " 1d"));
    CHECK_THAT(reply, Catch::Contains("Request " + id + " is pending, so it cannot be extended now."));
    CHECK_THAT(reply, !Catch::Contains("request_extension"));
    CHECK_THAT(reply, !Catch::Contains("does not apply"));
}

TEST_CASE("replies: extending past the bundle's maximum says by how much it can still be extended",
          "[e2e][slack]")
{
    slack_story s;
    // api-staging: instant for Kofi, at most 30 days in total.
    s.command(kofi, "request api-staging --duration 1d --reason \"replies: staging checks\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));

    const auto reply = text(s.command(kofi, "extend " + id + " 30d"));
    CHECK_THAT(reply, Catch::Contains("allows at most 30 days in total; this access already has 1 day, so extend by "
                                      "29d or less."));
    CHECK_THAT(reply, !Catch::Contains("ask for 30d or less"));
    CHECK(s.state_of(id) == "active");
}
