#pragma once

#include "bot/http.hpp"
#include "storage/token_store.hpp"
#include "workflow/clock.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot::api {

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

// The authenticated caller of one API request.
struct caller {
    storage::api_token token;

    bool has(scope s) const;
    bool personal() const { return token.kind == "personal"; }
    // The directory person a personal token acts as; empty for service tokens.
    const std::string& person() const { return token.person_id; }
    // Who the audit log names: the person, or `token:<name>` for a service token.
    std::string actor() const;
};

// The bearer token of `req`, checked against the store: the caller, or why not (for a 401).
struct auth_result {
    std::optional<caller> who;
    std::string refusal;
};
auth_result authenticate(const request& req, storage::token_store& tokens, workflow::time_point now);

} // namespace checkpoint::bot::api
