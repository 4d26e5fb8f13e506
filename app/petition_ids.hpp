#pragma once

#include "workflow/clock.hpp"

#include <string>

namespace checkpoint::app {

// A new petition id: `p-`, the filing time in 9 base-32 digits, and 5 random ones. Ids sort by age,
// so the petitions of one moment share the last pages of the id index and of the job-key index
// (job keys start with the petition id) instead of each touching a page of its own.
std::string new_petition_id(workflow::time_point now);

} // namespace checkpoint::app
