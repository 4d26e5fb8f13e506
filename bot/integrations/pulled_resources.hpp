#pragma once

#include "bot/integrations/access_event.hpp"
#include "workflow/error.hpp"
#include "workflow/resource_store.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace checkpoint::bot {

// Bounds on a list of resources (a `pull/update` answer, an API upload), so one receiver or upload
// cannot flood the catalog or the cards. The API documents the same numbers (docs/api.md).
struct pulled_resource_limits {
    std::size_t max_resources = 10'000;
    std::size_t max_kind = 100;
    std::size_t max_id = 200;
    std::size_t max_display_name = 200;
    std::size_t max_labels = 50;
    std::size_t max_label_key = 100;
    std::size_t max_label_value = 500;
};

// Reads `{"resources":[{"kind","id","displayName","labels":{…}}]}` (`display_name` is taken for
// `displayName`): every resource needs a kind and an id without spaces or colons (it is requested as
// `kind:id`), label values are strings; an error names the resource index and the field.
workflow::result<std::vector<event_resource>> read_resource_list(const boost::json::object& root,
                                                                 const pulled_resource_limits& limits = {});
// read_resource_list() of a `pull/update` answer's body.
workflow::result<std::vector<event_resource>> parse_pulled_resources(std::string_view body,
                                                                     const pulled_resource_limits& limits = {});

// The catalog row for a listed resource: its display name defaults to its id.
workflow::resource catalog_row(const event_resource& r, workflow::time_point now);

} // namespace checkpoint::bot
