#pragma once

#include "app/access_service.hpp"
#include "app/live_manifests.hpp"
#include "workflow/audit_log.hpp"
#include "workflow/directory_store.hpp"
#include "workflow/error.hpp"
#include "workflow/origin.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/policy_change.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>
#include <vector>

namespace checkpoint::app {

// A reload that took effect (or found nothing new).
struct reload_result {
    manifests_version previous;
    manifests_version version;
    // False when the files are what is in force already: nothing was swapped, re-routed or audited.
    bool changed = false;
    workflow::manifests_diff diff;
    // The waiting requests re-routed or withdrawn, as planned and applied.
    std::vector<workflow::waiting_preview> rerouted;
    // Access revoked because its holder left the directory.
    std::vector<workflow::departure> ended;
    // Requests whose re-routing could not be stored ("p-…: why"); they keep their route until the next reload.
    std::vector<std::string> failures;
};

// Puts `next` (validated) in force, atomically, and audits it ("manifests.reloaded", with the version and the
// diff); then re-routes the requests waiting for approval by workflow::plan_reroute, each through the state
// machine with its own audit event and jobs. Refused, with the old manifests kept, when integrations changed:
// they are built once at start. With a `journal`, the people it takes out of the directory are noted first, so a
// start after a stop ends their access (directory_sync::load).
workflow::result<reload_result> reload_manifests(live_manifests& live, workflow::manifests next, manifests_version version,
                                                 access_service& access, workflow::petition_store& petitions,
                                                 workflow::audit_log& audit, const std::string& by,
                                                 const workflow::origin& via, workflow::time_point now,
                                                 workflow::directory_store* journal = nullptr);

// What a change of the manifests in force does to the requests, once `live` holds the next version and `before`
// the previous: the waiting ones re-routed by workflow::plan_reroute, the access of people who left the directory
// revoked (workflow::plan_departures), each through the state machine with its own audit event and jobs. `audit`
// (when set) runs once the plan is known (how many it re-routes and ends), before any of it is applied: the change's own
// audit record comes first. Fills `out`'s rerouted, ended and failures. Call it with live.changing() held.
void follow_change(const live_manifests& live, const workflow::manifests& before, access_service& access,
                   workflow::petition_store& petitions, const std::string& reason, const workflow::origin& via,
                   workflow::time_point now, reload_result& out,
                   const std::function<void(std::size_t rerouted, std::size_t ended)>& audit = {});

// How far back a preview replays by default, and how many requests at most (the newest).
inline constexpr workflow::duration preview_window = std::chrono::hours{24 * 90};
inline constexpr std::size_t preview_cap = 20'000;

// `checkpoint policy diff`: the stored requests of the last `since` replayed under `next` against `current` (the
// manifests in force, as the caller pinned them), and the waiting requests that would re-route. Reads only.
workflow::result<workflow::policy_preview> preview_policy(const workflow::manifests& current, const workflow::manifests& next,
                                                          access_service& access, workflow::petition_store& petitions,
                                                          workflow::duration since, workflow::time_point now);

// The requests of `people` that hold access now (approved, provisioning or active).
workflow::result<std::vector<workflow::petition>> holding_requests(workflow::petition_store& petitions,
                                                                   const std::vector<std::string>& people);

// JSON of what changed, for the audit record and the API.
boost::json::object diff_json(const workflow::manifests_diff& d);

} // namespace checkpoint::app
