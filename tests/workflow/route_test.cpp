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

// A bundle that needs only the requester's manager: the cleanest probe of manager routing.
manifests with_manager_bundle(std::vector<person> people)
{
    auto b = make_bundle("needs-manager", "platform-team", risk::low);
    b.approval.require_manager = true;
    return make_manifests(std::move(people), {b});
}

std::vector<std::string> reasons(const route_step& s)
{
    std::vector<std::string> out;
    for (const auto& r : s.reviewers)
        out.push_back(r.reason);
    return out;
}

} // namespace

TEST_CASE("manager routing: out of office, delegates, up the chain, and the platform team last")
{
    struct row {
        const char* name;
        std::vector<person> people;
        std::vector<std::string> want_reasons;
        std::string want_fallback;
    };
    auto r = GENERATE(values<row>({
        {"the manager, when in",
         {someone("m", "Mary Major", "api-team"), someone("s", "Sam Support", "support", "m"),
          someone("p", "Pat", "platform-team")},
         {"Mary Major: Sam Support's manager"},
         ""},
        {"manager out of office: the delegate",
         {away(someone("m", "Mary Major", "api-team"), nov(20, 0), dec(1, 0), "l"), someone("l", "Lee Lin", "api-team"),
          someone("s", "Sam Support", "support", "m"), someone("p", "Pat", "platform-team")},
         {"Lee Lin: delegate for Mary Major (Sam Support's manager), out of office until 30 Nov"},
         ""},
        {"manager out of office with no delegate: up the chain",
         {someone("b", "Dana Boss", "leadership"), away(someone("m", "Mary Major", "api-team", "b"), nov(20, 0), dec(1, 0)),
          someone("s", "Sam Support", "support", "m"), someone("p", "Pat", "platform-team")},
         {"Dana Boss: next manager up for Sam Support (Mary Major is out of office until 30 Nov with no delegate)"},
         ""},
        {"delegate also out of office: up the chain",
         {someone("b", "Dana Boss", "leadership"),
          away(someone("m", "Mary Major", "api-team", "b"), nov(20, 0), dec(1, 0), "l"),
          away(someone("l", "Lee Lin", "api-team", "m"), nov(24, 0), nov(27, 0)),
          someone("s", "Sam Support", "support", "m"), someone("p", "Pat", "platform-team")},
         {"Dana Boss: next manager up for Sam Support (Mary Major is out of office until 30 Nov and delegate Lee Lin "
          "is also out of office)"},
         ""},
        {"the delegate is the requester: up the chain",
         {someone("b", "Dana Boss", "leadership"),
          away(someone("m", "Mary Major", "api-team", "b"), nov(20, 0), dec(1, 0), "s"),
          someone("s", "Sam Support", "support", "m"), someone("p", "Pat", "platform-team")},
         {"Dana Boss: next manager up for Sam Support (Mary Major is out of office until 30 Nov and delegated to the "
          "requester)"},
         ""},
        {"two levels away: the delegate of the second",
         {away(someone("b", "Dana Boss", "leadership"), nov(24, 0), nov(28, 0), "d"), someone("d", "Dee Deputy", "leadership"),
          away(someone("m", "Mary Major", "api-team", "b"), nov(20, 0), dec(1, 0)),
          someone("s", "Sam Support", "support", "m"), someone("p", "Pat", "platform-team")},
         {"Dee Deputy: delegate for Dana Boss (next manager up for Sam Support (Mary Major is out of office until 30 Nov "
          "with no delegate)), out of office until 27 Nov"},
         ""},
        {"out of office has ended: the manager again",
         {away(someone("m", "Mary Major", "api-team"), nov(1, 0), nov(10, 0)), someone("s", "Sam Support", "support", "m"),
          someone("p", "Pat", "platform-team")},
         {"Mary Major: Sam Support's manager"},
         ""},
        {"no manager: the platform team, saying why",
         {someone("s", "Sam Support", "support"), someone("p", "Pat", "platform-team")},
         {"Pat: on platform-team, standing in because Sam Support has no manager in the directory"},
         "Sam Support has no manager in the directory"},
        {"the chain runs out: the platform team, saying why",
         {away(someone("m", "Mary Major", "api-team"), nov(20, 0), dec(1, 0)), someone("s", "Sam Support", "support", "m"),
          someone("p", "Pat", "platform-team")},
         {"Pat: on platform-team, standing in because no manager of Sam Support is available: Mary Major is out of "
          "office until 30 Nov with no delegate"},
         "no manager of Sam Support is available: Mary Major is out of office until 30 Nov with no delegate"},
        {"a cycle edited in at run time does not hang and falls through",
         {away(someone("m", "Mary Major", "api-team", "s"), nov(20, 0), dec(1, 0)), someone("s", "Sam Support", "support", "m"),
          someone("p", "Pat", "platform-team")},
         {"Pat: on platform-team, standing in because no manager of Sam Support is available: Mary Major is out of "
          "office until 30 Nov with no delegate; Sam Support is the requester"},
         "no manager of Sam Support is available: Mary Major is out of office until 30 Nov with no delegate; Sam "
         "Support is the requester"},
    }));
    INFO(r.name);
    // Given the people, when Sam asks on 25 Nov for a bundle that needs the manager
    auto m = with_manager_bundle(r.people);
    auto route = decide(m, {"s", "needs-manager", days{1}, false}, nov(25));
    // Then the manager step names exactly the expected reviewers and reasons
    REQUIRE(route);
    REQUIRE(route->steps.size() == 1);
    CHECK(route->steps[0].kind == step_kind::manager);
    CHECK(reasons(route->steps[0]) == r.want_reasons);
    CHECK(route->steps[0].fallback == r.want_fallback);
    CHECK_FALSE(route->steps[0].has_reviewer("s"));
}

