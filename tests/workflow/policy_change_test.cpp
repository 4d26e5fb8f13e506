#include "fixture.hpp"
#include "workflow/policy_change.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;
using std::chrono::days;
using std::chrono::hours;

namespace {

// A request filed at `at` under `m`, as the service files it.
petition filed(const manifests& m, const std::string& who, const std::string& target, duration length, time_point at,
               const std::string& id)
{
    auto r = decide(m, {who, target, length}, at);
    REQUIRE(r.has_value());
    return file(*r, {id, "a reason", "", ""}, at).petition;
}

manifests with_bundle(manifests m, const std::string& name, const std::function<void(bundle&)>& change)
{
    std::vector<bundle> bundles(m.catalog.bundles().begin(), m.catalog.bundles().end());
    for (auto& b : bundles)
        if (b.name == name)
            change(b);
    m.catalog = catalog(std::move(bundles));
    return m;
}

manifests without_bundle(manifests m, const std::string& name)
{
    std::vector<bundle> bundles;
    for (const auto& b : m.catalog.bundles())
        if (b.name != name)
            bundles.push_back(b);
    m.catalog = catalog(std::move(bundles));
    return m;
}

manifests with_people(manifests m, const std::function<void(std::vector<person>&)>& change)
{
    std::vector<person> people(m.directory.people().begin(), m.directory.people().end());
    change(people);
    std::vector<group> groups(m.directory.groups().begin(), m.directory.groups().end());
    std::vector<oncall_rotation> oncall(m.directory.oncall().begin(), m.directory.oncall().end());
    m.directory = directory(std::move(people), std::move(groups), std::move(oncall));
    return m;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<std::string> effect_targets(const transition& t, effect_kind k, notice n)
{
    std::vector<std::string> out;
    for (const auto& e : t.effects)
        if (e.kind == k && e.what == n)
            out.push_back(e.to);
    return out;
}

} // namespace

TEST_CASE("the diff names bundles added, removed and changed field by field, and people who moved")
{
    const auto before = company();
    auto after = with_bundle(before, "api-production", [](bundle& b) {
        b.owner_team = "data-platform";
        b.durations.max = days{14};
    });
    after = without_bundle(after, "api-staging");
    std::vector<bundle> bundles(after.catalog.bundles().begin(), after.catalog.bundles().end());
    bundles.push_back(make_bundle("billing-admin", "support", risk::medium));
    after.catalog = catalog(std::move(bundles));
    after = with_people(after, [](std::vector<person>& people) {
        for (auto& p : people)
            if (p.id == "sam") {
                p.manager_id = "raj";
                p.team = "data-platform";
            }
        std::erase_if(people, [](const person& p) { return p.id == "ivy"; });
        people.push_back(someone("nia", "Nia Park", "support", "mary"));
    });
    after.settings.security_channel = "C0SECNEW";

    const auto d = diff_manifests(before, after);
    CHECK(d.bundles_added == std::vector<std::string>{"billing-admin"});
    CHECK(d.bundles_removed == std::vector<std::string>{"api-staging"});
    REQUIRE(d.bundles_changed.size() == 1);
    CHECK(d.bundles_changed[0].bundle == "api-production");
    REQUIRE(d.bundles_changed[0].fields.size() == 2);
    CHECK(d.bundles_changed[0].fields[0].field == "owner_team");
    CHECK(d.bundles_changed[0].fields[0].before == "api-team");
    CHECK(d.bundles_changed[0].fields[0].after == "data-platform");
    CHECK(d.bundles_changed[0].fields[1].field == "durations");
    CHECK(d.people_added == std::vector<std::string>{"nia"});
    CHECK(d.people_removed == std::vector<std::string>{"ivy"});
    REQUIRE(d.people_moved.size() == 1);
    CHECK(d.people_moved[0].id == "sam");
    CHECK(d.people_moved[0].manager_before == "mary");
    CHECK(d.people_moved[0].manager_after == "raj");
    CHECK(d.people_moved[0].team_after == "data-platform");
    CHECK(d.groups_changed.empty());
    REQUIRE(d.settings_changed.size() == 1);
    CHECK(d.settings_changed[0].field == "security_channel");
    CHECK(d.summary() == "1 bundle added (billing-admin), 1 bundle removed (api-staging), 1 bundle changed "
                         "(api-production: owner_team, durations), 1 person added, 1 person removed (ivy), 1 person "
                         "moved team or manager (sam), checkpoint.yaml: security_channel");
    CHECK(diff_manifests(before, before).empty());
    CHECK(diff_manifests(before, before).summary() == "no change");
}

TEST_CASE("a change of manifests re-routes, keeps or withdraws a waiting request, by the documented rule")
{
    const auto m = company();
    const auto now = nov(25);
    // Sam (support) asks for api-production for a day: the owning team, api-team, approves.
    const auto p = filed(m, "sam", "api-production", days{1}, now, "p-aaaaaaaaaaaaa");
    REQUIRE(p.state == petition_state::pending);
    const auto before = waiting_on(p.route.steps.at(p.progress.step), p.progress.assigned);
    REQUIRE(has(before, "lee"));

    struct row {
        const char* name;
        manifests next;
        reroute_plan::outcome want;
        std::string reason_has;
    };
    auto r = GENERATE_COPY(values<row>({
        {"nothing that concerns it changed: kept", with_bundle(m, "api-staging", [](bundle& b) { b.description = "x"; }),
         reroute_plan::outcome::kept, ""},
        {"the owning team changed: re-routed to the new team",
         with_bundle(m, "api-production", [](bundle& b) { b.owner_team = "platform-team"; }),
         reroute_plan::outcome::rerouted, ""},
        {"the bundle is gone: withdrawn", without_bundle(m, "api-production"), reroute_plan::outcome::withdrawn,
         "api-production"},
        {"the bundle is deprecated: withdrawn",
         with_bundle(m, "api-production", [](bundle& b) { b.deprecated = true; }), reroute_plan::outcome::withdrawn,
         "deprecated"},
        {"the requester left the directory: withdrawn",
         with_people(m, [](std::vector<person>& v) { std::erase_if(v, [](const person& x) { return x.id == "sam"; }); }),
         reroute_plan::outcome::withdrawn, "sam"},
        {"a shorter maximum: kept, saying why",
         with_bundle(m, "api-production", [](bundle& b) { b.durations.max = hours{4}; }), reroute_plan::outcome::kept,
         "4 hours"},
        {"now auto-approved: kept (a reload never approves)",
         with_bundle(m, "api-production", [](bundle& b) { b.level = risk::low; }), reroute_plan::outcome::kept, ""},
    }));
    SECTION(r.name)
    {
        const auto plan = plan_reroute(p, m, r.next, now + hours{1});
        CHECK(plan.what == r.want);
        CHECK(plan.waiting_before == before);
        if (!r.reason_has.empty())
            CHECK_THAT(plan.reason, Catch::Contains(r.reason_has));
        CHECK(plan.change.has_value() == (r.want != reroute_plan::outcome::kept));
        if (!plan.change)
            return;
        auto t = apply(p, *plan.change, r.next.directory);
        REQUIRE(t.has_value());
        CHECK(t->petition.version == p.version + 1);
        if (r.want == reroute_plan::outcome::withdrawn) {
            CHECK(t->petition.state == petition_state::cancelled);
            CHECK(t->petition.closed_by == "checkpoint");
            CHECK_THAT(t->petition.close_reason, Catch::Contains(r.reason_has));
            CHECK(effect_targets(*t, effect_kind::notify_person, notice::withdrawn) == std::vector<std::string>{"sam"});
            return;
        }
        // The platform team now: Pat and Quinn get cards; api-team's reviewers are told it moved; Sam is told.
        CHECK(t->petition.state == petition_state::pending);
        CHECK(plan.waiting_after == waiting_on(t->petition.route.steps.at(0), 0));
        CHECK(has(plan.waiting_after, "pat"));
        CHECK(has(plan.waiting_after, "quinn"));
        auto cards = effect_targets(*t, effect_kind::post_card, notice::submitted);
        CHECK(has(cards, "pat"));
        CHECK(has(cards, "quinn"));
        CHECK_FALSE(has(cards, "lee"));
        auto told = effect_targets(*t, effect_kind::notify_person, notice::rerouted);
        CHECK(has(told, "lee"));
        CHECK(has(told, "sam"));
        CHECK_FALSE(has(told, "pat"));
        // A reviewer who lost the card cannot approve any more; the new one can.
        CHECK_FALSE(apply(t->petition, approve_by("lee", now + hours{2}), r.next.directory).has_value());
        auto approved = apply(t->petition, approve_by("pat", now + hours{2}), r.next.directory);
        REQUIRE(approved.has_value());
        CHECK(approved->petition.state == petition_state::approved);
    }
}

TEST_CASE("re-routing leaves decided requests alone and refuses a route of another shape")
{
    const auto m = company();
    const auto now = nov(25);
    auto p = filed(m, "sam", "api-production", days{1}, now, "p-bbbbbbbbbbbbb");
    const auto next = with_bundle(m, "api-production", [](bundle& b) { b.owner_team = "platform-team"; });
    auto decided = apply(p, approve_by("lee", now), m.directory);
    REQUIRE(decided.has_value());
    CHECK(plan_reroute(decided->petition, m, next, now).what == reroute_plan::outcome::kept);
    CHECK_FALSE(apply(decided->petition, reroute_to(p.route, "x", now), next.directory).has_value());
    auto other = p.route;
    other.steps.push_back(other.steps.front());
    auto refused = apply(p, reroute_to(other, "x", now), next.directory);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == "bad_reroute");
}

