#pragma once

#include "workflow/error.hpp"
#include "workflow/petition.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace checkpoint::workflow {

// The stored form of a petition: the whole domain struct, route included, as JSON.
std::string petition_to_json(const workflow::petition& p);
workflow::result<workflow::petition> petition_from_json(std::string_view text);

std::int64_t to_millis(workflow::time_point t);
workflow::time_point from_millis(std::int64_t ms);

// The petition_state whose name() is `s`.
std::optional<workflow::petition_state> parse_petition_state(std::string_view s);

} // namespace checkpoint::workflow
