#include "bot/api/api_errors.hpp"

#include "workflow/error_code.hpp"

#include <spdlog/spdlog.h>


namespace checkpoint::bot::api {

namespace {

// The API's code for each class of failure.
std::string_view api_code_for(workflow::error_class c)
{
    switch (c) {
    case workflow::error_class::invalid_input: return code::invalid_request;
    case workflow::error_class::not_found: return code::not_found;
    case workflow::error_class::refused: return code::refused;
    case workflow::error_class::conflict: return code::conflict;
    case workflow::error_class::internal: return code::internal;
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
    return c ? api_code_for(workflow::class_of(*c)) : code::internal;
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
