#pragma once

#include <optional>
#include <string_view>

namespace checkpoint::workflow {

// Every error code Checkpoint gives (workflow::error::code holds its name). class_of() puts each in
// one class; the API's code follows from the class (bot/api/api_errors.cpp) and Slack's words from
// the code or, for codes without a sentence of their own, the class (blocks/error_text.cpp).
enum class error_code {
    // Routing a request (workflow/route.hpp, route_error).
    unknown_person,
    unknown_bundle,
    unknown_resource_kind,
    deprecated,
    too_long,
    break_glass_not_allowed,
    break_glass_not_permitted,
    no_reviewers,
    override_for_self,
    // The petition state machine (workflow/petition.hpp, petition_error).
    illegal_transition,
    self_approval,
    not_a_reviewer,
    not_assigned,
    already_approved,
    not_requester,
    not_allowed_to_revoke,
    not_due,
    extension_pending,
    bad_extension,
    already_open,
    second_step,
    // Reading what a person typed or sent.
    unterminated_quote,
    unknown_subcommand,
    unknown_option,
    unexpected_argument,
    missing_argument,
    missing_value,
    unexpected_value,
    bad_duration,
    bad_date,
    bad_delegate,
    unknown_delegate,
    missing_reason,
    too_long_input,
    bad_cursor,
    bad_labels,
    bad_petition_id,
    usage,
    // Looking things up.
    not_found,
    petition_not_found,
    unknown_resource,
    unknown_kind,
    unknown_report,
    exists,
    // Refused by the state of things.
    conflict,
    not_syncable,
    too_many,
    unavailable,
    slack_unavailable,
    integration_refused,
    // Inside Checkpoint: logged, and said to people without details.
    storage_failed,
    invalid_write,
    invalid_audit,
    bad_audit_details,
    bad_payload,
    corrupt_petition,
    database_open_failed,
    database_too_new,
    backup_failed,
    bad_database,
    not_supported,
    invalid_pull_response,
    // The audit chain's key (storage/audit_key.hpp, admin/audit_key_file.hpp) and its seal.
    audit_key_short,
    audit_key_unreadable,
    audit_key_unmade,
    audit_key_conflict,
    audit_key_mismatch,
    audit_key_missing,
    audit_seal_missing,
    audit_chain_broken,
    manifests,
    // A change of manifests (workflow/policy_change.hpp, app/policy_changes.hpp).
    restart_needed,
    bad_reroute,
};

inline constexpr std::size_t error_code_count = static_cast<std::size_t>(error_code::bad_reroute) + 1;

// What kind of failure a code is: the API's code and status follow from it, and so does how Slack
// words a code that has no sentence of its own.
enum class error_class {
    invalid_input, // what was typed or sent cannot be read or is out of bounds
    not_found,     // it names something that does not exist
    refused,       // a rule says no
    conflict,      // the state moved on, or it is already so
    internal,      // inside Checkpoint: logged; people read a generic sentence
};
// One complete switch: a new code does not compile until it is classed.
error_class class_of(error_code c);

std::string_view name(error_code c);
// The code named `s`; nullopt for a name Checkpoint never gives.
std::optional<error_code> parse_error_code(std::string_view s);

} // namespace checkpoint::workflow