TEST_CASE("the policy preview replays history per bundle and lists the waiting requests that would re-route")
{
    const auto m = company();
    const auto now = nov(25);
    std::vector<petition> history{
        filed(m, "sam", "api-production", days{1}, nov(10), "p-ccccccccccccc"),
        filed(m, "mia", "api-production", days{1}, nov(12), "p-ddddddddddddd"),
        filed(m, "sam", "data-warehouse", days{3}, nov(14), "p-eeeeeeeeeeeee"),
    };
    const std::vector<petition> waiting{history[0]};
    // api-production moves to data-platform (Mia; Raj is away); data-warehouse drops to low risk (instant for 3 days).
    auto next = with_bundle(m, "api-production", [](bundle& b) { b.owner_team = "data-platform"; });
    next = with_bundle(next, "data-warehouse", [](bundle& b) { b.level = risk::low; });

    const auto preview = preview_policy(m, next, history, waiting, now);
    CHECK(preview.replayed == 3);
    REQUIRE(preview.targets.size() == 2);
    const auto& api = preview.targets[0];
    CHECK(api.target == "api-production");
    CHECK(api.replayed == 2);
    // Mia is on the owning team now, so hers would be instant; Sam's is still the owning team's, by other people.
    CHECK(api.decisions_changed == 1);
    REQUIRE(api.shifts.size() == 1);
    CHECK(api.shifts[0].from == "owner");
    CHECK(api.shifts[0].to == "auto");
    CHECK(api.reviewers_changed == 2);
    CHECK(has(api.reviewers_added, "mia"));
    CHECK(has(api.reviewers_removed, "lee"));
    const auto& data = preview.targets[1];
    CHECK(data.target == "data-warehouse");
    CHECK(data.decisions_changed == 1);
    REQUIRE(data.shifts.size() == 1);
    CHECK(data.shifts[0].from == "owner");
    CHECK(data.shifts[0].to == "auto");
    CHECK(data.shifts[0].count == 1);
    CHECK(preview.decisions_changed == 2);
    REQUIRE(preview.waiting.size() == 1);
    CHECK(preview.waiting[0].petition_id == "p-ccccccccccccc");
    CHECK(preview.waiting[0].plan.what == reroute_plan::outcome::rerouted);
    CHECK(preview.diff.bundles_changed.size() == 2);

    // The same manifests change nothing.
    const auto same = preview_policy(m, m, history, waiting, now);
    CHECK(same.targets.empty());
    CHECK(same.waiting.empty());
    CHECK(same.decisions_changed == 0);
}

