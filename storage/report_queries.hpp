#pragma once

#include "storage/database.hpp"
#include "workflow/report_queries.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::storage {

using workflow::audit_page;
using workflow::audit_query;

// The report queries over SQLite.
class report_queries final : public workflow::report_queries {
public:
    explicit report_queries(database& db) : db_(db) {}

    workflow::result<audit_page> audit_events(const audit_query& q) override;
    workflow::result<std::vector<workflow::petition>> petitions_filed_before(workflow::time_point until,
                                                                              std::size_t cap = 200'000) override;
    workflow::result<std::map<std::string, workflow::time_point, std::less<>>> end_times() override;

private:
    database& db_;
};

} // namespace checkpoint::storage
