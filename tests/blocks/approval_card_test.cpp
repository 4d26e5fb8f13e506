#include "blocks/actions.hpp"
#include "blocks/approval_card.hpp"
#include "blocks/deny_modal.hpp"
#include "blocks/kit.hpp"
#include "tests/blocks/scenario.hpp"
#include "tests/support/golden.hpp"
#include "tests/support/slack_limits.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace checkpoint;
using blocks::test::after;
using blocks::test::decided;
using blocks::test::filed;
using blocks::test::nov;

namespace {

std::string dump(const boost::json::value& v) { return boost::json::serialize(v); }

bool has_buttons(const boost::json::object& msg)
{
    for (const auto& b : msg.at("blocks").as_array())
        if (b.as_object().at("type") == "actions")
            return true;
    return false;
}

// Sam Support asks for a week of api-production: api-team approves; Mary Major is away, so Lee Lin stands in.
workflow::petition week_of_api_production()
{
    return filed("r-1001", decided("u-6001", "api-production", "7d"), "Debugging latency spike in checkout flow",
                 "PROJ-1234");
}

} // namespace

TEST_CASE("the approval card reads like the seed, for one reviewer and for the channel")
{
    GIVEN("a pending request routed to api-team")
    {
        const auto p = week_of_api_production();
        struct copy {
            std::string golden;
            std::string recipient;
            std::string why;
        };
        auto c = GENERATE(copy{"approval_card_dm", "u-2001", "*Why you:* delegate for Mary Major"},
                          copy{"approval_card_channel", "", "*Reviewers*"});
        WHEN("the " + c.golden + " copy is rendered")
        {
            auto card = blocks::approval_card({p, blocks::card_kind::request, 0, c.recipient});
            THEN("it has the seed's fields, why the reader is asked, and the three buttons")
            {
                CHECK(test::compare_golden(c.golden, card).empty());
                const auto s = dump(card);
                CHECK_THAT(s, Catch::Contains("🔐 Access Request"));
                CHECK_THAT(s, Catch::Contains("*Sam Support* is requesting access to *api-production*"));
                for (auto label : {"*Bundle*\\napi-production", "*Owner*\\napi-team", "*Risk*\\nHigh",
                                   "*Duration*\\n7 days", "*Ticket*\\nPROJ-1234"})
                    CHECK_THAT(s, Catch::Contains(label));
                CHECK_THAT(s, Catch::Contains(c.why));
                CHECK_THAT(s, Catch::Contains("checkpoint.approve"));
                CHECK_THAT(s, Catch::Contains("\"style\":\"danger\""));
                CHECK_THAT(s, Catch::Contains("Step 1 of 1"));
                CHECK(test::slack_limit_violations(card).empty());
            }
        }
    }
}

TEST_CASE("every copy of a decided card shows the outcome, who and when, and no buttons")
{
    const auto p = week_of_api_production();
    GIVEN("Lee Lin approved and the access became active")
    {
        auto done = after(after(after(p, workflow::approve_by("u-2001", nov(25, 10, 5))),
                                workflow::provisioning_started(nov(25, 10, 6))),
                          workflow::provisioned_at(nov(25, 10, 7)));
        auto card = blocks::approval_card({done, blocks::card_kind::request, 0, "u-2002"});
        THEN("the card says approved by Lee Lin, active until a week later")
        {
            CHECK(test::compare_golden("approval_card_approved", card).empty());
            CHECK_FALSE(has_buttons(card));
            CHECK_THAT(dump(card), Catch::Contains("*Approved* by Lee Lin on <!date^"));
            CHECK_THAT(dump(card), Catch::Contains("2026-12-02 10:07 UTC"));
        }
    }
    GIVEN("Alex Chen denied it with a reason")
    {
        auto denied = after(p, workflow::deny_by("u-2002", "Use the read replica <staging> & logs", nov(25, 11)));
        auto card = blocks::approval_card({denied, blocks::card_kind::request, 0, ""});
        THEN("the card says denied by Alex Chen, with the escaped reason")
        {
            CHECK(test::compare_golden("approval_card_denied", card).empty());
            CHECK_FALSE(has_buttons(card));
            CHECK_THAT(dump(card), Catch::Contains("*Denied* by Alex Chen"));
            CHECK_THAT(dump(card), Catch::Contains("&lt;staging&gt; &amp; logs"));
            auto click = blocks::already_decided_reply({denied, blocks::card_kind::request, 0, "u-2001"});
            CHECK_THAT(dump(click), Catch::Contains("no longer waiting on you"));
            CHECK_THAT(dump(click), Catch::Contains("Alex Chen"));
        }
    }
    GIVEN("the requester cancelled it")
    {
        auto cancelled = after(p, workflow::cancel_by("u-6001", nov(25, 12)));
        auto card = blocks::approval_card({cancelled, blocks::card_kind::request, 0, "u-2001"});
        CHECK_THAT(dump(card), Catch::Contains("*Cancelled* by Sam Support"));
        CHECK_FALSE(has_buttons(card));
    }
}

