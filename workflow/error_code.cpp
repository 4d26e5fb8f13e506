#include "workflow/error_code.hpp"

#include <array>

namespace checkpoint::workflow {

namespace {

constexpr std::array<std::string_view, error_code_count> names{
    "unknown_person",        "unknown_bundle",       "unknown_resource_kind", "deprecated",
    "too_long",              "break_glass_not_allowed", "break_glass_not_permitted", "no_reviewers", "override_for_self",
    "illegal_transition",    "self_approval",        "not_a_reviewer",        "not_assigned",
    "already_approved",      "not_requester",        "not_allowed_to_revoke", "not_due",
    "extension_pending",     "bad_extension",        "already_open",          "second_step",           "unterminated_quote",    "unknown_subcommand",
    "unknown_option",        "unexpected_argument",  "missing_argument",      "missing_value",
    "unexpected_value",      "bad_duration",         "bad_date",              "bad_delegate",
    "unknown_delegate",      "missing_reason",       "too_long_input",        "bad_cursor",
    "bad_labels",            "bad_petition_id",      "usage",                 "not_found",
    "petition_not_found",    "unknown_resource",     "unknown_kind",          "unknown_report",
    "exists",                "conflict",             "not_syncable",          "too_many",
    "unavailable",           "slack_unavailable",    "integration_refused",   "storage_failed",
    "invalid_write",         "invalid_audit",        "bad_audit_details",     "bad_payload",
    "corrupt_petition",      "database_open_failed", "database_too_new",      "backup_failed",
    "bad_database",          "not_supported",        "invalid_pull_response", "audit_key_short",     "audit_key_unreadable",  "audit_key_unmade",
    "audit_key_conflict",    "audit_key_mismatch",   "audit_key_missing",     "audit_seal_missing",
    "audit_chain_broken",    "manifests",            "restart_needed",        "bad_reroute",
};

} // namespace

std::string_view name(error_code c) { return names[static_cast<std::size_t>(c)]; }

error_class class_of(error_code c)
{
    using ec = error_code;
    switch (c) {
    case ec::unknown_person:
    case ec::unterminated_quote:
    case ec::unknown_subcommand:
    case ec::unknown_option:
    case ec::unexpected_argument:
    case ec::missing_argument:
    case ec::missing_value:
    case ec::unexpected_value:
    case ec::bad_duration:
    case ec::bad_date:
    case ec::bad_delegate:
    case ec::unknown_delegate:
    case ec::missing_reason:
    case ec::too_long_input:
    case ec::bad_cursor:
    case ec::bad_labels:
    case ec::bad_petition_id:
    case ec::usage:
    case ec::unknown_kind: return error_class::invalid_input;
    case ec::unknown_bundle:
    case ec::unknown_resource_kind:
    case ec::not_found:
    case ec::petition_not_found:
    case ec::unknown_resource:
    case ec::unknown_report: return error_class::not_found;
    case ec::deprecated:
    case ec::too_long:
    case ec::break_glass_not_allowed:
    case ec::break_glass_not_permitted:
    case ec::no_reviewers:
    case ec::override_for_self:
    case ec::self_approval:
    case ec::not_a_reviewer:
    case ec::second_step:
    case ec::not_assigned:
    case ec::not_requester:
    case ec::not_allowed_to_revoke:
    case ec::bad_extension:
    case ec::not_syncable:
    case ec::too_many:
    case ec::integration_refused:
    case ec::restart_needed: return error_class::refused;
    case ec::illegal_transition:
    case ec::already_approved:
    case ec::not_due:
    case ec::extension_pending:
    case ec::already_open:
    case ec::conflict:
    case ec::exists:
    case ec::bad_reroute: return error_class::conflict;
    case ec::unavailable:
    case ec::slack_unavailable:
    case ec::storage_failed:
    case ec::invalid_write:
    case ec::invalid_audit:
    case ec::bad_audit_details:
    case ec::bad_payload:
    case ec::corrupt_petition:
    case ec::database_open_failed:
    case ec::database_too_new:
    case ec::backup_failed:
    case ec::bad_database:
    case ec::not_supported:
    case ec::invalid_pull_response:
    case ec::audit_key_short:
    case ec::audit_key_unreadable:
    case ec::audit_key_unmade:
    case ec::audit_key_conflict:
    case ec::audit_key_mismatch:
    case ec::audit_key_missing:
    case ec::audit_seal_missing:
    case ec::audit_chain_broken:
    case ec::manifests: return error_class::internal;
    }
    return error_class::internal;
}

std::optional<error_code> parse_error_code(std::string_view s)
{
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == s)
            return static_cast<error_code>(i);
    return std::nullopt;
}

} // namespace checkpoint::workflow
