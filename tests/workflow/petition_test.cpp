#include "fixture.hpp"
#include "workflow/petition.hpp"
#include "workflow/petition_json.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

route must_decide(const manifests& m, std::string who, std::string what, duration d, bool glass = false)
{
    auto r = decide(m, {std::move(who), std::move(what), d, glass}, nov(25));
    REQUIRE(r);
    return *r;
}

petition must_apply(const petition& p, const event& e, const directory& dir)
{
    auto t = apply(p, e, dir);
    if (!t)
        FAIL(t.error().code << ": " << t.error().message);
    return t->petition;
}

bool has(const std::vector<effect>& fx, effect_kind k, notice what, const std::string& to = {})
{
    return std::any_of(fx.begin(), fx.end(),
                       [&](const effect& e) { return e.kind == k && e.what == what && (to.empty() || e.to == to); });
}

bool has_kind(const std::vector<effect>& fx, effect_kind k)
{
    return std::any_of(fx.begin(), fx.end(), [&](const effect& e) { return e.kind == k; });
}

// sam asks api-production for 7 days: the owners (lee for mary, alex) approve, 1 of 2.
petition pending_petition(const manifests& m)
{
    return file(must_decide(m, "sam", "api-production", days{7}), {"p-1", "debugging latency", "PROJ-1"}, nov(25)).petition;
}

petition active_petition(const manifests& m, const std::string& bundle = "api-production", duration d = days{7})
{
    auto p = file(must_decide(m, "sam", bundle, d), {"p-1", "", ""}, nov(25)).petition;
    if (p.state == petition_state::pending)
        p = must_apply(p, approve_by(p.route.steps[0].reviewers[0].person_id, nov(25)), m.directory);
    p = must_apply(p, provisioning_started(nov(25)), m.directory);
    return must_apply(p, provisioned_at(nov(25, 11)), m.directory);
}

} // namespace

TEST_CASE("filing: pending with cards, or approved at once")
{
    auto m = company();
    SECTION("needs approval: pending at step 0, cards to channels and reviewers, a reminder")
    {
        auto t = file(must_decide(m, "sam", "api-production", days{7}), {"p-1", "why", ""}, nov(25));
        CHECK(t.petition.state == petition_state::pending);
        CHECK(t.petition.progress.step == 0);
        CHECK(t.petition.version == 1);
        CHECK(has(t.effects, effect_kind::notify_person, notice::submitted, "sam"));
        CHECK(has(t.effects, effect_kind::post_card, notice::submitted, "C0ENGPROD"));
        CHECK(has(t.effects, effect_kind::post_card, notice::submitted, "lee"));
        CHECK(has(t.effects, effect_kind::post_card, notice::submitted, "alex"));
        CHECK(std::any_of(t.effects.begin(), t.effects.end(), [](const effect& e) {
            return e.kind == effect_kind::schedule_reminder && e.at == nov(25) + hours{4};
        }));
        CHECK_FALSE(has_kind(t.effects, effect_kind::provision));
    }
    SECTION("auto-approved: approved and provisioning asked for")
    {
        auto t = file(must_decide(m, "alex", "api-production", days{1}), {"p-2", "", ""}, nov(25));
        CHECK(t.petition.state == petition_state::approved);
        CHECK(has(t.effects, effect_kind::provision, notice::approved, "alex"));
        CHECK(has(t.effects, effect_kind::notify_person, notice::auto_approved, "alex"));
    }
    SECTION("break-glass: approved at once, security told, review cards posted")
    {
        auto t = file(must_decide(m, "alex", "kubernetes-prod-debug", hours{2}, true), {"p-3", "incident", ""}, nov(25));
        CHECK(t.petition.state == petition_state::approved);
        CHECK(t.petition.review_pending);
        CHECK(has(t.effects, effect_kind::provision, notice::approved));
        // #security gets the review card, and not a second message saying the same.
        CHECK(has(t.effects, effect_kind::post_card, notice::review_requested, "C0SECURITY"));
        CHECK_FALSE(has(t.effects, effect_kind::notify_channel, notice::break_glass, "C0SECURITY"));
        CHECK(has(t.effects, effect_kind::post_card, notice::review_requested, "pat"));
    }
}

