#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/petition.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// Audit events, oldest first, filtered, a page at a time.
struct audit_query {
    // The actor (a person id, a token name, or "checkpoint").
    std::optional<std::string> actor;
    std::optional<std::string> petition_id;
    // At or after `from`, and before `until`.
    std::optional<time_point> from;
    std::optional<time_point> until;
    std::size_t limit = 50;
    // Opaque: the `next` of the previous page; empty for the first page.
    std::string cursor;
    // Whom the event is about when someone else did it (details "subject": a token made to act as them).
    std::optional<std::string> subject{};
    // Only events of this action ("access.denied", …).
    std::optional<std::string> action{};
};

struct audit_page {
    std::vector<audit_record> records;
    // Empty on the last page.
    std::string next;
};

// Read-only queries for the API's audit listing and the auditors' reports.
class report_queries {
public:
    virtual ~report_queries() = default;

    virtual result<audit_page> audit_events(const audit_query& q) = 0;
    // Every petition filed before `until` (reports decide what overlaps their period); at most `cap`,
    // else an error saying to narrow the period.
    virtual result<std::vector<petition>> petitions_filed_before(time_point until, std::size_t cap = 200'000) = 0;
    // When each petition's access ended early or on schedule (its first revoke or expire event).
    virtual result<std::map<std::string, time_point, std::less<>>> end_times() = 0;
};

} // namespace checkpoint::workflow
