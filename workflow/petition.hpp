#pragma once

#include "workflow/clock.hpp"
#include "workflow/directory.hpp"
#include "workflow/duration.hpp"
#include "workflow/error.hpp"
#include "workflow/origin.hpp"
#include "workflow/route.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

enum class petition_state {
    pending,      // waiting on the reviewers of step `step`
    approved,     // every step approved; provisioning not started
    provisioning, // the integration is granting access
    active,       // access is live until `ends_at`
    expired,      // access ended on schedule
    denied,       // a reviewer said no
    cancelled,    // the requester withdrew it while pending
    revoked,      // access ended early
    failed,       // provisioning gave up
};

constexpr std::string_view name(petition_state s)
{
    switch (s) {
    case petition_state::pending: return "pending";
    case petition_state::approved: return "approved";
    case petition_state::provisioning: return "provisioning";
    case petition_state::active: return "active";
    case petition_state::expired: return "expired";
    case petition_state::denied: return "denied";
    case petition_state::cancelled: return "cancelled";
    case petition_state::revoked: return "revoked";
    case petition_state::failed: return "failed";
    }
    return "pending";
}

constexpr bool is_terminal(petition_state s)
{
    return s == petition_state::expired || s == petition_state::denied || s == petition_state::cancelled ||
           s == petition_state::revoked || s == petition_state::failed;
}

// No final answer yet: waiting for approval, or approved and being set up. A long poll waits on.
constexpr bool is_waiting(petition_state s)
{
    return s == petition_state::pending || s == petition_state::approved || s == petition_state::provisioning;
}

// Progress through a route's steps; a petition has one, and so has a pending extension.
struct approval_progress {
    std::size_t step = 0;
    // Person ids who approved the current step.
    std::vector<std::string> approvals;
    // The reviewer a round-robin step is assigned to.
    std::size_t assigned = 0;
};

struct extension {
    duration added{};
    std::string reason;
    // Decided on the total duration (what is left of the grant does not count: the total does).
    workflow::route route;
    approval_progress progress;
    // When it was asked for: its first step's escalation counts from here, and its cards are new
    // messages (copies posted before belong to an earlier round). Unset in bodies written before it.
    time_point requested_at{};
};

struct decision_record {
    std::string by;
    // The step's name; "extension: <name>" for a step of an extension's route.
    std::string step;
    bool approved = false;
    time_point at;
    // What the reviewer said (a denial's reason).
    std::string reason;
    // Set when the reviewer approved for less than was asked: the duration they granted.
    std::optional<duration> granted{};
};

struct petition {
    std::string id;
    workflow::route route;
    std::string reason;
    std::string ticket;
    petition_state state = petition_state::pending;
    approval_progress progress;
    time_point created_at;
    // Set once access is live; the clock starts then, not at approval.
    std::optional<time_point> active_since;
    std::optional<time_point> ends_at;
    std::optional<workflow::extension> pending_extension;
    // Break-glass grants stay open for review until someone on the review team looks.
    bool review_pending = false;
    std::vector<decision_record> decisions;
    // Who ended it, and why (denial reason, revocation, failure).
    std::string closed_by;
    std::string close_reason;
    // Who filed it for the requester ("token:<id>"), when the requester did not; that caller may read it.
    std::string filed_by;
    // Bumped by every transition; the store's compare-and-set key.
    std::uint64_t version = 0;
    // Set when a reviewer approved for less than was asked: what the requester asked for (route.length is
    // what was granted).
    std::optional<duration> asked_length{};

    const std::string& requester() const { return route.requester_id; }
    const std::string& entitlement() const { return route.target; }
    duration length() const { return route.length; }
};

// What an outer layer must do after a transition; plain data, carried out by jobs.
enum class effect_kind {
    notify_person,     // DM `to` (a person id) about `what`
    notify_channel,    // post `what` in channel `to`
    post_card,         // post the approval card for step `step` to `to` (a channel or a person id)
    update_cards,      // re-render every card already posted for this petition
    provision,         // grant `entitlement` to the requester through the route's integration; with notice
                       // `extended`, send the live grant again with its new end (an approved extension)
    release,           // this petition no longer covers the entitlement; ask the grant ledger whether to revoke
    schedule_expiry,   // run `expire` at `at` (replaces any earlier schedule)
    cancel_expiry,     // drop the scheduled expiry
    schedule_reminder, // remind the reviewers of step `step` at `at`
};