TEST_CASE("a manual override is approved at once with the admin's decision, told to the person and security")
{
    auto m = company();
    request_input in{"sam", "api-production", days{2}, false};
    in.override_by = "pat";
    auto r = decide(m, in, nov(25));
    REQUIRE(r);
    auto t = file(*r, {"p-9", "customer escalation INC-7, approvals are down", "INC-7", "pat"}, nov(25));
    CHECK(t.petition.state == petition_state::approved);
    CHECK_FALSE(t.petition.review_pending);
    REQUIRE(t.petition.decisions.size() == 1);
    CHECK(t.petition.decisions[0].by == "pat");
    CHECK(t.petition.decisions[0].step == "override");
    CHECK(t.petition.decisions[0].approved);
    CHECK(t.petition.decisions[0].reason == "customer escalation INC-7, approvals are down");
    CHECK(has(t.effects, effect_kind::notify_person, notice::override_granted, "sam"));
    CHECK(has(t.effects, effect_kind::notify_channel, notice::override_granted, "C0SECURITY"));
    CHECK(has_kind(t.effects, effect_kind::provision));
    CHECK_FALSE(has_kind(t.effects, effect_kind::post_card));
    // It runs out like any grant: active, then expired at its end.
    auto p = must_apply(t.petition, provisioning_started(nov(25)), m.directory);
    p = must_apply(p, provisioned_at(nov(25, 1)), m.directory);
    REQUIRE(p.ends_at);
    CHECK(*p.ends_at == nov(25, 1) + days{2});
    p = must_apply(p, expire_at(*p.ends_at), m.directory);
    CHECK(p.state == petition_state::expired);
}

TEST_CASE("the approver sets the duration: less than asked, at least a minute, only while waiting")
{
    auto m = company();
    const auto p = pending_petition(m); // sam, api-production, 7 days; lee (for mary) or alex approve
    const auto reviewer = p.route.steps.at(0).reviewers.at(0).person_id;
    struct row {
        const char* name;
        std::optional<duration> shorten_to;
        std::string want_error; // empty: approved for `shorten_to`
    };
    const std::vector<row> rows{
        {"two days of seven", days{2}, ""},
        {"an hour", hours{1}, ""},
        {"as long as asked", days{7}, "bad_duration"},
        {"longer than asked", days{8}, "bad_duration"},
        {"under a minute", seconds{30}, "bad_duration"},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        auto e = approve_by(reviewer, nov(25, 1));
        e.shorten_to = r.shorten_to;
        auto t = apply(p, e, m.directory);
        if (!r.want_error.empty()) {
            REQUIRE_FALSE(t);
            CHECK(t.error().code == r.want_error);
            CHECK_THAT(t.error().message, Catch::Contains("Approve for less than the 7 days asked"));
            continue;
        }
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::approved);
        CHECK(t->petition.length() == *r.shorten_to);
        CHECK(t->petition.asked_length == duration{days{7}});
        CHECK(t->petition.decisions.back().granted == r.shorten_to);
        // Stored and read back as it was.
        auto back = petition_from_json(petition_to_json(t->petition));
        REQUIRE(back.has_value());
        CHECK(back->asked_length == t->petition.asked_length);
        CHECK(back->decisions.back().granted == r.shorten_to);
        CHECK(back->length() == *r.shorten_to);
    }
    SECTION("a denial ignores a duration; an active grant cannot be approved for less")
    {
        auto d = deny_by(reviewer, "no", nov(25, 1));
        d.shorten_to = days{1};
        CHECK(apply(p, d, m.directory)->petition.state == petition_state::denied);
        auto live = active_petition(m);
        auto e = approve_by(reviewer, nov(26));
        e.shorten_to = days{1};
        auto t = apply(live, e, m.directory);
        REQUIRE_FALSE(t);
        CHECK(t.error().code == "bad_duration");
    }
}

