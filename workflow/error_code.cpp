#include "workflow/error_code.hpp"

#include <array>

namespace checkpoint::workflow {

namespace {

constexpr std::array<std::string_view, error_code_count> names{
    "unknown_person",        "unknown_bundle",       "unknown_resource_kind", "deprecated",
    "too_long",              "break_glass_not_allowed", "break_glass_not_permitted", "no_reviewers",
    "illegal_transition",    "self_approval",        "not_a_reviewer",        "not_assigned",
    "already_approved",      "not_requester",        "not_allowed_to_revoke", "not_due",
    "extension_pending",     "bad_extension",        "unterminated_quote",    "unknown_subcommand",
    "unknown_option",        "unexpected_argument",  "missing_argument",      "missing_value",
    "unexpected_value",      "bad_duration",         "bad_date",              "bad_delegate",
    "unknown_delegate",      "missing_reason",       "too_long_input",        "bad_cursor",
    "bad_labels",            "bad_petition_id",      "usage",                 "not_found",
    "petition_not_found",    "unknown_resource",     "unknown_kind",          "unknown_report",
    "exists",                "conflict",             "not_syncable",          "too_many",
    "unavailable",           "slack_unavailable",    "integration_refused",   "storage_failed",
    "invalid_write",         "invalid_audit",        "bad_audit_details",     "bad_payload",
    "corrupt_petition",      "database_open_failed", "database_too_new",      "backup_failed",
    "invalid_pull_response", "manifests",
};

} // namespace

std::string_view name(error_code c) { return names[static_cast<std::size_t>(c)]; }

std::optional<error_code> parse_error_code(std::string_view s)
{
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == s)
            return static_cast<error_code>(i);
    return std::nullopt;
}

} // namespace checkpoint::workflow
