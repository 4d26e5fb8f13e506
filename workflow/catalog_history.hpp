#pragma once

#include "workflow/clock.hpp"
#include "workflow/duration.hpp"
#include "workflow/petition.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// One of a bundle's latest requests, as the catalog shows it: who, for how long, when, and how it went.
struct recent_request {
    std::string person_name;
    duration length{};
    time_point at{};
    petition_state state = petition_state::pending;
};

// What a bundle's history says to someone about to request it (the seed's catalog): how often it is
// asked for, what is usually granted, how long approval takes, and who asked lately.
struct bundle_history {
    std::size_t requests = 0;
    std::size_t granted = 0;
    // The middle half of the durations granted (25th to 75th percentile, nearest rank).
    std::optional<duration> typical_low;
    std::optional<duration> typical_high;
    // The median time from filing to the last step's approval, for requests that waited for reviewers.
    std::optional<duration> time_to_approval;
    // Newest first, at most max_recent.
    std::vector<recent_request> recent;
};

inline constexpr std::size_t max_recent = 3;

// The history of each target among `newest_first` (petitions, newest first, as the request log reads).
std::map<std::string, bundle_history, std::less<>> summarize_history(const std::vector<petition>& newest_first);

// "Most requests are approved for 1–7 days", "Requests are approved for 1 day"; empty with nothing granted.
std::string typical_text(const bundle_history& h);

} // namespace checkpoint::workflow
