#pragma once

#include "workflow/duration.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// Who a manifest names as a reviewer: `{person: u-1}`, `{email: a@b}`, `{group: g}`, `{team: t}`, `{oncall: r}`.
enum class reviewer_kind { person, email, group, team, oncall };

constexpr std::string_view name(reviewer_kind k)
{
    switch (k) {
    case reviewer_kind::person: return "person";
    case reviewer_kind::email: return "email";
    case reviewer_kind::group: return "group";
    case reviewer_kind::team: return "team";
    case reviewer_kind::oncall: return "oncall";
    }
    return "person";
}

struct reviewer_spec {
    reviewer_kind kind = reviewer_kind::person;
    std::string name;
};

enum class assign_mode {
    broadcast,   // every reviewer sees the card at once
    round_robin, // one reviewer at a time; escalation moves to the next
};

constexpr std::string_view name(assign_mode a) { return a == assign_mode::broadcast ? "broadcast" : "round_robin"; }

struct step_spec {
    std::string name;
    std::vector<reviewer_spec> reviewers;
    std::size_t min_approvals = 1;
    assign_mode assign = assign_mode::broadcast;
};

// A bundle's (or resource kind's) own rules on top of the matrix.
struct approval_policy {
    // Never auto-approve longer than this.
    std::optional<duration> max_auto_approve;
    // Owner approval even where the matrix says auto.
    bool require_owner_approval = false;
    // The requester's manager approves first.
    bool require_manager = false;
    // Extra requirements, in order, after the manager.
    std::vector<step_spec> steps;
    // Whether the break-glass people may take it at once.
    bool break_glass = false;
};

struct duration_policy {
    duration initial{std::chrono::days{1}};
    duration max{std::chrono::days{7}};
    // What the request form offers; empty means "initial" only.
    std::vector<duration> choices;
};

} // namespace checkpoint::workflow