TEST_CASE("the happy path: pending, approved, provisioning, active, expired")
{
    auto m = company();
    auto p = pending_petition(m);
    // When an owner approves
    auto t1 = apply(p, approve_by("alex", nov(25, 11)), m.directory);
    REQUIRE(t1);
    CHECK(t1->petition.state == petition_state::approved);
    CHECK(t1->petition.version == 2);
    CHECK(has(t1->effects, effect_kind::provision, notice::approved, "sam"));
    CHECK(has(t1->effects, effect_kind::notify_person, notice::approved, "sam"));
    CHECK(has_kind(t1->effects, effect_kind::update_cards));
    // Then provisioning starts and succeeds; the clock starts when access is live
    auto t2 = apply(t1->petition, provisioning_started(nov(25, 11)), m.directory);
    REQUIRE(t2);
    CHECK(t2->petition.state == petition_state::provisioning);
    auto t3 = apply(t2->petition, provisioned_at(nov(25, 12)), m.directory);
    REQUIRE(t3);
    CHECK(t3->petition.state == petition_state::active);
    CHECK(t3->petition.ends_at == nov(25, 12) + days{7});
    CHECK(std::any_of(t3->effects.begin(), t3->effects.end(), [](const effect& e) {
        return e.kind == effect_kind::schedule_expiry && e.at == nov(25, 12) + days{7};
    }));
    // And it expires on time, not before
    auto early = apply(t3->petition, expire_at(dec(2, 11)), m.directory);
    REQUIRE_FALSE(early);
    CHECK(early.error().code == petition_error::not_due);
    auto t4 = apply(t3->petition, expire_at(dec(2, 12)), m.directory);
    REQUIRE(t4);
    CHECK(t4->petition.state == petition_state::expired);
    CHECK(has(t4->effects, effect_kind::release, notice::revoked, "sam"));
    CHECK(t4->petition.version == 5);
}

TEST_CASE("decisions count only from reviewers of the current step, never from the requester")
{
    auto m = company();
    auto b = make_bundle("two-step", "api-team", risk::critical);
    b.approval.require_manager = true;
    b.approval.steps.push_back(step_spec{"pair", {{reviewer_kind::team, "platform-team"}}, 2, assign_mode::broadcast});
    m.catalog = catalog({b});
    auto p = file(must_decide(m, "sam", "two-step", days{1}), {"p-9", "", ""}, nov(25)).petition;
    REQUIRE(p.route.steps.size() == 3);

    struct row {
        const char* name;
        event e;
        std::string_view code;
    };
    auto r = GENERATE(values<row>({
        {"the requester approves", approve_by("sam", nov(25)), petition_error::self_approval},
        {"the requester denies", deny_by("sam", "no", nov(25)), petition_error::self_approval},
        {"a stranger approves", approve_by("ivy", nov(25)), petition_error::not_a_reviewer},
        {"a reviewer of a later step approves early", approve_by("pat", nov(25)), petition_error::not_a_reviewer},
        {"a manager who is away approves (her delegate decides)", approve_by("mary", nov(25)), petition_error::not_a_reviewer},
        {"someone not in the directory", approve_by("U0SLACKONLY", nov(25)), petition_error::not_a_reviewer},
    }));
    INFO(r.name);
    auto t = apply(p, r.e, m.directory);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == r.code);

    SECTION("N of M: the second step needs two different platform approvals")
    {
        auto q = must_apply(p, approve_by("lee", nov(25)), m.directory);
        CHECK(q.progress.step == 1);
        q = must_apply(q, approve_by("pat", nov(25)), m.directory);
        CHECK(q.progress.step == 1);
        auto again = apply(q, approve_by("pat", nov(25)), m.directory);
        CHECK(again.error().code == petition_error::already_approved);
        auto t2 = apply(q, approve_by("quinn", nov(25)), m.directory);
        REQUIRE(t2);
        CHECK(t2->petition.progress.step == 2);
        CHECK(has(t2->effects, effect_kind::post_card, notice::submitted, "alex"));
        auto done = must_apply(t2->petition, approve_by("alex", nov(25)), m.directory);
        CHECK(done.state == petition_state::approved);
        CHECK(done.decisions.size() == 4);

        // Lee, the manager's delegate, is on the owning team too, but one person approves one step.
        auto twice = apply(t2->petition, approve_by("lee", nov(25)), m.directory);
        REQUIRE_FALSE(twice);
        CHECK(twice.error().code == petition_error::second_step);
        CHECK_THAT(twice.error().message, Catch::Contains("another reviewer approves the owner step"));
        // Denying stays open to them.
        CHECK(apply(t2->petition, deny_by("lee", "not now", nov(25)), m.directory));
    }
}

