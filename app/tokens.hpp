#pragma once

#include "workflow/directory.hpp"
#include "workflow/error.hpp"
#include "workflow/token_store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace checkpoint::app {

// What a token may do (docs/api.md); `admin` implies every other.
enum class scope : unsigned {
    requests = 1,
    review = 2,
    resources_write = 4,
    audit_read = 8,
    admin = 16,
};

constexpr std::string_view name(scope s)
{
    switch (s) {
    case scope::requests: return "requests";
    case scope::review: return "review";
    case scope::resources_write: return "resources:write";
    case scope::audit_read: return "audit:read";
    case scope::admin: return "admin";
    }
    return "admin";
}

inline constexpr scope all_scopes[] = {scope::requests, scope::review, scope::resources_write, scope::audit_read,
                                       scope::admin};

std::optional<scope> parse_scope(std::string_view s);
// "requests, review, resources:write, audit:read, admin": for messages that say what is allowed.
std::string scope_names();
// Whether a token with `scopes` may do what `s` allows (admin allows everything).
bool allows(const std::vector<std::string>& scopes, scope s);

inline constexpr std::size_t max_token_name_length = 100;

// A token to make: from the API (POST /tokens) or on the server's host (`checkpoint tokens create
// --database`, `checkpointd --create-token`).
struct token_request {
    std::string name;
    // "service" or "personal".
    std::string kind;
    // For a personal token: a directory id, external id or email.
    std::string person;
    std::vector<std::string> scopes;
};

// Where the error is in `token_request`, for the front to word it (an API field or a CLI option).
enum class token_field { name, kind, person, scopes };
struct token_refusal {
    token_field field;
    std::string message;
};

// Checks `r` against the directory (a personal token's person must be in it); the person id the token
// acts as (empty for a service token), or what is wrong.
std::variant<std::string, token_refusal> check_token_request(const token_request& r, const workflow::directory& dir);

// Makes the token checked above, audited as `actor` (a person id, `token:<name>`, or a tool's name)
// through `via` ("api", "cli") in the same transaction. The secret is in the result, this once.
workflow::result<workflow::new_token> create_token(workflow::token_store& tokens, const token_request& r,
                                                   const std::string& person_id, const std::string& actor,
                                                   const std::string& via, workflow::time_point now);

// Revokes token `id`, audited likewise; false when there is no such active token.
workflow::result<bool> revoke_token(workflow::token_store& tokens, std::int64_t id, const std::string& actor,
                                    const std::string& via, workflow::time_point now);

// A token as the API lists it and the CLI prints it; with `secret` (only when made) also "token".
boost::json::object token_json(const workflow::api_token& t, const std::string& secret = {});

} // namespace checkpoint::app
