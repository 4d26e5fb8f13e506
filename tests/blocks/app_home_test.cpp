#include "blocks/app_home.hpp"
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
        auto home = blocks::app_home({"u-2001", mine, review, &example().directory});
        THEN("each section has its buttons and the Request access button opens the modal")
        {
            CHECK(test::compare_golden("app_home", home).empty());
            CHECK(home.at("type") == "home");
            const auto s = boost::json::serialize(home);
            for (auto id : {"checkpoint.open_request_modal", "checkpoint.extend", "checkpoint.revoke", "checkpoint.cancel",
                            "checkpoint.approve", "checkpoint.deny"})
                CHECK_THAT(s, Catch::Contains(id));
            CHECK_THAT(s, Catch::Contains("*Why you:* delegate for Mary Major"));
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
