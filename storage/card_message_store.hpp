#pragma once

#include "storage/database.hpp"
#include "workflow/card_message_store.hpp"

namespace checkpoint::storage {

class card_message_store final : public workflow::card_message_store {
public:
    explicit card_message_store(database& db) : db_(db) {}

    workflow::result<void> record(const workflow::card_message& m) override;
    workflow::result<std::optional<workflow::card_message>> find(const std::string& petition_id, std::size_t step,
                                                                 const std::string& destination) override;
    workflow::result<std::vector<workflow::card_message>> for_petition(const std::string& petition_id) override;

private:
    database& db_;
};

} // namespace checkpoint::storage