TEST_CASE("manager_id is matched against id, then external_id, then email")
{
    auto id_match = someone("x", "By Id", "a");
    auto ext_match = someone("y", "By External", "a");
    ext_match.external_id = "x";
    auto mail_match = someone("z", "By Email", "a");
    mail_match.email = "x";
    SECTION("id wins over external_id and email")
    {
        directory d({mail_match, ext_match, id_match, someone("s", "S", "b", "x")}, {}, {});
        CHECK(d.at(d.manager_of(d.find("s"))).name == "By Id");
    }
    SECTION("external_id wins over email")
    {
        auto mail = someone("z", "By Email", "a");
        mail.email = "boss@example.com";
        auto ext = someone("y", "By External", "a");
        ext.external_id = "boss@example.com";
        directory d({mail, ext, someone("s", "S", "b", "boss@example.com")}, {}, {});
        CHECK(d.at(d.manager_of(d.find("s"))).name == "By External");
    }
    SECTION("email, case-insensitively")
    {
        auto mail = someone("z", "By Email", "a");
        mail.email = "Boss@Example.com";
        directory d({mail, someone("s", "S", "b", "boss@example.COM")}, {}, {});
        CHECK(d.at(d.manager_of(d.find("s"))).name == "By Email");
    }
}

TEST_CASE("the requester is never a reviewer, in any step")
{
    // Given Lee, who is Mary's delegate, on the owning team, in the step's group and on call
    auto m = company();
    auto b = make_bundle("everything", "api-team", risk::critical);
    b.approval.require_manager = true;
    b.approval.steps.push_back(step_spec{"named", {{reviewer_kind::group, "leads"}, {reviewer_kind::oncall, "production"}, {reviewer_kind::person, "lee"}}, 1, assign_mode::broadcast});
    m.catalog = catalog({b});
    auto requester = GENERATE(as<std::string>{}, "lee", "alex", "mary", "boss", "pat");
    INFO(requester);
    // When any of them asks, for any length
    auto length = GENERATE(days{1}, days{10}, days{30});
    auto r = decide(m, {requester, "everything", length, false}, nov(25));
    REQUIRE(r);
    // Then no step lists them
    for (const auto& s : r->steps) {
        CHECK_FALSE(s.has_reviewer(requester));
        CHECK_FALSE(s.reviewers.empty());
    }
}

