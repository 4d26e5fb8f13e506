#pragma once

#include "blocks/actions.hpp"
#include "workflow/catalog.hpp"
#include "workflow/duration.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::blocks {

// Slack counts characters; shorter reasons do not tell a reviewer anything.
inline constexpr std::size_t min_reason_length = 10;
inline constexpr std::size_t max_ticket_length = 100;
// Above this many bundles the select searches through block_suggestion instead of listing them.
inline constexpr std::size_t max_static_bundles = 100;
inline constexpr std::size_t bundle_min_query_length = 2;

// One offered duration with a hint of what it means for this requester ("Auto-approved", "Needs api-team").
struct duration_choice {
    workflow::duration length{};
    std::string hint;
};

// What a bundle's form offers: the manifest's `choices`; without them, the usual lengths (1h … 90d)
// up to the bundle's maximum, its default and maximum included.
std::vector<workflow::duration> offered_durations(const workflow::duration_policy& d);

struct request_modal_input {
    const workflow::catalog& catalog;
    // The chosen bundle, whose durations are offered; none before the requester picks one.
    const workflow::bundle* selected = nullptr;
    // The selected bundle's offered durations with hints, in order (the bot asks workflow::explain for each).
    std::span<const duration_choice> durations;
    // Pre-selected duration; the bundle's default otherwise.
    std::optional<workflow::duration> selected_duration;
    // Carried back in view_submission (e.g. the channel the command came from); ≤ 3000 characters.
    std::string_view private_metadata;
};

// The request modal: bundle (static select grouped by owner, or external select above 100 bundles),
// duration with hints, reason (required), ticket (optional). Rendered again when the bundle changes.
boost::json::object request_modal(const request_modal_input& in);

// The block_suggestion answer for the bundle search: at most 100 options, grouped by owner team.
boost::json::object bundle_suggestions(const workflow::catalog& catalog, std::string_view query);

// A view_submission validation error on one input of a modal.
struct field_error {
    action field;
    std::string message;
};

// `{"response_action":"errors","errors":{<block_id>: message}}`.
boost::json::object modal_errors(std::span<const field_error> errors);

} // namespace checkpoint::blocks
