#pragma once

#include "workflow/catalog.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// A bundle that would grant an entitlement someone was denied, and how it matched.
struct denied_match {
    std::string bundle;
    risk level = risk::low;
    // What matched: the bundle's name, or its provisioning setting ("permission_set: api-production").
    std::string matched;
    // The person holds (or is being granted) this bundle already.
    bool held = false;
};

// The bundles that would grant `entitlement` (a bundle name, a provisioning value such as
// "api-prod-s3-read", or "key: value"), best first: ones the person does not hold before ones they do;
// then the lowest risk; then the fewest other grants (the tightest fit); then by name. Deprecated bundles
// take no requests and are left out. Matching ignores case and surrounding spaces.
std::vector<denied_match> bundles_granting(const catalog& c, std::string_view entitlement,
                                           const std::set<std::string, std::less<>>& held);

} // namespace checkpoint::workflow