TEST_CASE("owner and bundle steps fall through to the platform team when left with no one")
{
    SECTION("the only owner is the requester")
    {
        auto m = make_manifests({someone("solo", "Solo", "tiny-team"), someone("p", "Pat", "platform-team")},
                                {make_bundle("tiny", "tiny-team", risk::critical)});
        auto r = decide(m, {"solo", "tiny", days{1}, false}, nov(25));
        REQUIRE(r);
        REQUIRE(r->steps.size() == 1);
        CHECK(r->steps[0].kind == step_kind::owner);
        CHECK(r->steps[0].fallback == "no one on tiny-team other than Solo is available");
        CHECK(r->steps[0].reviewers.at(0).reason ==
              "Pat: on platform-team, standing in because no one on tiny-team other than Solo is available");
    }
    SECTION("the owners are all away with no delegate")
    {
        auto m = company();
        auto r = decide(m, {"sam", "data-warehouse", days{10}, false}, nov(25));
        REQUIRE(r);
        CHECK(r->steps.at(0).reviewers.size() == 1);
        CHECK(r->steps[0].reviewers[0].person_id == "mia");
    }
    SECTION("a step needing more approvals than people available")
    {
        auto m = company();
        auto b = make_bundle("two-of", "api-team", risk::low);
        b.approval.steps.push_back(step_spec{"pair", {{reviewer_kind::group, "leads"}}, 2, assign_mode::broadcast});
        m.catalog = catalog({b});
        // boss is in; mary is away and her delegate lee stands in: two reviewers
        auto two = decide(m, {"sam", "two-of", days{1}, false}, nov(25));
        CHECK(two->steps.at(0).fallback.empty());
        CHECK(two->steps[0].reviewers.size() == 2);
        // when lee asks, mary's delegate is the requester: one reviewer left
        auto one = decide(m, {"lee", "two-of", days{1}, false}, nov(25));
        CHECK(one->steps.at(0).fallback == "the pair step needs 2 approvals but only 1 reviewers are available");
        CHECK(one->steps[0].min_approvals == 1);
    }
    SECTION("the platform team has no one but the requester: refused, saying why")
    {
        auto m = make_manifests({someone("p", "Pat", "platform-team")}, {make_bundle("crit", "x-team", risk::critical)});
        auto r = decide(m, {"p", "crit", days{30}, false}, nov(25));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == route_error::no_reviewers);
    }
}

TEST_CASE("bundle steps: people, groups, teams, on-call of the moment, N of M, round-robin, channels")
{
    auto m = company();
    auto b = make_bundle("stepped", "api-team", risk::low);
    b.channels = {"C0STEP"};
    b.approval.steps.push_back(step_spec{"system-owner",
                                         {{reviewer_kind::email, "ivy@example.com"},
                                          {reviewer_kind::group, "leads"},
                                          {reviewer_kind::oncall, "production"},
                                          {reviewer_kind::team, "platform-team"}},
                                         2,
                                         assign_mode::round_robin});
    m.catalog = catalog({b});
    auto r = decide(m, {"sam", "stepped", days{1}, false}, nov(25));
    REQUIRE(r);
    REQUIRE(r->steps.size() == 1);
    const auto& s = r->steps[0];
    CHECK(s.kind == step_kind::bundle);
    CHECK(s.min_approvals == 2);
    CHECK(s.assign == assign_mode::round_robin);
    CHECK(s.channels == std::vector<std::string>{"C0STEP"});
    CHECK(reasons(s) == std::vector<std::string>{
                            "Ivy Novak: named for the system-owner step",
                            "Dana Boss: in group leads",
                            "Lee Lin: delegate for Mary Major (in group leads), out of office until 30 Nov",
                            "Alex Chen: on call for production",
                            "Pat Platform: on platform-team",
                            "Quinn Ops: on platform-team",
                        });
    SECTION("on-call moves with the clock")
    {
        auto later = decide(m, {"sam", "stepped", days{1}, false}, dec(2));
        CHECK(later->steps[0].reviewers.size() == 5);
        CHECK_FALSE(later->steps[0].has_reviewer("alex"));
        CHECK(later->steps[0].has_reviewer("mary"));
    }
}

