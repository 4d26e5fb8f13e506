#pragma once

#include "storage/database.hpp"
#include "workflow/directory.hpp"
#include "workflow/error.hpp"

#include <optional>
#include <string>

namespace checkpoint::storage {

// Out of office set from Slack (`/checkpoint ooo`), kept across restarts and manifest reloads and
// laid over the manifests' directory when a request is routed (workflow::away_overlay).
class away_store {
public:
    explicit away_store(database& db) : db_(db) {}

    // `away` set: away from its `from` until its `until`, with its delegate. nullopt: back now, even
    // where the manifests still say away.
    workflow::result<void> set(const std::string& person_id, const std::optional<workflow::out_of_office>& away,
                               const std::string& set_by, workflow::time_point now);
    // Every entry, as the routing reads them.
    workflow::result<workflow::away_overlay> overlay();

private:
    database& db_;
};

} // namespace checkpoint::storage