enum class notice {
    submitted,
    step_approved,
    approved,
    auto_approved,
    denied,
    cancelled,
    active,
    expiring,
    expired,
    revoked,
    failed,
    break_glass,
    review_requested,
    reviewed,
    extension_requested,
    extended,
    extension_denied,
    extension_cancelled,
    reassigned,
    reminder,
    // A revoke that failed for good: the access may still be there; told to the owner and platform teams.
    revoke_failed,
    // The bundle of live access was deprecated: told to the holder, with its successor (the seed's step 2).
    deprecated,
    // Granted by an admin outside the approval flow: told to the person and the security channel.
    override_granted,
    // The manifests changed who must approve a waiting request: told to the requester and to reviewers it no
    // longer waits on (those it now waits on get its card).
    rerouted,
    // A change of manifests or directory withdrew a waiting request (cancelled), or an active one's waiting
    // extension: told to the requester with the reason.
    withdrawn,
    extension_withdrawn,
};
inline constexpr notice last_notice = notice::extension_withdrawn;
// Stable names, as jobs and stored cards carry them.
std::string_view name(notice n);
std::optional<notice> parse_notice(std::string_view s);

struct effect {
    effect_kind kind = effect_kind::update_cards;
    notice what = notice::submitted;
    std::string to;
    std::size_t step = 0;
    time_point at{};

    friend bool operator==(const effect&, const effect&) = default;
};

enum class event_kind {
    approve,              // `by` approves the current step (or the extension's, or the break-glass review)
    deny,                 // `by` denies, with `reason`
    cancel,               // the requester withdraws a pending petition or extension
    start_provisioning,   // a worker began granting
    provisioned,          // the integration granted access at `at`
    provisioning_failed,  // the integration gave up, `reason`
    expire,               // the scheduled end, at `at`
    revoke,               // `by` ends access early
    request_extension,    // the requester asks for `added` more, decided as `extension_route`
    escalate,             // reviewers took too long: round-robin moves on, broadcast is reminded
    reroute,              // the manifests changed: `extension_route` is the waiting route with its steps still to
                          // come re-decided (workflow/reroute.hpp); without one the request (or its extension) can
                          // no longer be filed and is withdrawn, `reason` saying why
};

constexpr std::string_view name(event_kind k)
{
    switch (k) {
    case event_kind::approve: return "approve";
    case event_kind::deny: return "deny";
    case event_kind::cancel: return "cancel";
    case event_kind::start_provisioning: return "start_provisioning";
    case event_kind::provisioned: return "provisioned";
    case event_kind::provisioning_failed: return "provisioning_failed";
    case event_kind::expire: return "expire";
    case event_kind::revoke: return "revoke";
    case event_kind::request_extension: return "request_extension";
    case event_kind::escalate: return "escalate";
    case event_kind::reroute: return "reroute";
    }
    return "approve";
}

struct event {
    event_kind kind = event_kind::approve;
    // A directory person id, bound from the Slack user before the event is built.
    std::string by;
    std::string reason;
    // When it happened, read from the injected clock by the caller.
    time_point at{};
    duration added{};
    std::optional<workflow::route> extension_route;
    // The front it came through (the caller sets it; the service's own events are "system").
    origin via{};
    // An approval for less than was asked (the approver sets the duration): shorter than the request's
    // length, at least a minute. Only for a request waiting for approval.
    std::optional<duration> shorten_to{};
};

struct transition {
    workflow::petition petition;
    std::vector<effect> effects;
};

// Error codes of file() and apply(); the message says it for people.
namespace petition_error {
constexpr std::string_view illegal_transition = "illegal_transition";
constexpr std::string_view self_approval = "self_approval";
constexpr std::string_view not_a_reviewer = "not_a_reviewer";
constexpr std::string_view not_assigned = "not_assigned";
constexpr std::string_view already_approved = "already_approved";
constexpr std::string_view not_requester = "not_requester";
constexpr std::string_view not_allowed_to_revoke = "not_allowed_to_revoke";
constexpr std::string_view not_due = "not_due";
constexpr std::string_view extension_pending = "extension_pending";
constexpr std::string_view bad_extension = "bad_extension";
constexpr std::string_view already_open = "already_open";
constexpr std::string_view second_step = "second_step";
} // namespace petition_error

