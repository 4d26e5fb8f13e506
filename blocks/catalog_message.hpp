#pragma once

#include "workflow/catalog.hpp"
#include "workflow/catalog_history.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace checkpoint::blocks {

// One bundle in a catalog answer, with what a given duration would mean for the person asking
// (e.g. "7 days: needs api-team"; the bot fills it from workflow::explain), or empty.
struct catalog_entry {
    const workflow::bundle* bundle = nullptr;
    std::string hint;
    // Its history (workflow::summarize_history); none when nobody asked for it lately.
    std::optional<workflow::bundle_history> history{};
    // Whether the history could be read at all; when not, the entry says nothing of it.
    bool history_known = false;
};

// `/checkpoint catalog [words]`: bundles with owner, risk, description, default and maximum duration,
// and the hint; deprecated ones point at their successor. `words` is what was searched for (may be empty).
boost::json::object catalog_reply(std::span<const catalog_entry> entries, std::string_view words);

// A DM after a denied access attempt: what was denied (and where), the bundle that grants it (through
// `matched`), and a Request button that opens the request form for it.
boost::json::object access_hint_message(const workflow::bundle& b, std::string_view entitlement, std::string_view system,
                                        std::string_view matched, workflow::time_point at);

} // namespace checkpoint::blocks