TEST_CASE("a re-route keeps the approvals given, and never leaves a step nobody can finish")
{
    // A bundle step of two approvals from group sec; Pat has approved, one more is owed.
    const auto at = nov(25);
    auto make = [&](std::vector<std::string> sec, std::size_t min) {
        std::vector<person> people{someone("boss", "Dana Boss", "leadership"), someone("pat", "Pat", "platform-team", "boss"),
                                   someone("quinn", "Quinn", "platform-team", "boss"),
                                   someone("ivy", "Ivy", "infrastructure", "boss"), someone("sam", "Sam", "support", "boss")};
        auto b = make_bundle("vault-root", "infrastructure", risk::low);
        b.approval.steps.push_back(step_spec{"security", {{reviewer_kind::group, "sec"}}, min, assign_mode::broadcast});
        return make_manifests(std::move(people), {b}, {{"sec", std::move(sec)}});
    };
    const auto m = make({"pat", "quinn", "ivy"}, 2);
    auto p = filed(m, "sam", "vault-root", days{1}, at, "p-fffffffffffff");
    REQUIRE(p.route.steps.size() == 1);
    auto t = apply(p, approve_by("pat", at), m.directory);
    REQUIRE(t.has_value());
    p = t->petition;
    REQUIRE(p.progress.approvals == std::vector<std::string>{"pat"});

    SECTION("the group shrinks to the one who approved: the step stays as it was")
    {
        const auto next = make({"pat"}, 1);
        const auto plan = plan_reroute(p, m, next, at);
        CHECK(plan.what == reroute_plan::outcome::kept);
        // Forced anyway, the state machine refuses a step with no one left to approve.
        auto r = p.route;
        r.steps[0] = decide(next, {"sam", "vault-root", days{1}}, at)->steps[0];
        auto refused = apply(p, reroute_to(r, "x", at), next.directory);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == "bad_reroute");
    }
    SECTION("Quinn and Ivy leave the group, Boss joins: Pat's approval stands and Boss owes the second")
    {
        const auto next = make({"pat", "boss"}, 2);
        const auto plan = plan_reroute(p, m, next, at);
        REQUIRE(plan.what == reroute_plan::outcome::rerouted);
        auto moved = apply(p, *plan.change, next.directory);
        REQUIRE(moved.has_value());
        CHECK(moved->petition.progress.approvals == std::vector<std::string>{"pat"});
        CHECK(effect_targets(*moved, effect_kind::post_card, notice::submitted) == std::vector<std::string>{"boss"});
        auto told = effect_targets(*moved, effect_kind::notify_person, notice::rerouted);
        CHECK(has(told, "quinn"));
        CHECK(has(told, "ivy"));
        auto done = apply(moved->petition, approve_by("boss", at), next.directory);
        REQUIRE(done.has_value());
        CHECK(done->petition.state == petition_state::approved);
    }
}
