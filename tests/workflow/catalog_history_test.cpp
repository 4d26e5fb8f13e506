#include "fixture.hpp"
#include "workflow/catalog_history.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

// A petition for `target` by `who` for `length`, filed at `at`; granted (active since `at` + wait) when
// `wait` is given, after a reviewer's approval when it needed one.
petition asked(const manifests& m, const std::string& who, const std::string& target, duration length, time_point at,
               std::optional<duration> wait)
{
    auto r = decide(m, {who, target, length, false}, at);
    REQUIRE(r);
    auto p = file(*r, {"p-" + who + std::to_string(at.time_since_epoch().count()), "", ""}, at).petition;
    if (!wait)
        return p;
    if (p.state == petition_state::pending) {
        auto t = apply(p, approve_by(p.route.steps[0].reviewers[0].person_id, at + *wait), m.directory);
        REQUIRE(t);
        p = t->petition;
    }
    p = apply(p, provisioning_started(at + *wait), m.directory)->petition;
    return apply(p, provisioned_at(at + *wait), m.directory)->petition;
}

} // namespace

TEST_CASE("the catalog's history: typical durations granted, time to approval, the latest requests")
{
    auto m = company();
    // Newest first, as the request log reads: api-production asked for 1, 3, 3, 7 and 7 days (one still
    // pending), approved after 1, 2 and 4 hours; api-staging once for a day, auto-approved.
    const std::vector<petition> log{
        asked(m, "sam", "api-production", days{7}, nov(25, 9), std::nullopt),
        asked(m, "mia", "api-production", days{7}, nov(24, 9), hours{4}),
        asked(m, "ivy", "api-production", days{3}, nov(23, 9), hours{2}),
        asked(m, "quinn", "api-production", days{3}, nov(22, 9), hours{1}),
        asked(m, "pat", "api-production", days{1}, nov(21, 9), hours{1}),
        asked(m, "lee", "api-staging", days{1}, nov(20, 9), minutes{0}),
    };
    auto h = summarize_history(log);
    REQUIRE(h.count("api-production") == 1);
    const auto& prod = h["api-production"];
    CHECK(prod.requests == 5);
    CHECK(prod.granted == 4);
    CHECK(prod.typical_low == duration{days{1}});  // 1, 3, 3, 7: the 25th percentile
    CHECK(prod.typical_high == duration{days{3}}); // and the 75th
    CHECK(prod.time_to_approval == duration{hours{1}}); // 1, 1, 2, 4 hours: the median, nearest rank
    REQUIRE(prod.recent.size() == max_recent);
    CHECK(prod.recent[0].person_name == "Sam Support");
    CHECK(prod.recent[0].state == petition_state::pending);
    CHECK(prod.recent[1].length == duration{days{7}});
    CHECK(typical_text(prod) == "Most requests are approved for 1–3 days");

    const auto& staging = h["api-staging"];
    CHECK(staging.requests == 1);
    CHECK_FALSE(staging.time_to_approval); // auto-approved: nobody was waited for
    CHECK(typical_text(staging) == "Requests are approved for 1 day");

    struct row {
        duration low, high;
        const char* text;
    };
    for (const auto& r : std::vector<row>{{hours{4}, hours{8}, "Most requests are approved for 4–8 hours"},
                                          {hours{4}, days{2}, "Most requests are approved for 4 hours to 2 days"},
                                          {days{1}, days{7}, "Most requests are approved for 1–7 days"}}) {
        bundle_history b;
        b.typical_low = r.low;
        b.typical_high = r.high;
        CHECK(typical_text(b) == r.text);
    }
    CHECK(typical_text(bundle_history{}).empty());
}