struct filing {
    std::string id;
    std::string reason;
    std::string ticket;
    // Who filed it for the requester, when someone else did: "token:<id>" for a service token; for a
    // manual override, the admin who granted it (their decision is recorded).
    std::string filed_by{};
};

// A new petition for a decided route: pending, or approved at once (auto, break-glass or override).
transition file(const route& r, const filing& f, time_point now);

// When "your access ends soon" goes out for access running from `from` to `ends`: `before` the end
// (the policy's expiring_before), but never in the first half of the access, so a grant shorter than
// `before` is not told it is ending the moment it starts.
time_point expiry_reminder_at(time_point from, time_point ends, duration before);

// The states of a person's petition for a target that make a new request for it a duplicate: access
// held or being set up, and (unless the new one breaks glass, which an incident may need while a
// request waits) a request still waiting.
std::vector<petition_state> blocking_states(bool break_glass);
// Why a new request for what `open` already asks or holds is refused, and what to do instead: look at
// or cancel the open request, or extend the access held.
error already_open(const petition& open);

// Whether a notice about `p` still says something true when it goes out. A notice of a state ("waiting
// for approval", "is active until …") no longer holds once the petition has moved on, and the notice of
// that move follows it, so it is dropped; a notice of a fact (approved, denied, revoked, …) always holds.
bool notice_holds(notice what, const petition& p);

// The one transition function: (petition, event) -> next petition and its effects, or a typed error.
// `dir` answers who is on the owning and platform teams (who may revoke).
result<transition> apply(const petition& p, const event& e, const directory& dir);

// When the step a pending petition (or a pending extension of live access) waits on may be escalated:
// the moment that step started (filing or the extension's request, or the approval that completed the
// step before) plus the route's escalate_after. nullopt when nothing waits, or escalate_after is zero.
std::optional<time_point> escalation_due(const petition& p);

// Event builders, so call sites read as sentences.
// `e` as it came through `via` (a front sets where its events come from).
inline event through(event e, origin via)
{
    e.via = std::move(via);
    return e;
}

event approve_by(std::string by, time_point at);
event deny_by(std::string by, std::string reason, time_point at);
event cancel_by(std::string by, time_point at);
event revoke_by(std::string by, time_point at, std::string reason = {});
event provisioning_started(time_point at);
event provisioned_at(time_point at);
event provisioning_failed_because(std::string reason, time_point at);
event expire_at(time_point at);
event extension_of(std::string by, duration added, route decided, time_point at, std::string reason = {});
event escalation(time_point at);
// The manifests changed: `next` is `p`'s waiting route with its steps still to come re-decided; nullopt
// withdraws the waiting request (or extension) because it can no longer be filed, for `why`.
event reroute_to(std::optional<route> next, std::string why, time_point at);

// Who a step waits on now: its one assignee (round robin, `assigned` escalations on), or every reviewer.
std::vector<std::string> waiting_on(const route_step& s, std::size_t assigned);

// Whether `person` is a reviewer of the step being decided now: of the request while it is pending,
// or of its pending extension while the access is active.
bool awaits_decision_from(const petition& p, std::string_view person);

// Whom `p` concerns: the requester and the reviewers of every step of its route and of a pending
// extension's route (those who gain or lose an approval waiting on them); each once, requester first.
std::vector<std::string> people_concerned(const petition& p);

// Whether `person` may read what `p` keeps private (its reason, ticket, and the reasons given for its
// decisions): whom it concerns, and whoever decided or closed it. Everyone else reads the public request
// log's fields: who asked for what, when, and the state it is in.
bool may_read_private(const petition& p, std::string_view person);
// `p` as the public request log shows it: the reason, the ticket and every decision's and closing's reason
// left out.
petition public_view(petition p);

} // namespace checkpoint::workflow
