#pragma once

#include "workflow/catalog.hpp"
#include "workflow/catalog_history.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/error.hpp"
#include "workflow/report_queries.hpp"
#include "workflow/reports.hpp"
#include "workflow/resource_store.hpp"
#include "workflow/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace checkpoint::app {

// Resources uploaded by `actor` (through `via`: "api"): every one a kind the settings name, all stored
// with one `resources.upsert` audit event in one transaction, or none. Returns how many.
workflow::result<std::size_t> upload_resources(workflow::resource_store& store, const workflow::settings& settings,
                                               std::vector<workflow::resource> resources, const std::string& actor,
                                               const workflow::origin& via, workflow::time_point now);

// Report `name` over the history the store keeps: the name is checked before the history is read, so
// a mistyped one costs nothing.
workflow::result<workflow::reports::table> run_report(workflow::report_queries& queries,
                                                      const workflow::catalog& catalog, const std::string& name,
                                                      workflow::reports::options options);

// What the catalog shows of each target's history: the requests of the last `window` (90 days), at most the
// `cap` newest (2,000), read once for every bundle (workflow::summarize_history).
inline constexpr workflow::duration history_window = std::chrono::hours{24 * 90};
inline constexpr std::size_t history_cap = 2'000;
// With `target`, only that bundle's requests are read.
workflow::result<std::map<std::string, workflow::bundle_history, std::less<>>>
catalog_history(workflow::petition_store& petitions, workflow::time_point now,
                const std::optional<std::string>& target = std::nullopt);

} // namespace checkpoint::app
