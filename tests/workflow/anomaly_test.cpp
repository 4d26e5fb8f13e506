#include "workflow/anomaly.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using std::chrono::hours;

TEST_CASE("a demand spike is at least min_requests in the window and more than factor × the usual")
{
    demand_alert_policy p; // 1 h window, 7 d baseline (168 windows), factor 3, at least 5
    struct row {
        const char* name;
        demand_counts counts;
        bool spike;
        double usual;
    };
    const std::vector<row> rows{
        {"nothing before, 5 now", {5, 0}, true, 0},
        {"nothing before, 4 now: under the floor", {4, 0}, false, 0},
        {"168 before is 1 an hour; 4 now", {4, 168}, false, 1},
        {"168 before, 5 now: more than 3× 1", {5, 168}, true, 1},
        {"504 before is 3 an hour; 9 now is only 3×", {9, 504}, false, 3},
        {"504 before, 10 now", {10, 504}, true, 3},
        {"84 before is 0.5 an hour, 5 now", {5, 84}, true, 0.5},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        auto s = demand_spike_of(p, r.counts);
        CHECK(s.has_value() == r.spike);
        if (s) {
            CHECK(s->count == r.counts.in_window);
            CHECK(s->before == r.counts.before);
            CHECK(s->usual == Approx(r.usual));
        }
    }
    SECTION("off, or a window that cannot be compared, never fires")
    {
        auto off = p;
        off.enabled = false;
        CHECK_FALSE(demand_spike_of(off, {50, 0}));
        auto odd = p;
        odd.baseline = hours{0};
        CHECK_FALSE(demand_spike_of(odd, {50, 0}));
    }
}

TEST_CASE("only the configured risks are watched, and the usual reads as people write it")
{
    demand_alert_policy p;
    CHECK(demand_watched(p, risk::critical));
    CHECK_FALSE(demand_watched(p, risk::high));
    p.risks = {risk::high, risk::critical};
    CHECK(demand_watched(p, risk::high));
    p.enabled = false;
    CHECK_FALSE(demand_watched(p, risk::critical));

    struct row {
        double usual;
        const char* text;
    };
    for (const auto& r : std::vector<row>{{0, "0"}, {0.04, "0"}, {0.36, "0.4"}, {2, "2"}, {12.5, "12.5"}, {0.95, "1"}}) {
        INFO(r.usual);
        CHECK(format_usual(r.usual) == r.text);
    }
}
