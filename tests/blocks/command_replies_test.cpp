#include "blocks/command_replies.hpp"
#include "blocks/error_text.hpp"
#include "blocks/kit.hpp"
#include "workflow/duration.hpp"
#include "tests/blocks/scenario.hpp"
#include "tests/support/golden.hpp"
#include "tests/support/slack_limits.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace checkpoint;
using blocks::test::after;
using blocks::test::decided;
using blocks::test::example;
using blocks::test::filed;
using blocks::test::nov;

namespace {

std::string text_of(const boost::json::object& msg) { return std::string(msg.at("text").as_string()); }
std::string dump(const boost::json::value& v) { return boost::json::serialize(v); }

} // namespace

TEST_CASE("the reply to a request reads like the seed's CLI")
{
    struct row {
        std::string golden;
        std::string requester;
        std::string bundle;
        std::string length;
        bool break_glass;
        std::string decision;
    };
    auto r = GENERATE(row{"request_reply_auto", "u-2001", "api-production", "1d", false,
                          ":white_check_mark: Auto-approved: Lee Lin is on api-team, which owns api-production"},
                      row{"request_reply_needs_approval", "u-6001", "api-production", "7d", false,
                          ":hourglass_flowing_sand: api-team approves"},
                      row{"request_reply_break_glass", "u-2002", "kubernetes-prod-debug", "", true,
                          ":rotating_light: Break-glass: granted at once"});
    GIVEN(r.golden)
    {
        auto p = filed("r-1001", decided(r.requester, r.bundle, r.length, r.break_glass), "debugging latency spike");
        WHEN("the reply is rendered")
        {
            auto msg = blocks::request_reply(p);
            THEN("it says what was found, for how long, the decision and what happens next")
            {
                CHECK(test::compare_golden(r.golden, msg).empty());
                CHECK(msg.at("response_type") == "ephemeral");
                CHECK_THAT(text_of(msg), Catch::StartsWith(":white_check_mark: Bundle found: *" + r.bundle + "* (owner "));
                CHECK_THAT(text_of(msg), Catch::Contains(":white_check_mark: Requesting access for *"));
                CHECK_THAT(text_of(msg), Catch::Contains(r.decision));
                CHECK(test::slack_limit_violations(msg).empty());
            }
        }
    }
}

TEST_CASE("the needs-approval reply names each reviewer and why")
{
    auto p = filed("r-1001", decided("u-6001", "api-production", "7d"), "debugging");
    const auto s = dump(blocks::request_reply(p));
    CHECK_THAT(s, Catch::Contains("Bundle found: *api-production* (owner api-team, risk High)"));
    CHECK_THAT(s, Catch::Contains("Requesting access for *7 days*"));
    CHECK_THAT(s, Catch::Contains("• *Lee Lin*: delegate for Mary Major"));
    CHECK_THAT(s, Catch::Contains("`/checkpoint cancel r-1001`"));
}

TEST_CASE("status shows the state, the steps with decisions, and the times")
{
    auto p = filed("r-1001", decided("u-6001", "api-production", "7d"), "debugging", "PROJ-1234");
    p = after(p, workflow::approve_by("u-2002", nov(25, 10, 5)));
    p = after(p, workflow::provisioning_started(nov(25, 10, 6)));
    p = after(p, workflow::provisioned_at(nov(25, 10, 7)));
    auto msg = blocks::status_reply(p, &example().directory);
    CHECK(test::compare_golden("status_reply", msg).empty());
    const auto s = dump(msg);
    CHECK_THAT(s, Catch::Contains("Active until <!date^"));
    CHECK_THAT(s, Catch::Contains("approved by Alex Chen"));
    CHECK_THAT(s, Catch::Contains("*Ends*"));
    CHECK(test::slack_limit_violations(msg).empty());
}

TEST_CASE("mine and pending list petitions with their buttons, and say so when empty")
{
    auto active = filed("r-1", decided("u-2001", "api-production", "1d"), "on call");
    active = after(after(active, workflow::provisioning_started(nov(25, 10, 1))), workflow::provisioned_at(nov(25, 10, 2)));
    auto open = filed("r-2", decided("u-2001", "api-production-admin", "4h"), "rotate credentials");
    std::vector<workflow::petition> mine{active, open};
    GIVEN("Lee Lin's access and an open request")
    {
        auto msg = blocks::mine_reply(mine);
        CHECK(test::compare_golden("mine_reply", msg).empty());
        CHECK_THAT(dump(msg), Catch::Contains("checkpoint.extend"));
        CHECK_THAT(dump(msg), Catch::Contains("checkpoint.cancel"));
    }
    GIVEN("nothing")
    {
        auto msg = blocks::mine_reply({});
        CHECK_THAT(dump(msg), Catch::Contains("No access right now"));
        CHECK_THAT(dump(msg), Catch::Contains("Nothing waiting for approval"));
    }
    GIVEN("Alex Chen has Sam's request waiting")
    {
        std::vector<workflow::petition> waiting{filed("r-3", decided("u-6001", "api-production", "7d"), "debugging")};
        auto msg = blocks::pending_reply(waiting, "u-2002");
        CHECK(test::compare_golden("pending_reply", msg).empty());
        CHECK_THAT(dump(msg), Catch::Contains("*Why you:* on api-team, which owns api-production"));
        CHECK_THAT(dump(blocks::pending_reply({}, "u-2002")), Catch::Contains("Nothing is waiting on you"));
    }
}

