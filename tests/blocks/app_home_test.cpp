#include "blocks/app_home.hpp"
#include "blocks/petition_summary.hpp"
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

TEST_CASE("App Home shows my access, my requests and what waits on me")
{
    GIVEN("Lee Lin with live access, an open request, and Sam's request to review")
    {
        auto active = filed("r-1", decided("u-2001", "api-production", "1d"), "on call");
        active = after(after(active, workflow::provisioning_started(nov(25, 10, 1))), workflow::provisioned_at(nov(25, 10, 2)));
        auto open = filed("r-2", decided("u-2001", "data-warehouse", "14d"), "quarterly report");
        std::vector<workflow::petition> mine{active, open};
        std::vector<workflow::petition> review{filed("r-3", decided("u-6001", "api-production", "7d"), "debugging")};
        auto home = blocks::app_home({"u-2001", mine, review, &example().directory, &example().catalog});
        THEN("each section has its buttons and the Request access button opens the modal")
        {
            CHECK(test::compare_golden("app_home", home).empty());
            CHECK(home.at("type") == "home");
            const auto s = boost::json::serialize(home);
            for (auto id : {"checkpoint.open_request_modal", "checkpoint.extend", "checkpoint.revoke", "checkpoint.cancel",
                            "checkpoint.approve", "checkpoint.deny"})
                CHECK_THAT(s, Catch::Contains(id));
            CHECK_THAT(s, Catch::Contains("*Why you:* delegate for Mary Major"));
            CHECK_THAT(s, Catch::Contains("\\n• AWS permission set via IAM Identity Center (prod IAM role for S3)"));
            CHECK(test::slack_limit_violations(home).empty());
        }
    }
    GIVEN("someone with nothing at all")
    {
        auto home = blocks::app_home({"u-4002", {}, {}, nullptr});
        CHECK(test::compare_golden("app_home_empty", home).empty());
        const auto s = boost::json::serialize(home);
        CHECK_THAT(s, Catch::Contains("You hold no access"));
        CHECK_THAT(s, Catch::Contains("No approvals waiting on you"));
    }
}

TEST_CASE("App Home says what each live access gives, in the manifest's words")
{
    // The example bundles without their descriptions; static, as the rows below point at it on every run.
    static const workflow::catalog plain = [] {
        const auto shipped = example().catalog.bundles();
        std::vector<workflow::bundle> without(shipped.begin(), shipped.end());
        for (auto& b : without)
            b.entitlements.clear();
        return workflow::catalog{std::move(without)};
    }();
    auto active = filed("r-1", decided("u-2001", "api-production", "1d"), "on call");
    active = after(after(active, workflow::provisioning_started(nov(25, 10, 1))), workflow::provisioned_at(nov(25, 10, 2)));
    auto customer = after(filed("r-4", decided("u-6001", "customer:123", "4h"), "BUG-482"),
                          workflow::approve_by("u-6002", nov(25, 10, 5)));
    struct row {
        const char* name;
        const workflow::catalog* catalog;
        workflow::petition p;
        std::string gives;
    };
    auto r = GENERATE_COPY(values<row>({
        {"the manifest's descriptions", &example().catalog, active,
         "\n• AWS permission set via IAM Identity Center (prod IAM role for S3)"
         "\n• Read-only on production API RDS (api-production cluster)"
         "\n• Vault paths for api-production secrets (read)"},
        {"no descriptions: the provision params", &plain, active,
         "\n• permission_set: api-production\n• policies: api-prod-s3-read\n• policies: api-rds-connect"},
        {"a resource: nothing listed", &example().catalog, customer, ""},
        {"no catalog: nothing listed", nullptr, active, ""},
    }));
    INFO(r.name);
    std::vector<workflow::petition> mine{r.p};
    const auto home = blocks::app_home({"u-2001", mine, {}, &example().directory, r.catalog});
    // The first section after "Your access" is the access itself.
    const auto& all = home.at("blocks").as_array();
    std::string text;
    for (std::size_t i = 0; i + 1 < all.size(); ++i)
        if (all[i].at("type") == "header" && all[i].at("text").at("text") == "Your access")
            text = std::string(all[i + 1].at("text").at("text").as_string());
    REQUIRE_FALSE(text.empty());
    if (r.gives.empty())
        CHECK_THAT(text, !Catch::Contains("\n•"));
    else
        CHECK_THAT(text, Catch::Contains(blocks::state_text(r.p) + r.gives));
    CHECK(test::slack_limit_violations(home).empty());
}
