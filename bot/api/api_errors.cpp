#include "bot/api/api_errors.hpp"

#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <utility>

namespace checkpoint::bot::api {

namespace {

// Every workflow code a caller can cause, and how the API names it; anything else is internal.
constexpr std::array<std::pair<std::string_view, std::string_view>, 32> mapping{{
    {workflow::route_error::unknown_person, code::invalid_request},
    {workflow::route_error::unknown_bundle, code::not_found},
    {workflow::route_error::unknown_resource_kind, code::not_found},
    {workflow::route_error::deprecated, code::refused},
    {workflow::route_error::too_long, code::refused},
    {workflow::route_error::break_glass_not_allowed, code::refused},
    {workflow::route_error::break_glass_not_permitted, code::refused},
    {workflow::route_error::no_reviewers, code::refused},
    {workflow::petition_error::illegal_transition, code::conflict},
    {workflow::petition_error::self_approval, code::refused},
    {workflow::petition_error::not_a_reviewer, code::refused},
    {workflow::petition_error::not_assigned, code::refused},
    {workflow::petition_error::already_approved, code::conflict},
    {workflow::petition_error::not_requester, code::refused},
    {workflow::petition_error::not_allowed_to_revoke, code::refused},
    {workflow::petition_error::not_due, code::conflict},
    {workflow::petition_error::extension_pending, code::conflict},
    {workflow::petition_error::bad_extension, code::refused},
    {"conflict", code::conflict},
    {"not_found", code::not_found},
    {"unknown_resource", code::not_found},
    {"unknown_kind", code::invalid_request},
    {"not_syncable", code::refused},
    {"bad_cursor", code::invalid_request},
    {"bad_duration", code::invalid_request},
    {"bad_labels", code::invalid_request},
    {"bad_date", code::invalid_request},
    {"too_long_input", code::invalid_request},
    {"missing_reason", code::invalid_request},
    {"too_many", code::refused},
    {"bad_petition_id", code::invalid_request},
    {"unknown_report", code::not_found},
}};

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
    for (const auto& [from, to] : mapping)
        if (from == workflow_code)
            return to;
    return code::internal;
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
