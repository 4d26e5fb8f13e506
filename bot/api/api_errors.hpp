#pragma once

#include "bot/http.hpp"
#include "workflow/error.hpp"

#include <string_view>

namespace checkpoint::bot::api {

// The API's error codes (docs/api.md), each with its one HTTP status.
namespace code {
constexpr std::string_view invalid_request = "invalid_request";
constexpr std::string_view unauthenticated = "unauthenticated";
constexpr std::string_view forbidden = "forbidden";
constexpr std::string_view not_found = "not_found";
constexpr std::string_view method_not_allowed = "method_not_allowed";
constexpr std::string_view conflict = "conflict";
constexpr std::string_view too_large = "too_large";
constexpr std::string_view refused = "refused";
constexpr std::string_view rate_limited = "rate_limited";
constexpr std::string_view internal = "internal";
} // namespace code

http::status status_of(std::string_view api_code);

// {"error":{"code","message"}} with the status the code implies.
response api_error(std::string_view api_code, std::string_view message, unsigned version = 11);

// A workflow or storage error in the API's words: the rule's message, under the code a program can act on.
// Storage failures are logged and answered 500 `internal` without details.
response from_error(const workflow::error& e, unsigned version = 11);

// The API code for a workflow error code (exposed for tests).
std::string_view api_code_of(std::string_view workflow_code);

} // namespace checkpoint::bot::api
