#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/catalog.hpp"
#include "workflow/clock.hpp"
#include "workflow/duration.hpp"
#include "workflow/error.hpp"
#include "workflow/petition.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace checkpoint::workflow {

// The auditors' reports: pure functions over stored petitions, rendered as JSON or CSV by the API.
namespace reports {

// One value in a report: nothing, text, a count, or a ratio.
using cell = std::variant<std::monostate, std::string, std::int64_t, double>;

struct table {
    std::vector<std::string> columns;
    std::vector<std::vector<cell>> rows;
    std::vector<std::pair<std::string, cell>> summary;
};

struct options {
    time_point from{};
    time_point until{};
    // access-during: one bundle; empty means every critical bundle.
    std::string bundle;
    // long-lived-grants: the shortest grant listed.
    duration min_length{std::chrono::days{30}};
    // When access ended early (a revocation or expiry), by petition id; a live grant runs to its ends_at.
    std::map<std::string, time_point, std::less<>> ended_at;
    // access-denied: the "access.denied" audit events of the period (the caller reads them).
    std::vector<audit_record> denials{};
};

inline constexpr std::string_view names[] = {"access-during",      "time-to-access",  "time-to-decision",
                                              "bypassed-approval",  "duration-by-bundle", "never-requested",
                                              "auto-approval-rate", "long-lived-grants",  "access-denied"};

// The report `name` over `petitions` (every petition filed before o.until); unknown_report otherwise.
result<table> run(std::string_view name, const std::vector<petition>& petitions, const catalog& bundles,
                  const options& o);

// Nearest-rank percentile (p in 0..100) of sorted values; the median averages the two middle values; the
// mean is rounded to the nearest whole value. 0 for no values.
std::int64_t percentile(const std::vector<std::int64_t>& sorted, int p);
std::int64_t median(const std::vector<std::int64_t>& sorted);
std::int64_t mean(const std::vector<std::int64_t>& values);

} // namespace reports

} // namespace checkpoint::workflow
