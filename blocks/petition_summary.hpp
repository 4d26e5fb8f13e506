#pragma once

#include "workflow/directory.hpp"
#include "workflow/petition.hpp"

#include <string>
#include <vector>

namespace checkpoint::blocks {

// "Active until <date>", "Waiting on step 1 of 2 (owner)", "Denied": the state in mrkdwn with an emoji.
std::string state_text(const workflow::petition& p);

// The approval route's progress, one mrkdwn line a step: ✅ approved by …, ❌ denied by …, ⏳ waiting (1 of 2
// so far: Lee Lin), ▫️ later. For the pending extension's route when `extension` is set.
std::string progress_text(const workflow::petition& p, bool extension, const workflow::directory* directory);

// The decisions recorded for step `step_name` (extension steps are prefixed "extension: ").
std::vector<const workflow::decision_record*> decisions_for(const workflow::petition& p, std::string_view step_name);

// "Sam Support → *api-production* for 7 days · `r-1`": one line naming a petition, for lists.
std::string petition_line(const workflow::petition& p);

// The requester's reason, escaped and quoted for mrkdwn ("> …" on every line).
std::string quoted(std::string_view text);

} // namespace checkpoint::blocks
