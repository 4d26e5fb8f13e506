#pragma once

#include "storage/database.hpp"
#include "workflow/audit_log.hpp"
#include "workflow/petition.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::storage {

// Audit events, oldest first, filtered, a page at a time.
struct audit_query {
    // The actor (a person id, a token name, or "checkpoint").
    std::optional<std::string> actor;
    std::optional<std::string> petition_id;
    // At or after `from`, and before `until`.
    std::optional<workflow::time_point> from;
    std::optional<workflow::time_point> until;
    std::size_t limit = 50;
    // Opaque: the `next` of the previous page; empty for the first page.
    std::string cursor;
};

struct audit_page {
    std::vector<workflow::audit_record> records;
    // Empty on the last page.
    std::string next;
};

// Read-only queries for the API's audit listing and the auditors' reports.
class report_queries {
public:
    explicit report_queries(database& db) : db_(db) {}

    workflow::result<audit_page> audit_events(const audit_query& q);
    // Every petition filed before `until` (reports decide what overlaps their period); at most `cap`,
    // else an error saying to narrow the period.
    workflow::result<std::vector<workflow::petition>> petitions_filed_before(workflow::time_point until,
                                                                              std::size_t cap = 200'000);

    // When each petition's access ended early or on schedule (its first revoke or expire event).
    workflow::result<std::map<std::string, workflow::time_point, std::less<>>> end_times();

private:
    database& db_;
};

} // namespace checkpoint::storage
