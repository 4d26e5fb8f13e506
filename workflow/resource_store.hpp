#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// Something requestable that an integration discovered: a database, a cluster, a repo.
struct resource {
    std::string kind;
    std::string id;
    std::string display_name;
    // A JSON object of string labels; empty means {}.
    std::string labels;
    time_point updated_at{};
};

class resource_store {
public:
    virtual ~resource_store() = default;

    virtual result<void> upsert(const resource& r) = 0;
    // All of them in one transaction: every one is stored, or none (a bulk upload).
    virtual result<void> upsert_all(const std::vector<resource>& rs) = 0;
    // The same, with `audit` (who uploaded them) appended in that transaction.
    virtual result<void> upsert_all(const std::vector<resource>& rs, const audit_event& audit) = 0;
    virtual result<std::optional<resource>> find(const std::string& kind, const std::string& id) = 0;
    virtual result<std::vector<resource>> of_kind(const std::string& kind) = 0;
    // Forgets resources of `kind` the last sync did not see (updated before `cutoff`); returns how many.
    virtual result<std::size_t> remove_stale(const std::string& kind, time_point cutoff) = 0;
};

} // namespace checkpoint::workflow
