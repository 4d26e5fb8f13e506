#pragma once

#include "storage/database.hpp"
#include "workflow/away_store.hpp"

#include <optional>
#include <string>

namespace checkpoint::storage {

// The out_of_office table; each change carries its audit event in the same transaction.
class away_store final : public workflow::away_store {
public:
    explicit away_store(database& db) : db_(db) {}

    workflow::result<void> set(const std::string& person_id, const std::optional<workflow::out_of_office>& away,
                               const workflow::audit_event& audit) override;
    workflow::result<workflow::away_overlay> overlay() override;

private:
    database& db_;
};

} // namespace checkpoint::storage
