#pragma once

#include "workflow/manifests.hpp"

#include "workflow/loader/manifest_loader.hpp"
#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace checkpoint::workflow::test {

// 2026-11-<day> at <hour>:00 UTC.
time_point nov(int day, int hour = 10);
// 2026-12-<day> at <hour>:00 UTC.
time_point dec(int day, int hour = 10);

person someone(std::string id, std::string name, std::string team, std::string manager = {});
person away(person p, time_point from, time_point until, std::string delegate = {});

bundle make_bundle(std::string name, std::string owner_team, risk level, duration max = std::chrono::days{60});

// The seed's matrix, a platform team, default and security channels, an on-call for production.
manifests make_manifests(std::vector<person> people, std::vector<bundle> bundles, std::vector<group> groups = {},
                         std::vector<oncall_rotation> oncall = {});

// A small company used by most route and petition tests; "now" is nov(25).
//   boss (leadership) ← mary (api-team lead, away 20–30 Nov, delegate lee) ← lee, alex, sam (support)
//   boss ← raj (data-platform lead, away 23 Nov–4 Dec, no delegate) ← mia
//   boss ← pat, quinn (platform-team); oncall production: ivy, alex (weekly from 2 Nov)
manifests company();

} // namespace checkpoint::workflow::test

// What Catch prints for a failed check on a result.
namespace checkpoint::workflow {
std::ostream& operator<<(std::ostream& os, const error& e);
std::ostream& operator<<(std::ostream& os, const route& r);
std::ostream& operator<<(std::ostream& os, const transition& t);
std::ostream& operator<<(std::ostream& os, const manifests& m);
} // namespace checkpoint::workflow

namespace checkpoint::loader {
std::ostream& operator<<(std::ostream& os, const manifest_errors& e);
} // namespace checkpoint::loader