TEST_CASE("round-robin steps take one reviewer at a time, and escalation moves on")
{
    auto m = company();
    auto b = make_bundle("rr", "api-team", risk::low);
    b.approval.steps.push_back(step_spec{"rota", {{reviewer_kind::team, "platform-team"}}, 1, assign_mode::round_robin});
    m.catalog = catalog({b});
    auto t = file(must_decide(m, "sam", "rr", days{1}), {"p-r", "", ""}, nov(25));
    CHECK(has(t.effects, effect_kind::post_card, notice::submitted, "pat"));
    CHECK_FALSE(has(t.effects, effect_kind::post_card, notice::submitted, "quinn"));
    CHECK(apply(t.petition, approve_by("quinn", nov(25)), m.directory).error().code == petition_error::not_assigned);
    auto e = apply(t.petition, escalation(nov(26)), m.directory);
    REQUIRE(e);
    CHECK(has(e->effects, effect_kind::notify_person, notice::reassigned, "quinn"));
    CHECK(must_apply(e->petition, approve_by("quinn", nov(26)), m.directory).state == petition_state::approved);
}

TEST_CASE("round robin rotates across requests: each starts where the rotation is, and escalation moves on from there")
{
    auto m = company();
    auto b = make_bundle("rr", "api-team", risk::low);
    b.approval.steps.push_back(step_spec{"rota", {{reviewer_kind::team, "platform-team"}}, 1, assign_mode::round_robin});
    m.catalog = catalog({b});
    struct row {
        std::size_t seen;
        const char* first;
        const char* after_escalation;
    };
    for (const auto& r : std::vector<row>{{0, "pat", "quinn"}, {1, "quinn", "pat"}, {2, "pat", "quinn"}, {7, "quinn", "pat"}}) {
        INFO("the rotation has seen " << r.seen);
        auto route = must_decide(m, "sam", "rr", days{1});
        std::vector<std::string> asked;
        place_in_rotation(route, [&](const std::string& key) {
            asked.push_back(key);
            return r.seen;
        });
        CHECK(asked == std::vector<std::string>{"rr/rota"});
        // A resource kind's requests share one rotation, whatever the resource.
        auto customer = route;
        customer.target = "customer:123";
        customer.is_resource = true;
        CHECK(rotation_key(customer, customer.steps.at(0)) == "customer/rota");
        auto t = file(route, {"p-r", "", ""}, nov(25));
        CHECK(has(t.effects, effect_kind::post_card, notice::submitted, r.first));
        CHECK_FALSE(has(t.effects, effect_kind::post_card, notice::submitted, r.after_escalation));
        CHECK(apply(t.petition, approve_by(r.after_escalation, nov(25)), m.directory).error().code ==
              petition_error::not_assigned);
        auto e = apply(t.petition, escalation(nov(26)), m.directory);
        REQUIRE(e);
        CHECK(has(e->effects, effect_kind::notify_person, notice::reassigned, r.after_escalation));
        // Stored and read back, the rotation's place is kept.
        auto back = petition_from_json(petition_to_json(e->petition));
        REQUIRE(back.has_value());
        CHECK(must_apply(*back, approve_by(r.after_escalation, nov(26)), m.directory).state == petition_state::approved);
    }
}