TEST_CASE("break-glass: allowed bundles, allowed people, at once, capped, told, reviewed")
{
    auto m = company();
    SECTION("the on-call engineer gets it at once, for at most the break-glass max")
    {
        // alex is on call on 25 Nov
        auto r = decide(m, {"alex", "kubernetes-prod-debug", days{1}, true}, nov(25));
        REQUIRE(r);
        CHECK(r->outcome == route_outcome::break_glass);
        CHECK(r->length == hours{4});
        CHECK(r->notes.at(0) == "Capped at 4 hours, the break-glass maximum (asked for 1 day).");
        CHECK(r->notify_channels == std::vector<std::string>{"C0SECURITY"});
        REQUIRE(r->steps.size() == 1);
        CHECK(r->steps[0].kind == step_kind::break_glass_review);
        CHECK(r->steps[0].channels == std::vector<std::string>{"C0SECURITY"});
        CHECK(r->steps[0].reviewers.at(0).reason == "Pat Platform: on platform-team, which reviews every break-glass grant");
        CHECK_THAT(r->rule_reason, Catch::Contains("Alex Chen is on call for production"));
    }
    SECTION("no duration means the break-glass max")
    {
        CHECK(decide(m, {"alex", "kubernetes-prod-debug", std::nullopt, true}, nov(25))->length == hours{4});
    }
    SECTION("someone not on call is refused, told who may")
    {
        auto r = decide(m, {"ivy", "kubernetes-prod-debug", hours{1}, true}, nov(25));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == route_error::break_glass_not_permitted);
        CHECK_THAT(r.error().message, Catch::Contains("whoever is on call for production (now Alex Chen)"));
        // a week later ivy holds the rotation
        CHECK(decide(m, {"ivy", "kubernetes-prod-debug", hours{1}, true}, dec(2)));
    }
    SECTION("a bundle that does not allow it is refused")
    {
        auto r = decide(m, {"alex", "api-production", hours{1}, true}, nov(25));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == route_error::break_glass_not_allowed);
    }
}

TEST_CASE("resources are requested by kind:id with the policy of their kind")
{
    auto m = company();
    auto r = decide(m, {"sam", "customer:123", days{1}, false}, nov(25));
    REQUIRE(r);
    CHECK(r->is_resource);
    CHECK(r->target == "customer:123");
    CHECK(r->level == risk::high);
    // sam is on support, the owning team: the matrix auto-approves, the kind's step still applies
    REQUIRE(r->steps.size() == 1);
    CHECK(r->steps[0].name == "support-lead");
    CHECK(r->notes.at(0) == "The matrix would auto-approve, but customer:123 has its own approval steps.");
    SECTION("an outsider also needs the owners")
    {
        auto o = decide(m, {"alex", "customer:9", days{3}, false}, nov(25));
        CHECK(o->steps.size() == 2);
        CHECK(o->steps.back().kind == step_kind::owner);
        CHECK(o->steps.back().reviewers.at(0).person_id == "sam");
    }
    SECTION("unknown kinds and empty ids are refused")
    {
        CHECK(decide(m, {"sam", "invoice:1", days{1}, false}, nov(25)).error().code == route_error::unknown_resource_kind);
        CHECK(decide(m, {"sam", "customer:", days{1}, false}, nov(25)).error().message ==
              "\"customer:\" is not a resource you can request; resources are written customer:<id>.");
    }
}

