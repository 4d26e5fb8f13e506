#include "fixture.hpp"
#include "workflow/grant_ledger.hpp"
#include "workflow/petition.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// Every edge the lifecycle allows; anything else is an illegal state change.
bool allowed_edge(petition_state from, petition_state to)
{
    using enum petition_state;
    if (from == to)
        return from == pending || from == active || from == approved || from == provisioning;
    switch (from) {
    case pending: return to == approved || to == denied || to == cancelled;
    case approved: return to == provisioning || to == revoked;
    case provisioning: return to == active || to == failed || to == revoked;
    case active: return to == expired || to == revoked;
    default: return false;
    }
}

bool holds_access(petition_state s)
{
    return s == petition_state::approved || s == petition_state::provisioning || s == petition_state::active;
}

// A tiny world: the petitions, the ledger, and what the integration has actually granted.
struct world {
    manifests m = company();
    time_point now = nov(25);
    std::vector<petition> petitions;
    grant_ledger ledger;
    std::map<std::string, bool> granted;
    std::size_t applied = 0;
    std::size_t refused = 0;

    void carry_out(const petition& p, const std::vector<effect>& effects)
    {
        const auto key = p.requester() + "/" + p.entitlement();
        for (const auto& e : effects) {
            switch (e.kind) {
            case effect_kind::provision:
                ledger.hold(p.requester(), p.entitlement(), p.id, p.ends_at.value_or(now + p.length()));
                granted[key] = true;
                break;
            case effect_kind::release:
                if (ledger.release(p.requester(), p.entitlement(), p.id))
                    granted[key] = false;
                break;
            case effect_kind::schedule_expiry:
                ledger.hold(p.requester(), p.entitlement(), p.id, e.at);
                break;
            default:
                break;
            }
        }
    }

    void check_invariants() const
    {
        std::map<std::string, std::size_t> holding;
        for (const auto& p : petitions) {
            INFO(p.id << " " << name(p.state));
            if (p.state == petition_state::pending)
                REQUIRE(p.progress.step < p.route.steps.size());
            // Separation of duties: nobody's approval counts for two steps of one request.
            for (const auto& d : p.decisions)
                for (const auto& other : p.decisions)
                    if (d.approved && other.approved && d.by == other.by && !d.step.starts_with("extension: ") &&
                        !other.step.starts_with("extension: "))
                        REQUIRE(d.step == other.step);
            if (p.state == petition_state::active) {
                REQUIRE(p.ends_at);
                REQUIRE(p.active_since);
                REQUIRE(*p.ends_at == *p.active_since + p.length());
                // Access another grant covers, or this one, is never taken away while active.
                REQUIRE(granted.at(p.requester() + "/" + p.entitlement()));
            }
            if (p.pending_extension)
                REQUIRE(p.state == petition_state::active);
            if (holds_access(p.state))
                ++holding[p.requester() + "/" + p.entitlement()];
        }
        for (const auto& [key, on] : granted) {
            auto slash = key.find('/');
            auto count = holding.count(key) ? holding.at(key) : 0;
            INFO(key);
            REQUIRE(ledger.holders(key.substr(0, slash), key.substr(slash + 1)) == count);
            if (count == 0)
                REQUIRE_FALSE(on);
        }
    }
};

} // namespace

TEST_CASE("random event sequences never reach an illegal state or revoke covered access")
{
    const auto seed = GENERATE(range(1u, 41u));
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    INFO("seed " << seed);

    world w;
    const std::vector<std::string> people{"sam", "alex", "lee", "mary", "pat", "quinn", "boss", "ivy", "mia"};
    const std::vector<std::string> bundles{"api-production", "api-staging"};
    const std::vector<duration> lengths{hours{4}, days{1}, days{3}, days{7}, days{10}, days{20}};

    for (int step = 0; step < 400; ++step) {
        w.now += minutes{static_cast<int>(pick(6 * 60))};
        // Sometimes file a new petition (sam, or an owner, for one of two bundles).
        if (w.petitions.empty() || pick(6) == 0) {
            auto requester = pick(3) == 0 ? std::string("alex") : std::string("sam");
            auto r = decide(w.m, {requester, bundles[pick(bundles.size())], lengths[pick(4)], false}, w.now);
            REQUIRE(r);
            auto t = file(*r, {"p-" + std::to_string(w.petitions.size()), "", ""}, w.now);
            w.carry_out(t.petition, t.effects);
            w.petitions.push_back(t.petition);
            w.check_invariants();
            continue;
        }
        // Mostly poke petitions that are still alive; sometimes a finished one, which must refuse.
        std::vector<std::size_t> live;
        for (std::size_t i = 0; i < w.petitions.size(); ++i)
            if (!is_terminal(w.petitions[i].state))
                live.push_back(i);
        auto& p = w.petitions[live.empty() || pick(5) == 0 ? pick(w.petitions.size()) : live[pick(live.size())]];
        event e;
        switch (pick(10)) {
        case 0: e = approve_by(people[pick(people.size())], w.now); break;
        case 1: e = deny_by(people[pick(people.size())], "", w.now); break;
        case 2: e = cancel_by(pick(2) ? p.requester() : people[pick(people.size())], w.now); break;
        case 3: e = provisioning_started(w.now); break;
        case 4: e = provisioned_at(w.now); break;
        case 5: e = pick(4) ? provisioned_at(w.now) : provisioning_failed_because("boom", w.now); break;
        case 6: e = expire_at(pick(2) && p.ends_at ? *p.ends_at : w.now); break;
        case 7: e = revoke_by(pick(2) ? p.requester() : people[pick(people.size())], w.now); break;
        case 8: {
            auto added = lengths[pick(3)];
            auto r = decide(w.m, {p.requester(), p.entitlement(), p.length() + added, false}, w.now);
            if (!r) {
                CHECK(r.error().code == route_error::too_long);
                continue;
            }
            e = extension_of(pick(5) ? p.requester() : people[pick(people.size())], added, *r, w.now);
            break;
        }
        default: {
            // Approve as a reviewer of whatever step is current, the common case in real life.
            const route* rt = p.pending_extension ? &p.pending_extension->route : &p.route;
            std::size_t k = p.pending_extension ? p.pending_extension->progress.step : p.progress.step;
            if (k < rt->steps.size() && !rt->steps[k].reviewers.empty())
                e = approve_by(rt->steps[k].reviewers[pick(rt->steps[k].reviewers.size())].person_id, w.now);
            else
                e = escalation(w.now);
        }
        }
        const auto before = p.state;
        auto t = apply(p, e, w.m.directory);
        if (!t) {
            ++w.refused;
            CHECK_FALSE(t.error().code.empty());
            continue;
        }
        ++w.applied;
        REQUIRE(allowed_edge(before, t->petition.state));
        REQUIRE(t->petition.version == p.version + 1);
        REQUIRE_FALSE(is_terminal(before));
        p = t->petition;
        w.carry_out(p, t->effects);
        w.check_invariants();
    }
    CHECK(w.applied > 40);
    CHECK(w.refused > 50);
}
