#pragma once

#include "storage/database.hpp"
#include "workflow/slack_user_cache.hpp"

namespace checkpoint::storage {

class slack_user_cache final : public workflow::slack_user_cache {
public:
    explicit slack_user_cache(database& db) : db_(db) {}

    workflow::result<void> put(const workflow::slack_user& u) override;
    workflow::result<std::optional<workflow::slack_user>> get(const std::string& slack_id,
                                                              workflow::time_point fresh_since) override;
    workflow::result<std::optional<workflow::slack_user>> by_person(const std::string& person_id) override;

private:
    database& db_;
};

} // namespace checkpoint::storage
