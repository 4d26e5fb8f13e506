#pragma once

#include "blocks/request_modal.hpp"
#include "workflow/petition.hpp"

#include <boost/json/object.hpp>

#include <span>
#include <vector>

namespace checkpoint::blocks {

// How much longer a grant of `current` may become under `d`: the offered durations that keep the total within max.
std::vector<workflow::duration> offered_extensions(const workflow::duration_policy& d, workflow::duration current);

// Opened by an Extend click: how much longer (each with a hint for the total), and why.
// private_metadata carries the petition id. With no choices left, it says so and has no submit.
boost::json::object extend_modal(const workflow::petition& p, std::span<const duration_choice> choices);

} // namespace checkpoint::blocks
