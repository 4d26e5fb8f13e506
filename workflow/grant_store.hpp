#pragma once

#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/job_queue.hpp"

#include <optional>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// One petition covering an entitlement for a person until `ends`.
struct grant_holding {
    std::string person;
    std::string entitlement;
    std::string petition;
    time_point ends{};
};

// A grant a transition ends (an expiry, a revoke, a failed grant): the ledger drops the petition's
// holding and, when no other grant covers the person and entitlement, enqueues `revoke`.
struct grant_release {
    std::string person;
    std::string entitlement;
    std::string petition;
    job_spec revoke;
};

// The grant_ledger's holdings, durable; the ledger is rebuilt from holdings() at start-up.
class grant_store {
public:
    virtual ~grant_store() = default;

    // Adds or moves a holding. True when nothing covered the entitlement before (new access).
    virtual result<bool> hold(const grant_holding& g) = 0;
    // Moves the end of a holding that is still there (an extension); never adds one, so a holding
    // released meanwhile stays released. True when there was one to move.
    virtual result<bool> move_end(const grant_holding& g) = 0;
    // Drops the petition's holding; when it was the last, enqueues `revoke` in the same transaction
    // and returns true. Access is never revoked while another grant still covers it.
    virtual result<bool> release(const std::string& person, const std::string& entitlement,
                                 const std::string& petition, const job_spec& revoke, time_point now) = 0;
    virtual result<std::vector<grant_holding>> holdings() = 0;
    virtual result<std::vector<grant_holding>> holdings_of(const std::string& person) = 0;
};

} // namespace checkpoint::workflow
