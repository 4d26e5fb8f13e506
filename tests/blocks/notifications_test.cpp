#include "blocks/notifications.hpp"
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
using workflow::notice;

namespace {

std::string dump(const boost::json::value& v) { return boost::json::serialize(v); }

workflow::petition pending_request()
{
    return filed("r-1001", decided("u-6001", "api-production", "7d"), "Debugging latency spike in checkout flow");
}

workflow::petition active_request()
{
    auto p = after(pending_request(), workflow::approve_by("u-2001", nov(25, 10, 5)));
    p = after(p, workflow::provisioning_started(nov(25, 10, 6)));
    return after(p, workflow::provisioned_at(nov(25, 10, 7)));
}

} // namespace

TEST_CASE("the requester hears of every change in words that fit the change")
{
    const blocks::notice_context ctx{&example().directory, example().catalog.find("api-production")};
    struct row {
        notice what;
        workflow::petition p;
        std::string says;
    };
    const auto denied = after(pending_request(), workflow::deny_by("u-2002", "Use staging first", nov(25, 11)));
    const auto revoked = after(active_request(), workflow::revoke_by("u-2002", nov(26), "Incident closed"));
    const auto failed = after(after(after(pending_request(), workflow::approve_by("u-2001", nov(25, 10, 5))),
                                    workflow::provisioning_started(nov(25, 10, 6))),
                              workflow::provisioning_failed_because("permission set not found", nov(25, 10, 7)));
    auto r = GENERATE_COPY(row{notice::submitted, pending_request(), "is waiting for approval"},
                           row{notice::approved, active_request(), "is approved"},
                           row{notice::active, active_request(), "is active until <!date^"},
                           row{notice::denied, denied, "was denied by Alex Chen"},
                           row{notice::expiring, active_request(), "checkpoint.extend"},
                           row{notice::expired, active_request(), "ended at"},
                           row{notice::revoked, revoked, "was revoked by Alex Chen"},
                           row{notice::failed, failed, "permission set not found"},
                           row{notice::cancelled, pending_request(), "is cancelled"});
    GIVEN(std::string("the ") + std::to_string(static_cast<int>(r.what)) + "th notice")
    {
        auto msg = notice_message(r.p, r.what, r.p.requester(), ctx);
        CHECK_THAT(dump(msg), Catch::Contains(r.says));
        CHECK(test::slack_limit_violations(msg).empty());
    }
}

TEST_CASE("a failed grant is told to the owning and platform teams in words for them")
{
    const blocks::notice_context ctx{&example().directory, example().catalog.find("api-production")};
    const auto failed = after(after(after(pending_request(), workflow::approve_by("u-2001", nov(25, 10, 5))),
                                    workflow::provisioning_started(nov(25, 10, 6))),
                              workflow::provisioning_failed_because("permission set not found", nov(25, 10, 7)));
    const auto to_team = dump(notice_message(failed, notice::failed, "u-1000", ctx));
    CHECK_THAT(to_team, Catch::Contains("Setting up Sam Support's access to *api-production* failed"));
    CHECK_THAT(to_team, Catch::Contains("permission set not found"));
    CHECK_THAT(to_team, Catch::Contains("was told"));
    const auto to_requester = dump(notice_message(failed, notice::failed, failed.requester(), ctx));
    CHECK_THAT(to_requester, Catch::Contains("Setting up access to *api-production* failed"));
    CHECK(to_requester.find("was told") == std::string::npos);
}

TEST_CASE("notification goldens")
{
    const blocks::notice_context ctx{&example().directory, example().catalog.find("api-production")};
    CHECK(test::compare_golden("notice_submitted", blocks::notice_message(pending_request(), notice::submitted, "u-6001", ctx)).empty());
    CHECK(test::compare_golden("notice_active", blocks::notice_message(active_request(), notice::active, "u-6001", ctx)).empty());
    CHECK(test::compare_golden("notice_expiring", blocks::notice_message(active_request(), notice::expiring, "u-6001", ctx)).empty());
    const auto active = blocks::notice_message(active_request(), notice::active, "u-6001", ctx);
    CHECK_THAT(dump(active), Catch::Contains("*You can now use:*"));
    CHECK_THAT(dump(active), Catch::Contains("AWS permission set via IAM Identity Center (prod IAM role for S3)"));
    CHECK_THAT(dump(active), !Catch::Contains("`api-prod-s3-read`"));
}

