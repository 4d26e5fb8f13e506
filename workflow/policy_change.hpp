#pragma once

#include "workflow/clock.hpp"
#include "workflow/manifests.hpp"
#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// What changed from one version of the manifests to the next: what a reload audits and a preview prints.
struct field_change {
    // "owner_team", "durations.max", "approval.steps", …
    std::string field;
    std::string before;
    std::string after;
};

struct bundle_change {
    std::string bundle;
    std::vector<field_change> fields;
};

// A person who moved team or manager (or both); `*_before` equals `*_after` for what did not change.
struct person_move {
    std::string id;
    std::string name;
    std::string team_before, team_after;
    std::string manager_before, manager_after;
};

struct manifests_diff {
    std::vector<std::string> bundles_added;
    std::vector<std::string> bundles_removed;
    std::vector<bundle_change> bundles_changed;
    std::vector<std::string> people_added;
    std::vector<std::string> people_removed;
    std::vector<person_move> people_moved;
    // checkpoint.yaml's sections that changed: "matrix", "platform_team", "integrations", "resources", …
    std::vector<field_change> settings_changed;
    // Groups and on-call rotations whose members changed, by name.
    std::vector<std::string> groups_changed;
    // What binds a Slack account or a login to a person, changed: field "u-4002 email", "u-4002 slack_id", …
    std::vector<field_change> identities_changed;

    bool empty() const;
    // "2 bundles changed (api-production: owner_team), 1 person moved", or "no change".
    std::string summary() const;
};

manifests_diff diff_manifests(const manifests& before, const manifests& after);

// What a change of manifests (`current` to `next`) does to a request waiting for approval (or an extension
// waiting): the rule the README states (Operations). The steps it has not passed yet are decided again under
// `next` and matched to the old by kind (a bundle's own steps by name); a step takes the new reviewers only when
// `next` asks other people than `current` would now, so only the manifests' change moves it. A step the new
// route lacks stays as it was: a reload never approves anything or adds a step. A request that could no longer
// be filed at all (the requester left the directory, the bundle or resource kind is gone or deprecated) is
// withdrawn.
struct reroute_plan {
    enum class outcome { kept, rerouted, withdrawn };
    outcome what = outcome::kept;
    bool extension = false;
    // The step it waits on, and who it waits on there before and after.
    std::size_t step = 0;
    std::string step_name;
    std::vector<std::string> waiting_before;
    std::vector<std::string> waiting_after;
    // Why it is withdrawn, or kept when the new manifests refuse it for a lesser reason (a shorter maximum).
    std::string reason;
    // The event to apply; set for rerouted and withdrawn.
    std::optional<event> change;
};

std::string_view name(reroute_plan::outcome o);

reroute_plan plan_reroute(const petition& p, const manifests& current, const manifests& next, time_point now,
                          const away_overlay* away = nullptr);

// Replays stored requests under two versions of the manifests (each decided again at the moment it was
// filed), and plans the re-routing of those waiting now: `checkpoint policy diff`.
struct decision_shift {
    // "owner → auto", "platform → refused"
    std::string from;
    std::string to;
    std::size_t count = 0;
};

struct target_preview {
    // A bundle name, or a resource kind as `kind:*`.
    std::string target;
    std::size_t replayed = 0;
    // Decisions (auto, owner, platform, manager, refused) that would differ.
    std::size_t decisions_changed = 0;
    std::vector<decision_shift> shifts;
    // Requests whose reviewers would differ, and the people who would be asked or no longer asked.
    std::size_t reviewers_changed = 0;
    std::vector<std::string> reviewers_added;
    std::vector<std::string> reviewers_removed;
};

struct waiting_preview {
    std::string petition_id;
    std::string requester;
    std::string target;
    reroute_plan plan;
};

// Access held by someone the next directory no longer has (deactivated by SCIM or an import, or removed from the
// manifests): it ends when the change applies, revoked by "checkpoint" with the reason.
struct departure {
    std::string petition_id;
    std::string requester;
    std::string target;
    event change;
};

// `holding`: requests that hold access now (approved, provisioning or active).
std::vector<departure> plan_departures(std::span<const petition> holding, const manifests& next, time_point now);

struct policy_preview {
    std::size_t replayed = 0;
    std::size_t decisions_changed = 0;
    std::size_t reviewers_changed = 0;
    // Only targets where something would change, by name.
    std::vector<target_preview> targets;
    // Requests waiting now that would be re-routed or withdrawn.
    std::vector<waiting_preview> waiting;
    // Access that would end because its holder leaves the directory.
    std::vector<departure> departures;
    manifests_diff diff;
};

// `history`: requests filed in the window; `waiting`: those waiting for approval (or with an extension
// waiting) now; `holding`: those holding access now. Manual overrides are not replayed: no policy decided them.
policy_preview preview_policy(const manifests& current, const manifests& next, std::span<const petition> history,
                              std::span<const petition> waiting, time_point now, const away_overlay* away = nullptr,
                              std::span<const petition> holding = {});

// The decision in one word: "auto", "owner", "platform", "manager", "break-glass", or "refused".
std::string decision_word(const result<route>& r);

} // namespace checkpoint::workflow
