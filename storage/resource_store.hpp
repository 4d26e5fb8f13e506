#pragma once

#include "storage/database.hpp"
#include "workflow/resource_store.hpp"

namespace checkpoint::storage {

class resource_store final : public workflow::resource_store {
public:
    explicit resource_store(database& db) : db_(db) {}

    workflow::result<void> upsert(const workflow::resource& r) override;
    workflow::result<void> upsert_all(const std::vector<workflow::resource>& rs) override;
    workflow::result<void> upsert_all(const std::vector<workflow::resource>& rs,
                                      const workflow::audit_event& audit) override;
    workflow::result<std::optional<workflow::resource>> find(const std::string& kind, const std::string& id) override;
    workflow::result<std::vector<workflow::resource>> of_kind(const std::string& kind) override;
    workflow::result<std::size_t> remove_stale(const std::string& kind, workflow::time_point cutoff) override;

private:
    workflow::result<void> upsert_all(const std::vector<workflow::resource>& rs,
                                      const std::optional<workflow::audit_event>& audit);

    database& db_;
};

} // namespace checkpoint::storage
