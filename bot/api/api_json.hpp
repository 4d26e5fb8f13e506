#pragma once

#include "workflow/catalog_history.hpp"

#include "workflow/audit_log.hpp"
#include "workflow/catalog.hpp"
#include "workflow/directory.hpp"
#include "workflow/petition.hpp"
#include "workflow/resource_store.hpp"
#include "workflow/route.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace checkpoint::bot::api {

// The API's shapes (docs/api.md): one function per object, so every endpoint renders it the same way.

// `display_name` is the resource's name for resource petitions (empty when unknown); `bundle`, when given, says
// what the grant gives: `entitlements` in the manifest's words, `provision_params` as the integration is asked.
boost::json::object petition_json(const workflow::petition& p, const workflow::directory& dir,
                                  const std::string& display_name = {}, const workflow::bundle* bundle = nullptr);
boost::json::object bundle_json(const workflow::bundle& b);
boost::json::object resource_json(const workflow::resource& r);
boost::json::object explain_json(const workflow::route& r);
boost::json::object audit_json(const workflow::audit_record& r);

// The API's name for a route outcome: auto_approved, approval_required, break_glass.
std::string_view outcome_name(workflow::route_outcome o);
// A bundle's history for the catalog (workflow::bundle_history): requests and grants in the window, the
// typical durations, the median time to approval, the latest requests.
boost::json::object history_json(const workflow::bundle_history& h);

// RFC 3339 UTC, seconds precision: 2026-11-23T10:00:00Z.
std::string rfc3339(workflow::time_point t);

} // namespace checkpoint::bot::api