TEST_CASE("reviewers get reminders and reassignments with buttons, and the security channel hears of break-glass")
{
    const auto p = pending_request();
    auto reminder = blocks::notice_message(p, notice::reminder, "u-2002");
    CHECK(test::compare_golden("notice_reminder", reminder).empty());
    CHECK_THAT(dump(reminder), Catch::Contains("checkpoint.approve"));
    CHECK_THAT(dump(blocks::notice_message(p, notice::reassigned, "u-2002")), Catch::Contains("is now assigned to you"));
    CHECK_THAT(dump(blocks::notice_message(p, notice::reassigned, "u-6001")), Catch::Contains("so it moved on"));

    auto glass = filed("r-3001", decided("u-2002", "kubernetes-prod-debug", "", true), "Pods crash-looping, SEV1");
    auto channel = blocks::notice_message(glass, notice::break_glass, "");
    CHECK(test::compare_golden("notice_break_glass_channel", channel).empty());
    CHECK_THAT(dump(channel), Catch::Contains("*Break-glass:* Alex Chen took *kubernetes-prod-debug*"));
}

TEST_CASE("every notice renders within Slack's limits, to the requester, a reviewer and a channel")
{
    const auto p = active_request();
    for (int i = 0; i <= static_cast<int>(workflow::last_notice); ++i) {
        for (std::string to : {"u-6001", "u-2002", ""}) {
            auto msg = blocks::notice_message(p, static_cast<notice>(i), to);
            INFO("notice " << i << " to '" << to << "'");
            CHECK(test::slack_limit_violations(msg).empty());
            CHECK_FALSE(msg.at("text").as_string().empty());
        }
    }
}

TEST_CASE("the grant DM lists what the access gives in the manifest's words, else its provision params")
{
    auto bare = *example().catalog.find("api-production");
    bare.entitlements.clear();
    auto escaped = bare;
    escaped.entitlements = {{"Read <prod> logs & metrics"}};
    struct row {
        const char* name;
        workflow::bundle bundle;
        std::string says;
    };
    auto r = GENERATE_COPY(values<row>({
        {"the manifest's descriptions, one bullet each", *example().catalog.find("api-production"),
         "*You can now use:*\n"
         "• AWS permission set via IAM Identity Center (prod IAM role for S3)\n"
         "• Read-only on production API RDS (api-production cluster)\n"
         "• Vault paths for api-production secrets (read)"},
        {"no descriptions: the bundle's and its provision params", bare,
         "*You can now use:*\n"
         "• Production API: RDS read, prod S3 via IAM role, Vault secrets read\n"
         "• permission_set: `api-production`\n"
         "• policies: `api-prod-s3-read` and `api-rds-connect`"},
        {"escaped for Slack", escaped, "*You can now use:*\n• Read &lt;prod&gt; logs &amp; metrics"},
    }));
    INFO(r.name);
    const blocks::notice_context ctx{&example().directory, &r.bundle};
    const auto msg = blocks::notice_message(active_request(), notice::active, "u-6001", ctx);
    const auto& list = msg.at("blocks").as_array().at(1).at("text").at("text").as_string();
    CHECK(std::string(list) == r.says);
    CHECK(test::slack_limit_violations(msg).empty());
}

TEST_CASE("a grant DM for a resource, or a bundle no longer known, has no list")
{
    const auto msg = blocks::notice_message(active_request(), notice::active, "u-6001", {&example().directory, nullptr});
    CHECK_THAT(dump(msg), !Catch::Contains("You can now use"));
}
