#include "blocks/catalog_message.hpp"
#include "tests/blocks/scenario.hpp"
#include "tests/support/golden.hpp"
#include "tests/support/slack_limits.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace checkpoint;
using blocks::test::example;

TEST_CASE("the catalog lists bundles with owner, risk, description, durations and a hint")
{
    GIVEN("a search for \"api\"")
    {
        std::vector<blocks::catalog_entry> entries;
        for (const auto* b : example().catalog.search("api"))
            entries.push_back({b, b->name == "api-production" ? "7 days: needs api-team" : ""});
        // api-production has a history: four granted (1, 3, 3, 7 days), approval after an hour at the median.
        for (auto& e : entries) {
            e.history_known = true;
            if (e.bundle->name == "api-production")
                e.history = blocks::test::busy_history();
        }
        WHEN("it is rendered")
        {
            auto msg = blocks::catalog_reply(entries, "api");
            THEN("every match is there, the deprecated one points at its successor without a Request button")
            {
                CHECK(test::compare_golden("catalog_reply", msg).empty());
                const auto s = boost::json::serialize(msg);
                CHECK_THAT(s, Catch::Contains("*api-production* · High risk · owner api-team"));
                CHECK_THAT(s, Catch::Contains("Typically 1 day, at most 30 days"));
                CHECK_THAT(s, Catch::Contains(":stopwatch: 7 days: needs api-team"));
                CHECK_THAT(s, Catch::Contains("_deprecated_, use *api-production*"));
                // The seed's catalog: what is usually granted, how long approval takes, who asked lately.
                CHECK_THAT(s, Catch::Contains(":bar_chart: Most requests are approved for 1–3 days · approval usually "
                                              "takes 1 hour · lately Sam Support (7 days) and Mia &lt;Jones&gt; (7 "
                                              "days) · 5 requests in 90 days"));
                CHECK_THAT(s, Catch::Contains(":bar_chart: No requests in the last 90 days."));
                CHECK(test::slack_limit_violations(msg).empty());
            }
        }
    }
    GIVEN("a catalog whose history could not be read")
    {
        std::vector<blocks::catalog_entry> entries{{example().catalog.find("api-production"), ""}};
        CHECK(boost::json::serialize(blocks::catalog_reply(entries, "")).find(":bar_chart:") == std::string::npos);
    }
    GIVEN("a search that finds nothing")
    {
        auto msg = blocks::catalog_reply({}, "<nothing>");
        CHECK_THAT(boost::json::serialize(msg), Catch::Contains("No bundle matches `&lt;nothing&gt;`"));
    }
}
