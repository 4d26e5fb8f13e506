#pragma once

#include "workflow/settings.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace checkpoint::workflow {

// Requests for one target filed in the policy's window (ending now), and in the baseline before it.
struct demand_counts {
    std::size_t in_window = 0;
    std::size_t before = 0;
};

// A spike, with what it was compared against.
struct demand_spike {
    std::size_t count = 0;
    std::size_t before = 0;
    // The usual number per window over the baseline: before / (baseline / window).
    double usual = 0;
};

// Whether requests for a target of this risk are watched at all.
bool demand_watched(const demand_alert_policy& p, risk level);

// A spike when the window holds at least min_requests and more than factor × the usual; else nullopt.
std::optional<demand_spike> demand_spike_of(const demand_alert_policy& p, demand_counts c);

// The usual per window as people read it: one decimal, none when whole ("0.4", "2", "12.5").
std::string format_usual(double usual);

} // namespace checkpoint::workflow