TEST_CASE("deny, cancel, revoke, fail")
{
    auto m = company();
    auto p = pending_petition(m);
    SECTION("a reviewer denies, with a reason")
    {
        auto t = apply(p, deny_by("lee", "use api-staging", nov(25)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::denied);
        CHECK(t->petition.close_reason == "use api-staging");
        CHECK(has(t->effects, effect_kind::notify_person, notice::denied, "sam"));
        CHECK_FALSE(has_kind(t->effects, effect_kind::release));
    }
    SECTION("the requester cancels while pending; no one else may")
    {
        CHECK(apply(p, cancel_by("lee", nov(25)), m.directory).error().code == petition_error::not_requester);
        auto t = apply(p, cancel_by("sam", nov(25)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::cancelled);
        CHECK(has_kind(t->effects, effect_kind::update_cards));
    }
    SECTION("revoke by the requester, an owner, or the platform team; not by others")
    {
        auto a = active_petition(m);
        auto who = GENERATE(as<std::string>{}, "sam", "alex", "mary", "pat");
        auto t = apply(a, revoke_by(who, nov(26)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::revoked);
        CHECK(has(t->effects, effect_kind::release, notice::revoked, "sam"));
        CHECK(has_kind(t->effects, effect_kind::cancel_expiry));
        CHECK(apply(a, revoke_by("ivy", nov(26)), m.directory).error().code == petition_error::not_allowed_to_revoke);
        CHECK(apply(a, revoke_by("boss", nov(26)), m.directory).error().code == petition_error::not_allowed_to_revoke);
    }
    SECTION("provisioning gives up")
    {
        auto q = must_apply(must_apply(p, approve_by("alex", nov(25)), m.directory), provisioning_started(nov(25)), m.directory);
        auto t = apply(q, provisioning_failed_because("403 from provisioner", nov(25)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::failed);
        CHECK(has(t->effects, effect_kind::notify_person, notice::failed, "sam"));
        CHECK(has_kind(t->effects, effect_kind::release));
    }
}

TEST_CASE("break-glass review: the platform team looks afterwards")
{
    auto m = company();
    auto p = file(must_decide(m, "alex", "kubernetes-prod-debug", hours{2}, true), {"p-bg", "", ""}, nov(25)).petition;
    p = must_apply(must_apply(p, provisioning_started(nov(25)), m.directory), provisioned_at(nov(25)), m.directory);
    CHECK(apply(p, approve_by("alex", nov(25)), m.directory).error().code == petition_error::self_approval);
    CHECK(apply(p, approve_by("ivy", nov(25)), m.directory).error().code == petition_error::not_a_reviewer);
    SECTION("fine: reviewed, access stays")
    {
        auto t = must_apply(p, approve_by("pat", nov(25)), m.directory);
        CHECK(t.state == petition_state::active);
        CHECK_FALSE(t.review_pending);
        CHECK(apply(t, approve_by("pat", nov(25)), m.directory).error().code == petition_error::illegal_transition);
    }
    SECTION("not fine: revoked at once")
    {
        auto t = apply(p, deny_by("quinn", "not an incident", nov(25)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::revoked);
        CHECK(has_kind(t->effects, effect_kind::release));
    }
}

TEST_CASE("extensions are decided on the total, and an auto-approved one moves the end with no gap")
{
    auto m = company();
    // api-staging is low risk: up to 7 days total is automatic, 7–14 days is automatic only for api-team
    auto p = active_petition(m, "api-staging", days{3});
    REQUIRE(p.state == petition_state::active);
    const auto end = *p.ends_at;
    SECTION("auto-approved: the end moves, nothing is released")
    {
        auto r = must_decide(m, "sam", "api-staging", days{3} + days{2});
        auto t = apply(p, extension_of("sam", days{2}, r, nov(26)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.state == petition_state::active);
        CHECK(t->petition.ends_at == end + days{2});
        CHECK(t->petition.length() == days{5});
        CHECK_FALSE(has_kind(t->effects, effect_kind::release));
        CHECK(has(t->effects, effect_kind::notify_person, notice::extended, "sam"));
        // The integration is sent the live grant again with its new end.
        CHECK(has(t->effects, effect_kind::provision, notice::extended, "sam"));
        CHECK(std::any_of(t->effects.begin(), t->effects.end(), [&](const effect& e) {
            return e.kind == effect_kind::schedule_expiry && e.at == end + days{2};
        }));
        // the old expiry, when it fires, is not due
        CHECK(apply(t->petition, expire_at(end), m.directory).error().code == petition_error::not_due);
    }
    SECTION("over a bound: the owners approve the extension while access stays live")
    {
        auto r = must_decide(m, "sam", "api-staging", days{10});
        REQUIRE(r.outcome == route_outcome::needs_approval);
        auto t = apply(p, extension_of("sam", days{7}, r, nov(26)), m.directory);
        REQUIRE(t);
        CHECK(t->petition.pending_extension);
        CHECK(t->petition.ends_at == end);
        CHECK(has(t->effects, effect_kind::post_card, notice::extension_requested, "alex"));
        CHECK_FALSE(has_kind(t->effects, effect_kind::provision));
        // Unanswered, it escalates like a request: escalate_after from when it was asked for.
        REQUIRE(t->petition.pending_extension->requested_at == nov(26));
        CHECK(escalation_due(t->petition) == nov(26) + t->petition.pending_extension->route.escalate_after);
        auto escalated = apply(t->petition, escalation(nov(28)), m.directory);
        REQUIRE(escalated);
        CHECK(has(escalated->effects, effect_kind::notify_person, notice::reassigned, "sam"));
        CHECK(apply(t->petition, extension_of("sam", days{1}, r, nov(26)), m.directory).error().code ==
              petition_error::extension_pending);
        CHECK(apply(t->petition, approve_by("sam", nov(26)), m.directory).error().code == petition_error::self_approval);
        auto yes = must_apply(t->petition, approve_by("alex", nov(26)), m.directory);
        CHECK(yes.ends_at == end + days{7});
        CHECK_FALSE(yes.pending_extension);
        auto no = must_apply(t->petition, deny_by("alex", "too long", nov(26)), m.directory);
        CHECK(no.state == petition_state::active);
        // A change of policy that withdraws the waiting extension: access stays, the requester is told so.
        auto pulled = apply(t->petition, reroute_to(std::nullopt, "api-staging is deprecated", nov(27)), m.directory);
        REQUIRE(pulled);
        CHECK(pulled->petition.state == petition_state::active);
        CHECK_FALSE(pulled->petition.pending_extension);
        CHECK(pulled->petition.ends_at == end);
        CHECK(has(pulled->effects, effect_kind::notify_person, notice::extension_withdrawn, "sam"));
        CHECK_FALSE(has(pulled->effects, effect_kind::notify_person, notice::rerouted, "sam"));
        CHECK(no.ends_at == end);
        CHECK_FALSE(no.pending_extension);
        auto withdrawn = must_apply(t->petition, cancel_by("sam", nov(26)), m.directory);
        CHECK(withdrawn.state == petition_state::active);
        CHECK_FALSE(withdrawn.pending_extension);
    }
    SECTION("an extension decided on the wrong total, or by someone else, is refused")
    {
        auto wrong = must_decide(m, "sam", "api-staging", days{2});
        CHECK(apply(p, extension_of("sam", days{2}, wrong, nov(26)), m.directory).error().code == petition_error::bad_extension);
        auto right = must_decide(m, "sam", "api-staging", days{5});
        CHECK(apply(p, extension_of("alex", days{2}, right, nov(26)), m.directory).error().code == petition_error::not_requester);
    }
}

TEST_CASE("every event in every state: legal or a typed error")
{
    auto m = company();
    // One petition in each state, built through legal transitions.
    auto pending = pending_petition(m);
    auto approved = must_apply(pending, approve_by("alex", nov(25)), m.directory);
    auto provisioning = must_apply(approved, provisioning_started(nov(25)), m.directory);
    auto active = must_apply(provisioning, provisioned_at(nov(25)), m.directory);
    auto expired = must_apply(active, expire_at(dec(3)), m.directory);
    auto denied = must_apply(pending, deny_by("alex", "", nov(25)), m.directory);
    auto cancelled = must_apply(pending, cancel_by("sam", nov(25)), m.directory);
    auto revoked = must_apply(active, revoke_by("sam", nov(25)), m.directory);
    auto failed = must_apply(provisioning, provisioning_failed_because("x", nov(25)), m.directory);
    const petition* states[] = {&pending, &approved, &provisioning, &active, &expired, &denied, &cancelled, &revoked, &failed};

    auto ext = must_decide(m, "sam", "api-production", days{8});
    // The events, each with an actor who would be allowed if the state allowed the event.
    const event events[] = {
        approve_by("alex", dec(3)),      deny_by("alex", "", dec(3)),    cancel_by("sam", dec(3)),
        provisioning_started(dec(3)),    provisioned_at(dec(3)),        provisioning_failed_because("x", dec(3)),
        expire_at(dec(3)),               revoke_by("sam", dec(3)),       extension_of("sam", days{1}, ext, dec(3)),
        escalation(dec(3)),
    };
    // Rows: states in the order above; columns: events in the order above.
    const bool legal[9][10] = {
        /* pending      */ {1, 1, 1, 0, 0, 0, 0, 0, 0, 1},
        /* approved     */ {0, 0, 0, 1, 0, 0, 0, 1, 0, 0},
        /* provisioning */ {0, 0, 0, 0, 1, 1, 0, 1, 0, 0},
        /* active       */ {0, 0, 0, 0, 0, 0, 1, 1, 1, 0},
        /* expired      */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        /* denied       */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        /* cancelled    */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        /* revoked      */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        /* failed       */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    auto s = GENERATE(range(0, 9));
    auto e = GENERATE(range(0, 10));
    const auto& p = *states[s];
    const auto& ev = events[e];
    INFO(name(p.state) << " + " << name(ev.kind));
    auto t = apply(p, ev, m.directory);
    CHECK(static_cast<bool>(t) == legal[s][e]);
    if (t) {
        CHECK(t->petition.version == p.version + 1);
    } else {
        CHECK(t.error().code == petition_error::illegal_transition);
        CHECK_FALSE(t.error().message.empty());
    }
}

TEST_CASE("escalation past escalate_after: the next manager up, or the platform team, joins a broadcast step")
{
    auto m = company();
    SECTION("a manager step: Mary is away, so Lee (her delegate) was asked; Dana, next up, joins")
    {
        auto b = make_bundle("mgr", "api-team", risk::low);
        b.approval.require_manager = true;
        m.catalog = catalog({b});
        auto t = file(must_decide(m, "sam", "mgr", days{1}), {"p-m", "", ""}, nov(25));
        REQUIRE(t.petition.route.steps.at(0).kind == step_kind::manager);
        REQUIRE(t.petition.route.steps.at(0).reviewers.size() == 1);
        CHECK(t.petition.route.steps.at(0).reviewers.at(0).person_id == "lee");
        REQUIRE(escalation_due(t.petition));
        CHECK(*escalation_due(t.petition) == nov(25) + t.petition.route.escalate_after);

        auto e = apply(t.petition, escalation(nov(26)), m.directory);
        REQUIRE(e);
        const auto& s = e->petition.route.steps.at(0);
        REQUIRE(s.reviewers.size() == 2);
        CHECK(s.reviewers.at(1).person_id == "boss");
        CHECK_THAT(s.reviewers.at(1).reason, Catch::Contains("next manager up for Sam Support"));
        CHECK(s.escalated == "No answer within 1 day, so Dana Boss was asked too");
        CHECK(has(e->effects, effect_kind::post_card, notice::submitted, "boss"));
        CHECK(has(e->effects, effect_kind::notify_person, notice::reassigned, "sam"));
        CHECK(has(e->effects, effect_kind::update_cards, notice::submitted));
        // Dana may now decide; a second escalation finds no one further up and reminds instead.
        CHECK(must_apply(e->petition, approve_by("boss", nov(26)), m.directory).state == petition_state::approved);
        auto again = apply(e->petition, escalation(nov(27)), m.directory);
        REQUIRE(again);
        CHECK(again->petition.route.steps.at(0).reviewers.size() == 2);
        CHECK(has(again->effects, effect_kind::notify_person, notice::reminder, "boss"));
    }
    SECTION("an owner step: the platform team joins, once")
    {
        auto p = file(must_decide(m, "sam", "api-production", days{7}), {"p-o", "", ""}, nov(25)).petition;
        auto e = apply(p, escalation(nov(26)), m.directory);
        REQUIRE(e);
        const auto& s = e->petition.route.steps.at(0);
        CHECK(s.has_reviewer("pat"));
        CHECK(s.has_reviewer("quinn"));
        CHECK(has(e->effects, effect_kind::post_card, notice::submitted, "pat"));
        CHECK(has(e->effects, effect_kind::notify_person, notice::reassigned, "sam"));
        auto again = apply(e->petition, escalation(nov(27)), m.directory);
        REQUIRE(again);
        CHECK(again->petition.route.steps.at(0).reviewers.size() == s.reviewers.size());
    }
    SECTION("nothing pending, nothing to escalate")
    {
        auto p = file(must_decide(m, "sam", "api-production", days{7}), {"p-o", "", ""}, nov(25)).petition;
        auto cancelled = must_apply(p, cancel_by("sam", nov(25)), m.directory);
        CHECK_FALSE(escalation_due(cancelled));
    }
}

TEST_CASE("the 'access ends soon' reminder goes out before the end, never in the first half of the access")
{
    struct row {
        const char* what;
        hours length;
        hours before;
        hours reminded_after_start;
    };
    const row rows[] = {
        {"7 days, 24h before: a day before the end", hours{7 * 24}, hours{24}, hours{6 * 24}},
        {"2 days, 24h before: exactly halfway", hours{48}, hours{24}, hours{24}},
        {"1 day, 24h before: halfway, not at the start", hours{24}, hours{24}, hours{12}},
        {"4 hours, 24h before: halfway", hours{4}, hours{24}, hours{2}},
        {"30 days, 1h before", hours{30 * 24}, hours{1}, hours{30 * 24 - 1}},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto start = nov(25);
        CHECK(expiry_reminder_at(start, start + r.length, r.before) == start + r.reminded_after_start);
    }
}

TEST_CASE("a notice of a state is dropped once the request has moved on - a notice of a fact always holds")
{
    auto m = company();
    const auto pending = pending_petition(m);
    const auto active = active_petition(m);
    const auto revoked = must_apply(active, revoke_by("sam", nov(26)), m.directory);
    auto extending = active;
    extending.pending_extension = extension{days{1}, "more time", active.route, {}};

    struct row {
        notice what;
        const petition* p;
        bool holds;
    };
    const row rows[] = {
        {notice::submitted, &pending, true},
        {notice::submitted, &active, false}, // "waiting for approval" after it was approved
        {notice::submitted, &revoked, false},
        {notice::step_approved, &pending, true},
        {notice::step_approved, &extending, true},
        {notice::step_approved, &active, false},
        {notice::reassigned, &revoked, false},
        {notice::extension_requested, &extending, true},
        {notice::extension_requested, &active, false},
        {notice::active, &active, true},
        {notice::active, &revoked, false}, // "is active until …" after "was revoked"
        {notice::expiring, &revoked, false},
        {notice::approved, &revoked, true},
        {notice::auto_approved, &active, true},
        {notice::denied, &revoked, true},
        {notice::revoked, &revoked, true},
        {notice::extended, &active, true},
        {notice::extension_denied, &active, true},
        {notice::revoke_failed, &revoked, true},
    };
    for (const auto& r : rows) {
        INFO(static_cast<int>(r.what) << " while " << name(r.p->state));
        CHECK(notice_holds(r.what, *r.p) == r.holds);
    }
}

TEST_CASE("who reads a request's private words: whom it concerns and who decided it - others read the public log")
{
    const auto m = company();
    auto p = pending_petition(m);
    const auto owner = p.route.steps.at(0).reviewers.at(0).person_id;
    struct row {
        std::string person;
        bool reads;
    };
    const std::vector<row> rows{{"sam", true}, {owner, true}, {"kofi", false}, {"", false}};
    for (const auto& [person, reads] : rows) {
        INFO(person);
        CHECK(may_read_private(p, person) == reads);
    }
    // A reviewer who decided keeps reading it after a re-route drops them from the steps.
    p = must_apply(p, deny_by(owner, "use staging", nov(25, 11)), m.directory);
    p.route.steps.clear();
    CHECK(may_read_private(p, owner));
    CHECK_FALSE(may_read_private(p, "kofi"));

    auto shown = public_view(p);
    CHECK(shown.reason.empty());
    CHECK(shown.ticket.empty());
    CHECK(shown.close_reason.empty());
    for (const auto& d : shown.decisions)
        CHECK(d.reason.empty());
    // Who, what, when and the state stay.
    CHECK(shown.id == p.id);
    CHECK(shown.requester() == "sam");
    CHECK(shown.entitlement() == p.entitlement());
    CHECK(shown.state == petition_state::denied);
    CHECK(shown.created_at == p.created_at);
    CHECK(shown.decisions.size() == p.decisions.size());
}
