#include "fixture.hpp"
#include "workflow/route.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// The seed's table, written out again so the test does not trust the code it checks.
//                              ≤1d           ≤7d           ≤14d          longer
const char* const seed[4][4] = {
    /* low      */ {"auto", "auto", "auto_owner", "owner"},
    /* medium   */ {"auto", "auto_owner", "owner", "owner"},
    /* high     */ {"auto_owner", "owner", "owner", "platform"},
    /* critical */ {"owner", "owner", "platform", "platform"},
};

struct probe {
    const char* name;
    duration length;
    std::size_t column;
};

// Both sides of every column bound.
const probe probes[] = {
    {"1 minute", minutes{1}, 0},
    {"exactly 1 day", days{1}, 0},
    {"1 day and a minute", days{1} + minutes{1}, 1},
    {"exactly 7 days", days{7}, 1},
    {"7 days and a minute", days{7} + minutes{1}, 2},
    {"exactly 14 days", days{14}, 2},
    {"14 days and a minute", days{14} + minutes{1}, 3},
    {"30 days", days{30}, 3},
};

} // namespace

TEST_CASE("the standard matrix is the seed's table")
{
    auto m = approval_matrix::standard();
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 4; ++c)
            CHECK(name(m.cells[r][c]) == seed[r][c]);
    CHECK(m.describe_column(0) == "up to 1 day");
    CHECK(m.describe_column(3) == "longer than 14 days");
}

TEST_CASE("every matrix cell decides the route, on both sides of every bound, on the owning team and not")
{
    auto level = GENERATE(risk::low, risk::medium, risk::high, risk::critical);
    auto p = GENERATE(range(std::size_t{0}, std::size(probes)));
    auto on_team = GENERATE(true, false);
    const auto& pr = probes[p];
    const std::string cell = seed[static_cast<std::size_t>(level)][pr.column];

    // Given a bundle of this risk owned by api-team, and a requester on it (alex) or not (sam)
    auto m = company();
    auto b = make_bundle("probe", "api-team", level, days{60});
    auto bundles = std::vector<bundle>(m.catalog.bundles().begin(), m.catalog.bundles().end());
    bundles.push_back(b);
    m.catalog = catalog(std::move(bundles));
    const std::string requester = on_team ? "alex" : "sam";
    INFO(name(level) << " risk, " << pr.name << ", " << (on_team ? "owning team" : "other team") << ": " << cell);

    // When the route is decided
    auto r = decide(m, request_input{requester, "probe", pr.length, false}, nov(25));
    REQUIRE(r);

    // Then it is exactly what the cell says
    CHECK(name(r->cell) == cell);
    CHECK(m.settings.matrix.column(pr.length) == pr.column);
    const bool automatic = cell == "auto" || (cell == "auto_owner" && on_team);
    if (automatic) {
        CHECK(r->outcome == route_outcome::auto_approved);
        CHECK(r->steps.empty());
        CHECK_THAT(r->rule_reason, Catch::StartsWith("Auto-approved"));
    } else {
        CHECK(r->outcome == route_outcome::needs_approval);
        REQUIRE(r->steps.size() == 1);
        const bool platform = cell == "platform";
        CHECK(r->steps[0].kind == (platform ? step_kind::platform : step_kind::owner));
        CHECK(r->steps[0].fallback.empty());
        CHECK_FALSE(r->steps[0].has_reviewer(requester));
        for (const auto& rv : r->steps[0].reviewers)
            CHECK(m.directory.at(m.directory.find(rv.person_id)).team == (platform ? "platform-team" : "api-team"));
    }
}

TEST_CASE("a bundle's own rules tighten the matrix")
{
    auto m = company();
    auto b = make_bundle("tight", "api-team", risk::low, days{60});
    SECTION("max_auto_approve: auto up to the limit, owner approval past it")
    {
        b.approval.max_auto_approve = days{1};
        m.catalog = catalog({b});
        auto at_limit = decide(m, {"sam", "tight", days{1}, false}, nov(25));
        auto past = decide(m, {"sam", "tight", days{1} + minutes{1}, false}, nov(25));
        CHECK(at_limit->outcome == route_outcome::auto_approved);
        REQUIRE(past->outcome == route_outcome::needs_approval);
        CHECK(past->applied == approval_rule::owner);
        CHECK(past->cell == approval_rule::auto_all);
        CHECK_THAT(past->rule_reason, Catch::Contains("never auto-approves longer than 1 day"));
    }
    SECTION("require_owner_approval turns auto into owner approval, even on the owning team")
    {
        b.approval.require_owner_approval = true;
        m.catalog = catalog({b});
        auto r = decide(m, {"alex", "tight", hours{1}, false}, nov(25));
        REQUIRE(r->outcome == route_outcome::needs_approval);
        CHECK(r->steps.at(0).kind == step_kind::owner);
        CHECK_FALSE(r->steps[0].has_reviewer("alex"));
        CHECK_THAT(r->rule_reason, Catch::Contains("always requires owner approval"));
    }
    SECTION("require_owner_approval does not lower a platform cell")
    {
        b.level = risk::critical;
        b.approval.require_owner_approval = true;
        m.catalog = catalog({b});
        auto r = decide(m, {"alex", "tight", days{30}, false}, nov(25));
        REQUIRE(r->steps.size() == 1);
        CHECK(r->steps[0].kind == step_kind::platform);
    }
    SECTION("the bundle max refuses longer requests, naming the max")
    {
        b.durations.max = days{7};
        m.catalog = catalog({b});
        CHECK(decide(m, {"sam", "tight", days{7}, false}, nov(25)));
        auto r = decide(m, {"sam", "tight", days{7} + minutes{1}, false}, nov(25));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == route_error::too_long);
        CHECK(r.error().message == "tight allows at most 7 days; ask for 7d or less.");
    }
    SECTION("no duration means the bundle's default")
    {
        b.durations.initial = days{3};
        m.catalog = catalog({b});
        auto r = decide(m, {"sam", "tight", std::nullopt, false}, nov(25));
        CHECK(r->length == days{3});
    }
}

TEST_CASE("a configured matrix is used exactly as written")
{
    auto m = company();
    m.settings.matrix.up_to = {hours{4}, days{2}, days{5}};
    m.settings.matrix.cells[static_cast<std::size_t>(risk::high)] = {approval_rule::auto_all, approval_rule::owner,
                                                                      approval_rule::platform, approval_rule::platform};
    CHECK(decide(m, {"sam", "api-production", hours{4}, false}, nov(25))->outcome == route_outcome::auto_approved);
    CHECK(decide(m, {"sam", "api-production", hours{5}, false}, nov(25))->steps.at(0).kind == step_kind::owner);
    CHECK(decide(m, {"sam", "api-production", days{2} + minutes{1}, false}, nov(25))->steps.at(0).kind ==
          step_kind::platform);
}
