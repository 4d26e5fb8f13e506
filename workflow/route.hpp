#pragma once

#include "workflow/approval_matrix.hpp"
#include "workflow/approval_policy.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/manifests.hpp"

#include <functional>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// Why a step exists.
enum class step_kind {
    manager,            // the requester's manager (or delegate, or someone up the chain)
    bundle,             // an extra step the bundle names
    owner,              // the owning team, as the matrix says
    platform,           // the platform team, as the matrix says
    break_glass_review, // after the fact: the platform team reviews a break-glass grant
};

constexpr std::string_view name(step_kind k)
{
    switch (k) {
    case step_kind::manager: return "manager";
    case step_kind::bundle: return "bundle";
    case step_kind::owner: return "owner";
    case step_kind::platform: return "platform";
    case step_kind::break_glass_review: return "break_glass_review";
    }
    return "bundle";
}

struct reviewer {
    // The directory id.
    std::string person_id;
    std::string name;
    // The card's line: "Mary Major: Sam Support's manager".
    std::string reason;
};

struct route_step {
    step_kind kind = step_kind::owner;
    std::string name;
    std::vector<reviewer> reviewers;
    // N of the reviewers must approve.
    std::size_t min_approvals = 1;
    assign_mode assign = assign_mode::broadcast;
    // Where the card is posted; empty means direct messages to the reviewers only.
    std::vector<std::string> channels;
    // Set when the platform team stands in for reviewers who could not be found, saying why.
    std::string fallback;
    // Set when nobody answered within escalate_after and others were asked too, saying who and why.
    std::string escalated;
    // A round-robin step's first assignee (an index into reviewers): the rotation's place when the request
    // was filed, so the work spreads across requests. Escalation moves on from it.
    std::size_t start = 0;

    bool has_reviewer(std::string_view person_id) const;
    // The reviewer a round-robin step is assigned to after `moved_on` escalations. Needs reviewers.
    const reviewer& assignee(std::size_t moved_on) const;
};


enum class route_outcome {
    auto_approved,  // no one needs to approve
    needs_approval, // the steps decide, in order
    break_glass,    // granted at once; the review step comes after
    override_grant, // granted at once by an admin outside the approval flow (`checkpoint grant`): an exception
};
inline constexpr int route_outcome_count = 4;

constexpr std::string_view name(route_outcome o)
{
    switch (o) {
    case route_outcome::auto_approved: return "auto_approved";
    case route_outcome::needs_approval: return "needs_approval";
    case route_outcome::break_glass: return "break_glass";
    case route_outcome::override_grant: return "override";
    }
    return "needs_approval";
}

// What would happen to a request, and why: the decision, before anything is filed.
struct route {
    route_outcome outcome = route_outcome::needs_approval;
    std::string requester_id;
    std::string requester_name;
    // What was asked for: a bundle name, or `kind:id` for a resource; also the entitlement key.
    std::string target;
    bool is_resource = false;
    // A resource's display name as uploaded or synced ("Acme Corp"), set when the request is filed; empty
    // for bundles and for resources without one.
    std::string target_name{};
    std::string owner_team;
    std::string platform_team;
    risk level = risk::low;
    duration length{};
    // The matrix cell, and the rule that actually applied after the bundle's own rules.
    approval_rule cell = approval_rule::owner;
    approval_rule applied = approval_rule::owner;
    // The decision in one sentence: "Auto-approved: Sam Support is on api-team, which owns …".
    std::string rule_reason;
    // Anything else worth saying (a capped duration, a deprecated successor, …).
    std::vector<std::string> notes;
    std::vector<route_step> steps;
    // Channels told at once (the security channel for break-glass).
    std::vector<std::string> notify_channels;
    std::string integration;
    duration pending_after{};
    duration escalate_after{};
    duration expiring_before{};
};

// The key under which a round-robin step's rotation is kept: the bundle (or a resource's kind) and the
// step's name.
std::string rotation_key(const route& r, const route_step& s);

// Sets each round-robin step's start from `rotation`, the number of requests that step has seen (its
// reviewers taken in turn).
void place_in_rotation(route& r, const std::function<std::size_t(const std::string& key)>& rotation);

struct request_input {
    // A person reference: id, external id or email.
    std::string requester;
    // A bundle name, or `kind:id` for a resource.
    std::string target;
    // Empty means the bundle's default (or the break-glass maximum).
    std::optional<duration> length;
    bool break_glass = false;
    // For an extension: the length already granted, included in `length` (the total). Only changes
    // what a refusal for length says.
    duration extending{};
    // A manual override: the person (id) who grants it outside the approval flow. No steps; refused when it
    // is the requester, or not a person in the directory.
    std::string override_by{};
};

// Error codes of decide(); the message says it for people.
namespace route_error {
constexpr std::string_view unknown_person = "unknown_person";
constexpr std::string_view unknown_bundle = "unknown_bundle";
constexpr std::string_view unknown_resource_kind = "unknown_resource_kind";
constexpr std::string_view deprecated = "deprecated";
constexpr std::string_view too_long = "too_long";
constexpr std::string_view break_glass_not_allowed = "break_glass_not_allowed";
constexpr std::string_view break_glass_not_permitted = "break_glass_not_permitted";
constexpr std::string_view no_reviewers = "no_reviewers";
constexpr std::string_view override_for_self = "override_for_self";
} // namespace route_error

// The route a request would take at `now`: pure; files nothing. `away`, when given, is laid over the
// directory's out-of-office entries (see away_overlay).
result<route> decide(const manifests& m, const request_input& in, time_point now,
                     const away_overlay* away = nullptr);

// The same decision, for `/checkpoint explain` and the API.
result<route> explain(const manifests& m, std::string_view person, std::string_view target,
                      std::optional<duration> length, time_point now, const away_overlay* away = nullptr);

// The route in lines a person reads: the decision, then each step with its reviewers and reasons.
std::vector<std::string> describe(const route& r);

// Why person `p` is among `who` (break-glass's who, the auditors) at `now`: "Kofi Mensah is in group sre", "… is on
// call for production", "… is named in <where>"; nothing when they are not.
std::optional<std::string> named_in(std::span<const reviewer_spec> who, std::string_view where, const directory& dir,
                                    person_index p, time_point now);

} // namespace checkpoint::workflow