TEST_CASE("refusals say what to do instead")
{
    auto m = company();
    SECTION("a mistyped bundle suggests the closest")
    {
        auto r = decide(m, {"sam", "api-prodution", days{1}, false}, nov(25));
        CHECK(r.error().code == route_error::unknown_bundle);
        CHECK(r.error().message == "There is no bundle named \"api-prodution\". Did you mean api-production?");
    }
    SECTION("an unknown person")
    {
        CHECK(decide(m, {"nobody", "api-production", days{1}, false}, nov(25)).error().code == route_error::unknown_person);
    }
    SECTION("a deprecated bundle names its successor")
    {
        auto old = make_bundle("api-old", "api-team", risk::high);
        old.deprecated = true;
        old.successor = "api-production";
        auto bundles = std::vector<bundle>(m.catalog.bundles().begin(), m.catalog.bundles().end());
        bundles.push_back(old);
        m.catalog = catalog(std::move(bundles));
        CHECK(decide(m, {"sam", "api-old", days{1}, false}, nov(25)).error().message ==
              "api-old is deprecated and takes no new requests; request api-production instead.");
    }
}

TEST_CASE("explain returns the route and its reasons without filing anything")
{
    auto m = company();
    auto b = make_bundle("api-production-admin", "api-team", risk::critical, days{3});
    b.approval.require_manager = true;
    b.approval.steps.push_back(step_spec{"system-owner", {{reviewer_kind::oncall, "production"}}, 1, assign_mode::broadcast});
    m.catalog = catalog({b});
    auto r = explain(m, "sam@example.com", "api-production-admin", days{1}, nov(25));
    REQUIRE(r);
    CHECK(describe(*r) == std::vector<std::string>{
                             "api-production-admin (critical risk, owner api-team) for 1 day, asked by Sam Support",
                             // Every step in the rule line, in order (it named only the owner step).
                             "The manager, then system-owner, then api-team approve: critical risk up to 1 day "
                             "needs owner approval.",
                             "Step 1 of 3: manager, 1 of 1 must approve",
                             "  • Lee Lin: delegate for Mary Major (Sam Support's manager), out of office until 30 Nov",
                             "Step 2 of 3: system-owner, 1 of 1 must approve",
                             "  • Alex Chen: on call for production",
                             "Step 3 of 3: owner, 1 of 2 must approve",
                             "  • Lee Lin: delegate for Mary Major (on api-team, which owns api-production-admin), out of office until 30 Nov",
                             "  • Alex Chen: on api-team, which owns api-production-admin",
                         });
    CHECK(r->steps[0].channels.empty());
    CHECK(r->steps[2].channels == std::vector<std::string>{"C0ACCESS"});
}

TEST_CASE("out of office set at run time is laid over the manifests' directory")
{
    auto m = company();
    auto b = make_bundle("mgr", "api-team", risk::low);
    b.approval.require_manager = true;
    m.catalog = catalog({b});
    auto manager_of_sam = [&](const away_overlay* away) {
        auto r = decide(m, request_input{"sam", "mgr", days{1}, false}, nov(25), away);
        REQUIRE(r);
        REQUIRE_FALSE(r->steps.empty());
        return r->steps.front().reviewers.at(0);
    };
    CHECK(manager_of_sam(nullptr).person_id == "lee");
    away_overlay back{{"mary", std::nullopt}};
    CHECK(manager_of_sam(&back).person_id == "mary");
    away_overlay other_delegate{{"mary", out_of_office{nov(24), dec(1), "alex"}}};
    auto rv = manager_of_sam(&other_delegate);
    CHECK(rv.person_id == "alex");
    CHECK_THAT(rv.reason, Catch::Contains("delegate for Mary Major"));
    away_overlay no_delegate{{"mary", out_of_office{nov(24), dec(1), ""}}};
    CHECK(manager_of_sam(&no_delegate).person_id == "boss");
    away_overlay over{{"mary", out_of_office{nov(20), nov(24), "alex"}}};
    CHECK(manager_of_sam(&over).person_id == "mary");
}

