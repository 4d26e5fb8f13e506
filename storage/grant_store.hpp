#pragma once

#include "storage/database.hpp"
#include "workflow/grant_store.hpp"

namespace checkpoint::storage {

// The grant ledger's holdings as rows keyed by (person, entitlement, petition).
class grant_store final : public workflow::grant_store {
public:
    explicit grant_store(database& db) : db_(db) {}

    workflow::result<bool> hold(const workflow::grant_holding& g) override;
    workflow::result<bool> move_end(const workflow::grant_holding& g) override;
    workflow::result<bool> release(const std::string& person, const std::string& entitlement,
                                   const std::string& petition, const workflow::job_spec& revoke,
                                   workflow::time_point now) override;
    workflow::result<std::vector<workflow::grant_holding>> holdings() override;
    workflow::result<std::vector<workflow::grant_holding>> holdings_of(const std::string& person) override;

    // release() inside the caller's transaction (a petition transition that ends the access).
    static bool release_in(connection& c, const workflow::grant_release& r, workflow::time_point now);

private:
    database& db_;
};

} // namespace checkpoint::storage