TEST_CASE("a multi-step card counts approvals and moves on")
{
    GIVEN("Alex Chen asks for api-production-admin: manager, system-owner, then owner")
    {
        auto p = filed("r-2001", decided("u-2002", "api-production-admin", "4h"), "Rotate the RDS master password");
        REQUIRE(p.route.steps.size() >= 2);
        WHEN("the manager step is approved")
        {
            const auto manager = p.route.steps[0].reviewers.front().person_id;
            auto next = after(p, workflow::approve_by(manager, nov(25, 10, 30)));
            THEN("the first card is closed and the second is open with its step count")
            {
                auto first = blocks::approval_card({next, blocks::card_kind::request, 0, manager});
                CHECK_FALSE(has_buttons(first));
                CHECK_THAT(dump(first), Catch::Contains("*Approved* by"));
                auto second = blocks::approval_card({next, blocks::card_kind::request, 1, ""});
                CHECK(has_buttons(second));
                CHECK_THAT(dump(second), Catch::Contains("Step 2 of " + std::to_string(p.route.steps.size())));
                CHECK(test::compare_golden("approval_card_second_step", second).empty());
            }
        }
    }
}

TEST_CASE("break-glass and extension cards")
{
    GIVEN("Alex Chen, on call, breaks glass for kubernetes-prod-debug")
    {
        auto p = filed("r-3001", decided("u-2002", "kubernetes-prod-debug", "", true), "Pods crash-looping, SEV1");
        auto card = blocks::approval_card({p, blocks::card_kind::break_glass_review, 0, "u-1000"});
        THEN("the review card offers Mark reviewed and Revoke access")
        {
            CHECK(test::compare_golden("approval_card_break_glass", card).empty());
            CHECK_THAT(dump(card), Catch::Contains("🚨 Break-glass Access"));
            CHECK_THAT(dump(card), Catch::Contains("Mark reviewed"));
            CHECK(test::slack_limit_violations(card).empty());
            auto modal = blocks::deny_modal(p, blocks::card_kind::break_glass_review);
            CHECK(modal.at("title").at("text") == "Revoke access");
        }
    }
    GIVEN("Lee Lin's active api-production access and an extension request past auto-approval")
    {
        auto p = filed("r-4001", decided("u-2001", "api-production", "1d"), "On-call handover");
        p = after(p, workflow::provisioning_started(nov(25, 10, 1)));
        p = after(p, workflow::provisioned_at(nov(25, 10, 2)));
        auto ext_route = decided("u-2001", "api-production", "3d");
        p = after(p, workflow::extension_of("u-2001", std::chrono::days{2}, ext_route, nov(26, 9), "Incident follow-up"));
        REQUIRE(p.pending_extension);
        auto reviewer = p.pending_extension->route.steps[0].reviewers.front().person_id;
        auto card = blocks::approval_card({p, blocks::card_kind::extension, 0, reviewer});
        THEN("the extension card shows the added time, the new end and the extension's reason")
        {
            CHECK(test::compare_golden("approval_card_extension", card).empty());
            CHECK_THAT(dump(card), Catch::Contains("extend access to *api-production* by 2 days"));
            CHECK_THAT(dump(card), Catch::Contains("Incident follow-up"));
            CHECK(has_buttons(card));
        }
    }
}

TEST_CASE("the deny modal asks for a required reason and carries the petition id")
{
    auto p = week_of_api_production();
    auto modal = blocks::deny_modal(p);
    CHECK(test::compare_golden("deny_modal", modal).empty());
    CHECK(modal.at("private_metadata") == "r-1001");
    CHECK(modal.at("callback_id").as_string() == std::string(blocks::info(blocks::action::deny_submit).name));
    const auto& input = modal.at("blocks").as_array().back().as_object();
    CHECK(input.at("block_id") == "deny_reason");
    CHECK_FALSE(input.contains("optional"));
    CHECK(test::slack_limit_violations(modal).empty());
}

TEST_CASE("ask in thread mentions the requester and the asker")
{
    auto p = week_of_api_production();
    auto msg = blocks::ask_in_thread_message(p, "U01SAM", "U01LEE", "Lee Lin");
    CHECK_THAT(dump(msg), Catch::StartsWith("{\"text\":\"<@U01SAM>, <@U01LEE> has a question"));
    auto no_ids = blocks::ask_in_thread_message(p, "", "", "Jordan <Smith>");
    CHECK_THAT(dump(no_ids), Catch::Contains("Sam Support, Jordan &lt;Smith&gt; has a question"));
}

TEST_CASE("reasons keep the mentions people type, and escape everything else")
{
    struct row {
        const char* typed;
        const char* shown;
    };
    const row rows[] = {
        {"pairing with <@U01ALEX>", "pairing with <@U01ALEX>"},
        {"pairing with <@U01ALEX|alex>", "pairing with <@U01ALEX>"},
        {"see <#C0ENGPROD|eng-prod> & the ticket", "see <#C0ENGPROD> &amp; the ticket"},
        {"tell <!channel> now", "tell &lt;!channel&gt; now"},
        {"<!here>", "&lt;!here&gt;"},
        {"a link <https://evil.example|click>", "a link &lt;https://evil.example|click&gt;"},
        {"<@u01alex> lower case is not an id", "&lt;@u01alex&gt; lower case is not an id"},
        {"<@U01ALEX|label <@U0BOB>>", "&lt;@U01ALEX|label <@U0BOB>&gt;"},
        {"x < y > z", "x &lt; y &gt; z"},
        {"<@U1>", "&lt;@U1&gt;"},
    };
    for (const auto& r : rows) {
        INFO(r.typed);
        CHECK(checkpoint::blocks::escape_keeping_mentions(r.typed) == r.shown);
    }
}
