#pragma once

#include "workflow/catalog_history.hpp"

#include "workflow/loader/manifest_loader.hpp"
#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <string>

namespace checkpoint::blocks::test {

// The example manifests under manifests/, loaded once.
const workflow::manifests& example();

// 2026-11-<day> at <hour>:<minute> UTC; the scenarios happen on 25 Nov, while Mary Major is away.
workflow::time_point nov(int day, int hour = 10, int minute = 0);

// A route decided by workflow from the example manifests; fails the test on an error.
workflow::route decided(const std::string& requester, const std::string& target, std::string length = {},
                        bool break_glass = false);

// A petition filed for that route at nov(25).
workflow::petition filed(const std::string& id, const workflow::route& r, std::string reason, std::string ticket = {});

// Applies an event and returns the next petition; fails the test on an error.
workflow::petition after(const workflow::petition& p, const workflow::event& e);

// A bundle's history as the catalog shows it: 5 requests, 4 granted for 1 to 3 days, approval after an hour
// at the median, Sam's and Mia's 7 days the latest.
workflow::bundle_history busy_history();

} // namespace checkpoint::blocks::test
