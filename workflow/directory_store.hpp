#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/directory_overlay.hpp"
#include "workflow/error.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace checkpoint::workflow {


// People and groups from the identity provider or an HR export, kept across restarts and laid over the
// manifests' directory (lay_over).
class directory_store {
public:
    virtual ~directory_store() = default;

    // Every record, in the order they were first written (a later one wins where two match one person).
    virtual result<directory_overlay> overlay() = 0;
    // Writes `c` whole, with `audit`, in one transaction, and with it `undo` (the change that puts back what `c`
    // replaced), kept until followed() says what `c` does to requests and access was done: its id. A user name or
    // group name another record of the same source holds is refused (conflict).
    virtual result<std::int64_t> apply(const directory_change& c, const directory_change& undo, const audit_event& audit) = 0;
    // Before a reload that takes `people` out of the directory ends their access: noted, so a start after a stop
    // ends it (the records do not tell). Its id, for followed().
    virtual result<std::int64_t> note_departures(const std::vector<std::string>& people, time_point at) = 0;
    virtual result<void> followed(std::int64_t id) = 0;
    // Changes stored whose following a stop cut short, oldest first: a records change with its undo, or a
    // reload's departures.
    struct unfollowed_change {
        std::int64_t id = 0;
        directory_change undo;
        std::vector<std::string> leaving;
    };
    virtual result<std::vector<unfollowed_change>> unfollowed() = 0;
};

} // namespace checkpoint::workflow
