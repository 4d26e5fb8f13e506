#pragma once

#include "bot/api/api_json.hpp"
#include "tests/blocks/scenario.hpp"
#include "workflow/duration.hpp"

#include <boost/json/object.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace checkpoint::test {

// Petitions as the server sends them: decided by workflow on the example manifests (manifests/), moved
// through the state machine, and rendered by the API's own petition_json, as api_router does. The scenario
// happens on 25 Nov 2026 from 10:00 UTC (blocks::test::nov), so no date here depends on the calendar.

namespace scenario = checkpoint::blocks::test;

// The API's JSON for `p`; `display_name` is the resource store's name for a resource petition.
inline boost::json::object api_petition(const workflow::petition& p, const std::string& display_name = {})
{
    const auto& m = scenario::example();
    if (p.route.is_resource)
        return bot::api::petition_json(p, m.directory, display_name);
    return bot::api::petition_json(p, m.directory, {}, m.catalog.find(p.route.target));
}

inline workflow::duration days(int n) { return std::chrono::days{n}; }

// Lee Lin (api-team) asks for api-production for a day: auto-approved on the owning team, then granted.
inline workflow::petition auto_active()
{
    auto p = scenario::filed("p-1kmv7a0k27f3ah", scenario::decided("u-2001", "api-production", "1d"),
                             "debugging latency spike");
    p = scenario::after(p, workflow::provisioning_started(scenario::nov(25, 10, 0)));
    return scenario::after(p, workflow::provisioned_at(scenario::nov(25, 10, 1)));
}

inline boost::json::object petition_auto_active() { return api_petition(auto_active()); }

// The same access with a day's extension asked for, which api-team must approve.
inline workflow::petition extension_waiting()
{
    const auto at = scenario::nov(25, 15);
    auto route = workflow::decide(scenario::example(), {"u-2001", "api-production", days(2), false, days(1)}, at);
    if (!route)
        FAIL(route.error().message);
    return scenario::after(auto_active(), workflow::extension_of("u-2001", days(1), *route, at, "still debugging"));
}

// Sam Support asks for api-production-admin: their manager approves first, then a system owner, then api-team.
inline workflow::petition pending()
{
    return scenario::filed("p-1kmv7b3q91c2rx", scenario::decided("u-6001", "api-production-admin", "1d"),
                           "debugging latency spike", "PROJ-1234");
}

inline boost::json::object petition_pending() { return api_petition(pending()); }

// The first step approved by the manager (Carla Soto).
inline workflow::petition second_step()
{
    return scenario::after(pending(), workflow::approve_by("u-6000", scenario::nov(25, 10, 5)));
}

inline boost::json::object petition_second_step() { return api_petition(second_step()); }

inline boost::json::object petition_denied()
{
    return api_petition(
        scenario::after(second_step(), workflow::deny_by("u-5000", "use the read replica instead", scenario::nov(25, 10, 20))));
}

inline boost::json::object petition_granted_after_approval()
{
    auto p = scenario::after(second_step(), workflow::approve_by("u-5000", scenario::nov(25, 10, 20)));
    p = scenario::after(p, workflow::approve_by("u-2002", scenario::nov(25, 10, 20)));
    p = scenario::after(p, workflow::provisioning_started(scenario::nov(25, 10, 20)));
    return api_petition(scenario::after(p, workflow::provisioned_at(scenario::nov(25, 10, 21))));
}

// Sam Support asks for customer 123 (Acme Corp); a support lead approves and the grant is being set up.
inline boost::json::object petition_customer_provisioning()
{
    auto p = scenario::filed("p-1kmv7c8d0b00bk", scenario::decided("u-6001", "customer:123", "4h"),
                             "BUG-482: checkout fails for Acme", "BUG-482");
    p = scenario::after(p, workflow::approve_by("u-6002", scenario::nov(25, 10, 5)));
    return api_petition(scenario::after(p, workflow::provisioning_started(scenario::nov(25, 10, 5))), "Acme Corp");
}

// Alex Chen, on call for production, takes kubernetes-prod-debug by break-glass: granted at once, reviewed after.
inline boost::json::object petition_break_glass()
{
    auto p = scenario::filed("p-1kmv7d2f4b6g7k", scenario::decided("u-2002", "kubernetes-prod-debug", "", true),
                             "SEV1: pods crash-looping in checkout", "INC-7");
    p = scenario::after(p, workflow::provisioning_started(scenario::nov(25, 10, 0)));
    return api_petition(scenario::after(p, workflow::provisioned_at(scenario::nov(25, 10, 1))));
}

} // namespace checkpoint::test
