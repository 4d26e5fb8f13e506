#pragma once

#include "workflow/approval_matrix.hpp"
#include "workflow/approval_policy.hpp"
#include "workflow/catalog.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

enum class integration_kind {
    webhook, // POST the event JSON, signed
    exec,    // run a command with the event on stdin
    log,     // only record the event; for demos and non-production bundles
};

constexpr std::string_view name(integration_kind k)
{
    switch (k) {
    case integration_kind::webhook: return "webhook";
    case integration_kind::exec: return "exec";
    case integration_kind::log: return "log";
    }
    return "log";
}

enum class webhook_format { checkpoint, indent };

struct integration {
    std::string name;
    integration_kind kind = integration_kind::log;
    std::string url;
    // The name of the environment variable holding the secret; read by the worker at use, never here.
    std::string secret_env;
    webhook_format format = webhook_format::checkpoint;
    duration timeout{30};
    std::vector<std::string> command;
    // Grants and revokes in flight at once across all workers, 1–100: what the
    // receiver or the command can take.
    std::size_t max_in_flight = 4;
};

struct break_glass_policy {
    // Who may break glass (e.g. whoever is on call for production at the time).
    std::vector<reviewer_spec> who;
    duration max_duration{std::chrono::hours{4}};
    // The team that reviews every break-glass grant afterwards.
    std::string review_by;
};

struct reminder_policy {
    duration pending_after{std::chrono::hours{4}};
    duration escalate_after{std::chrono::hours{24}};
    duration expiring_before{std::chrono::hours{24}};
};

// A sudden rise in requests for a watched target, told in the security channel (the seed: a spike for a
// critical bundle may be an incident or an attack). Requests filed in the last `window` are compared with
// the usual number per window over the `baseline` before it.
struct demand_alert_policy {
    bool enabled = true;
    std::vector<risk> risks{risk::critical};
    duration window{std::chrono::hours{1}};
    duration baseline{std::chrono::hours{24 * 7}};
    // A spike is at least `min_requests` in the window and more than `factor` times the usual.
    std::size_t factor = 3;
    std::size_t min_requests = 5;
};

// checkpoint.yaml: the service-wide policy.
struct settings {
    approval_matrix matrix = approval_matrix::standard();
    std::string platform_team;
    std::string default_channel;
    std::string security_channel;
    break_glass_policy break_glass;
    reminder_policy reminders;
    std::vector<integration> integrations;
    std::vector<resource_kind> resources;
    demand_alert_policy demand_alert{};
    // Who reads the audit log and the reports on the web pages (a web session's audit:read): people, groups,
    // teams or on-call rotations, as reviewers are named. Empty: no one through the web (tokens still can).
    std::vector<reviewer_spec> auditors{};

    const integration* find_integration(std::string_view name) const;
    const resource_kind* find_resource(std::string_view kind) const;
};

inline const integration* settings::find_integration(std::string_view n) const
{
    for (const auto& i : integrations)
        if (i.name == n)
            return &i;
    return nullptr;
}

inline const resource_kind* settings::find_resource(std::string_view kind) const
{
    for (const auto& r : resources)
        if (r.kind == kind)
            return &r;
    return nullptr;
}

} // namespace checkpoint::workflow
