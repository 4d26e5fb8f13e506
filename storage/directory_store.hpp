#pragma once

#include "storage/database.hpp"
#include "workflow/directory_store.hpp"

namespace checkpoint::storage {

// The directory_people and directory_groups tables; each change carries its audit event in the same transaction.
class directory_store final : public workflow::directory_store {
public:
    explicit directory_store(database& db) : db_(db) {}

    workflow::result<workflow::directory_overlay> overlay() override;
    workflow::result<std::int64_t> apply(const workflow::directory_change& c, const workflow::directory_change& undo,
                                         const workflow::audit_event& audit) override;
    workflow::result<std::int64_t> note_departures(const std::vector<std::string>& people, workflow::time_point at) override;
    workflow::result<void> followed(std::int64_t id) override;
    workflow::result<std::vector<unfollowed_change>> unfollowed() override;

private:
    database& db_;
};

} // namespace checkpoint::storage
