#pragma once

#include "bot/integrations/access_event.hpp"
#include "workflow/error.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace checkpoint::bot {

// Bounds on a `pull/update` answer, so one receiver cannot flood the catalog or the cards.
struct pulled_resource_limits {
    std::size_t max_resources = 10'000;
    std::size_t max_kind = 64;
    std::size_t max_id = 128;
    std::size_t max_display_name = 256;
    std::size_t max_labels = 32;
    std::size_t max_label_key = 64;
    std::size_t max_label_value = 256;
};

// Reads `{"resources":[{"kind","id","displayName","labels":{…}}]}`; every resource needs a kind
// and an id, label values are strings; an error names the resource index and the field.
workflow::result<std::vector<event_resource>> parse_pulled_resources(std::string_view body,
                                                                     const pulled_resource_limits& limits = {});

} // namespace checkpoint::bot