TEST_CASE("a route the matrix would auto-approve but whose bundle has steps does not say auto-approved")
{
    auto m = company();
    auto b = make_bundle("api-staging", "api-team", risk::low, days{3});
    b.approval.require_manager = true;
    m.catalog = catalog({b});
    auto r = explain(m, "sam@example.com", "api-staging", days{1}, nov(25));
    REQUIRE(r);
    CHECK(r->outcome == route_outcome::needs_approval);
    CHECK(r->rule_reason.rfind("The manager approves: api-staging has its own approval steps", 0) == 0);
    CHECK_THAT(r->rule_reason, !Catch::Contains("Auto-approved"));
}

TEST_CASE("manual override: no steps, the security channel told, within the bundle's maximum, never for oneself")
{
    auto m = company();
    struct row {
        const char* name;
        std::string requester, target, by;
        std::optional<duration> length;
        std::string want_error; // empty: granted
        std::string want_granter;
    };
    const std::vector<row> rows{
        {"an admin grants someone a high-risk bundle", "sam", "api-production", "pat", days{2}, "", "Pat Platform"},
        {"a granter who is not a person (a service token)", "sam", "api-production", "token:7", days{2},
         route_error::unknown_person.data(), ""},
        {"no duration is the bundle's usual one", "sam", "api-staging", "pat", std::nullopt, "", "Pat Platform"},
        {"a resource", "sam", "customer:123", "pat", hours{4}, "", "Pat Platform"},
        {"for oneself, by id", "pat", "api-production", "pat", days{1}, route_error::override_for_self.data(), ""},
        {"past the bundle's maximum", "sam", "api-production", "pat", days{400}, route_error::too_long.data(), ""},
        {"an unknown bundle", "sam", "nope", "pat", days{1}, route_error::unknown_bundle.data(), ""},
        {"an unknown person", "nobody", "api-production", "pat", days{1}, route_error::unknown_person.data(), ""},
    };
    for (const auto& t : rows) {
        INFO(t.name);
        request_input in{t.requester, t.target, t.length, false};
        in.override_by = t.by;
        auto r = decide(m, in, nov(25));
        if (!t.want_error.empty()) {
            REQUIRE_FALSE(r);
            CHECK(r.error().code == t.want_error);
            continue;
        }
        REQUIRE(r);
        CHECK(r->outcome == route_outcome::override_grant);
        CHECK(r->steps.empty());
        CHECK(r->notify_channels == std::vector<std::string>{"C0SECURITY"});
        CHECK(r->rule_reason == "Manual override: granted by " + t.want_granter +
                                    " outside the approval flow, and recorded as an exception.");
        if (!t.length)
            CHECK(r->length > duration{});
    }
    // The refusal says what to do instead.
    request_input self{"pat", "api-production", days{1}, false};
    self.override_by = "pat";
    CHECK_THAT(decide(m, self, nov(25)).error().message, Catch::Contains("another admin must grant it"));
}

TEST_CASE("named_in: who a list of people, groups, teams and on-call rotations names, and why")
{
    const auto m = company();
    const auto& dir = m.directory;
    const std::vector<reviewer_spec> who{{reviewer_kind::group, "leads"},
                                         {reviewer_kind::team, "platform-team"},
                                         {reviewer_kind::oncall, "production"},
                                         {reviewer_kind::email, "mia@example.com"}};
    struct row {
        const char* person;
        time_point at;
        const char* why; // empty: not named
    };
    auto r = GENERATE(values<row>({
        {"mary", nov(25), "Mary Major is in group leads"},
        {"pat", nov(25), "is on platform-team"},
        {"alex", nov(25), "is on call for production"},
        {"alex", dec(2), ""},
        {"sam", nov(25), ""},
    }));
    INFO(r.person);
    const auto p = dir.find(r.person);
    REQUIRE(p != no_person);
    const auto named = named_in(who, "the auditors", dir, p, r.at);
    if (std::string(r.why).empty()) {
        CHECK_FALSE(named);
    } else {
        REQUIRE(named);
        CHECK_THAT(*named, Catch::Contains(r.why));
    }
    CHECK_FALSE(named_in({}, "the auditors", dir, p, r.at));
}
