#pragma once

#include "workflow/clock.hpp"
#include "workflow/directory.hpp"
#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <string>
#include <string_view>

namespace checkpoint::blocks {

// "2026-11-29 10:00 UTC": every time in plain text (fallbacks, plain_text fields).
std::string format_time(workflow::time_point t);

// Slack's date token, shown in the reader's own time zone, falling back to the UTC text:
// `<!date^1796032800^{date_short_pretty} {time}|2026-11-29 10:00 UTC>`. For mrkdwn only.
std::string slack_time(workflow::time_point t);

// "7 days": workflow's words for a length of time.
std::string format_length(workflow::duration d);

// A person's name for a message: from the petition's route (requester, reviewers), then the directory,
// else the id itself; "Checkpoint" for decisions the service made. Not escaped.
std::string person_name(const workflow::petition& p, std::string_view person_id,
                        const workflow::directory* directory = nullptr);

// "Mary Major: Sam Support's manager" → "Sam Support's manager": the reason without its name prefix.
std::string reason_without_name(const workflow::reviewer& r);

// "Acme Corp (customer:123)" for a resource with a display name (the name people know, and the id
// granted), else the target itself: as plain text, and escaped for mrkdwn.
std::string target_plain(const workflow::route& r);
std::string target_shown(const workflow::route& r);
// target_shown, marked " (resource)" for a resource without a name: "api-production",
// "customer:123 (resource)", "Acme Corp (customer:123)".
std::string target_label(const workflow::route& r);

// The route's decision in a short phrase for an option description (≤ 75 characters):
// "Auto-approved", "api-team approves", "manager, then system-owner approve".
std::string route_hint(const workflow::route& r);

// The route's steps in mrkdwn: each step, who must approve, and why each reviewer was chosen.
// At most `max_reviewers` reviewers a step; the rest are counted.
std::string route_steps_text(const workflow::route& r, std::size_t max_reviewers = 8);

// Joins with ", " and " and " before the last.
std::string join_words(const std::vector<std::string>& words);

} // namespace checkpoint::blocks
