#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/clock.hpp"
#include "workflow/directory.hpp"
#include "workflow/error.hpp"

#include <optional>
#include <string>

namespace checkpoint::workflow {

// Out of office set at run time (`/checkpoint ooo`), kept across restarts and manifest reloads and
// laid over the manifests' directory when a request is routed (away_overlay).
class away_store {
public:
    virtual ~away_store() = default;

    // `away` set: away from its `from` until its `until`, with its delegate. nullopt: back now, even
    // where the manifests still say away. `audit` is appended in the same transaction.
    virtual result<void> set(const std::string& person_id, const std::optional<out_of_office>& away,
                             const audit_event& audit) = 0;
    // Every entry, as the routing reads them.
    virtual result<away_overlay> overlay() = 0;
};

} // namespace checkpoint::workflow
