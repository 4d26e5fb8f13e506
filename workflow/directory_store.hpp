#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/directory_overlay.hpp"
#include "workflow/error.hpp"

#include <string>
#include <vector>

namespace checkpoint::workflow {

// One change to the stored directory records: a SCIM call, or an import.
struct directory_change {
    std::vector<directory_record> put_people;
    std::vector<directory_group_record> put_groups;
    // Keys of the `source` records to delete.
    std::string source;
    std::vector<std::string> remove_people;
    std::vector<std::string> remove_groups;
};

// People and groups from the identity provider or an HR export, kept across restarts and laid over the
// manifests' directory (lay_over).
class directory_store {
public:
    virtual ~directory_store() = default;

    // Every record, in the order they were first written (a later one wins where two match one person).
    virtual result<directory_overlay> overlay() = 0;
    // Writes `c` whole, with `audit`, in one transaction. A user name or group name another record of the same
    // source holds is refused (conflict).
    virtual result<void> apply(const directory_change& c, const audit_event& audit) = 0;
};

} // namespace checkpoint::workflow
