#pragma once

#include "app/jobs.hpp"
#include "workflow/anomaly.hpp"
#include "workflow/audit_log.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/settings.hpp"

#include <optional>
#include <string>

namespace checkpoint::app {

// The check_demand job a filing for `p`'s target queues (in the filing's transaction), when its risk is
// watched and there is a security channel to tell; nullopt otherwise.
std::optional<workflow::job_spec> demand_check_job(const workflow::demand_alert_policy& policy,
                                                   const std::string& security_channel, const workflow::petition& p,
                                                   workflow::time_point now);

// Requests for `target` filed in [from, until), read a page at a time; at most `cap` are counted.
workflow::result<std::size_t> count_filed(workflow::petition_store& petitions, const std::string& target,
                                          workflow::time_point from, workflow::time_point until,
                                          std::size_t cap = 100'000);

struct demand_check_outcome {
    // The spike found, if any.
    std::optional<workflow::demand_spike> spike;
    // Whether this check queued the window's alert (false: none, or told already by an earlier check).
    bool told = false;
};

// Runs a check: counts the window ending at the filing and the baseline before it, and on a spike queues
// the alert for the security channel with its audit event ("anomaly.demand_spike"), once per target and
// window period (the key names the period the filing fell in).
workflow::result<demand_check_outcome> check_demand(const demand_check_payload& check,
                                                                     const workflow::settings& settings,
                                                                     workflow::petition_store& petitions,
                                                                     workflow::audit_log& audit,
                                                                     workflow::time_point now);

} // namespace checkpoint::app
