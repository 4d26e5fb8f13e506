#include "bot/api/api_errors.hpp"

#include "workflow/error_code.hpp"

#include <spdlog/spdlog.h>


namespace checkpoint::bot::api {

namespace {

// Every code Checkpoint gives, and how the API names it; no default, so a new code must be named here.
std::string_view api_code_for(workflow::error_code c)
{
    using ec = workflow::error_code;
    switch (c) {
    case ec::unknown_bundle:
    case ec::unknown_resource_kind:
    case ec::not_found:
    case ec::petition_not_found:
    case ec::unknown_resource:
    case ec::unknown_report: return code::not_found;
    case ec::deprecated:
    case ec::too_long:
    case ec::break_glass_not_allowed:
    case ec::break_glass_not_permitted:
    case ec::no_reviewers:
    case ec::self_approval:
    case ec::not_a_reviewer:
    case ec::not_assigned:
    case ec::not_requester:
    case ec::not_allowed_to_revoke:
    case ec::bad_extension:
    case ec::not_syncable:
    case ec::too_many:
    case ec::integration_refused: return code::refused;
    case ec::illegal_transition:
    case ec::already_approved:
    case ec::not_due:
    case ec::extension_pending:
    case ec::conflict:
    case ec::exists: return code::conflict;
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
    case ec::unknown_kind: return code::invalid_request;
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
    case ec::invalid_pull_response:
    case ec::manifests: return code::internal;
    }
    return code::internal;
}

} // namespace

http::status status_of(std::string_view c)
{
    if (c == code::invalid_request)
        return http::status::bad_request;
    if (c == code::unauthenticated)
        return http::status::unauthorized;
    if (c == code::forbidden)
        return http::status::forbidden;
    if (c == code::not_found)
        return http::status::not_found;
    if (c == code::method_not_allowed)
        return http::status::method_not_allowed;
    if (c == code::conflict)
        return http::status::conflict;
    if (c == code::too_large)
        return http::status::payload_too_large;
    if (c == code::refused)
        return http::status::unprocessable_entity;
    if (c == code::rate_limited)
        return http::status::too_many_requests;
    return http::status::internal_server_error;
}

response api_error(std::string_view api_code, std::string_view message, unsigned version)
{
    return error_response(status_of(api_code), api_code, message, version);
}

std::string_view api_code_of(std::string_view workflow_code)
{
    const auto c = workflow::parse_error_code(workflow_code);
    return c ? api_code_for(*c) : code::internal;
}

response from_error(const workflow::error& e, unsigned version)
{
    const auto c = api_code_of(e.code);
    if (c == code::internal) {
        spdlog::error("api: {}: {}", e.code, e.message);
        return api_error(c, "Something went wrong inside Checkpoint; the details are in its log.", version);
    }
    return api_error(c, e.message, version);
}

} // namespace checkpoint::bot::api