TEST_CASE("explain shows the route without filing anything")
{
    auto msg = blocks::explain_reply(decided("u-6001", "api-production-admin", "1d"));
    CHECK(test::compare_golden("explain_reply", msg).empty());
    CHECK_THAT(dump(msg), Catch::Contains("Nothing was requested."));
    CHECK_THAT(dump(msg), Catch::Contains("*Step 1 of "));
}

TEST_CASE("an unknown bundle suggests the closest names")
{
    auto near = example().catalog.closest("api-prod");
    auto msg = blocks::unknown_bundle_reply("api-prod", near);
    CHECK(test::compare_golden("unknown_bundle_reply", msg).empty());
    CHECK_THAT(text_of(msg), Catch::Contains("Did you mean `"));
    CHECK_THAT(text_of(blocks::unknown_bundle_reply("<zzz>", {})), Catch::Contains("`&lt;zzz&gt;`"));
}

TEST_CASE("every domain error code has friendly words")
{
    namespace re = workflow::route_error;
    namespace pe = workflow::petition_error;
    auto code = GENERATE(as<std::string_view>{}, re::unknown_person, re::unknown_bundle, re::unknown_resource_kind,
                         re::deprecated, re::too_long, re::break_glass_not_allowed, re::break_glass_not_permitted,
                         re::no_reviewers, pe::illegal_transition, pe::self_approval, pe::not_a_reviewer,
                         pe::not_assigned, pe::already_approved, pe::not_requester, pe::not_allowed_to_revoke,
                         pe::not_due, pe::extension_pending, pe::bad_extension, "bad_duration", "unterminated_quote");
    GIVEN(std::string(code))
    {
        const workflow::error e{std::string(code), "Request <r-1> & more."};
        const auto text = blocks::error_text(e);
        THEN("the words start with an emoji lead-in and carry the escaped domain sentence")
        {
            CHECK_THAT(text, Catch::StartsWith(":"));
            CHECK_THAT(text, Catch::Contains("Request &lt;r-1&gt; &amp; more."));
            CHECK(test::slack_limit_violations(blocks::error_reply(e)).empty());
        }
    }
}

TEST_CASE("a real decision error reads as a sentence")
{
    auto r = workflow::decide(example(), {"u-6001", "api-production", std::chrono::days{60}, false}, nov(25));
    REQUIRE_FALSE(r.has_value());
    auto msg = blocks::error_reply(r.error());
    CHECK(test::compare_golden("error_reply_too_long", msg).empty());
    CHECK_THAT(text_of(msg), Catch::StartsWith(":hourglass: That is longer than the bundle allows. api-production allows at most 30 days"));
    CHECK_THAT(blocks::error_text({"something_new", ""}), Catch::Contains("something_new"));
}

TEST_CASE("ooo, not in the directory, and changes answer in a sentence")
{
    workflow::out_of_office away{nov(26), nov(30), "u-2001"};
    auto set = blocks::ooo_reply(away, "Lee Lin");
    CHECK(test::compare_golden("ooo_reply_set", set).empty());
    CHECK_THAT(text_of(set), Catch::Contains("go to *Lee Lin*"));
    CHECK_THAT(text_of(blocks::ooo_reply(std::nullopt)), Catch::Contains("Welcome back"));
    CHECK_THAT(text_of(blocks::not_in_directory_reply("U999", "new@example.com")), Catch::Contains("slack_id: U999"));

    auto p = filed("r-1", decided("u-6001", "api-production", "7d"), "debugging");
    auto cancelled = after(p, workflow::cancel_by("u-6001", nov(25, 11)));
    CHECK_THAT(text_of(blocks::changed_reply(cancelled, workflow::event_kind::cancel)), Catch::Contains("Cancelled"));

    // A revoke says what really happens when another request still grants the same access.
    auto live = [](std::string id) {
        auto q = filed(std::move(id), decided("u-6001", "api-production", "7d"), "debugging");
        q = after(q, workflow::approve_by(q.route.steps.front().reviewers.front().person_id, nov(25, 11)));
        q = after(q, workflow::provisioning_started(nov(25, 11)));
        return after(q, workflow::provisioned_at(nov(25, 11)));
    };
    const auto revoked = after(live("r-2"), workflow::revoke_by("u-6001", nov(25, 12)));
    const auto other = live("r-3");
    CHECK_THAT(text_of(blocks::changed_reply(revoked, workflow::event_kind::revoke)),
               Catch::Contains("Access is being removed."));
    CHECK_THAT(text_of(blocks::changed_reply(revoked, workflow::event_kind::revoke, &other)),
               Catch::Contains("Access stays: request `r-3` still grants it until") &&
                   !Catch::Contains("being removed"));
}

TEST_CASE("a request with nothing to request shows the usage, escaped, with --reason required")
{
    const auto r = blocks::request_usage_reply("/checkpoint");
    const auto text = text_of(r);
    CHECK_THAT(text, Catch::Contains("/checkpoint request &lt;bundle|kind:id&gt; --reason \"why\""));
    CHECK_THAT(text, !Catch::Contains("<bundle"));
    REQUIRE(r.contains("blocks"));
    CHECK(r.at("blocks").as_array().size() == 1);
    CHECK(checkpoint::test::slack_limit_violations(r).empty());
}

TEST_CASE("a bad duration is said once, and a text-only message carries no empty blocks")
{
    const auto text = blocks::error_text(workflow::parse_duration("7x").error());
    CHECK_THAT(text, Catch::StartsWith(":hourglass: \"7x\" is not a duration"));
    CHECK(text.find("not a duration") == text.rfind("not a duration"));
    const auto plain = blocks::ephemeral_message("Opening the request form…", {});
    CHECK(plain.at("response_type") == "ephemeral");
    CHECK_FALSE(plain.contains("blocks"));
}
