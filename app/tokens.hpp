#pragma once

#include "workflow/directory.hpp"
#include "workflow/duration.hpp"
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
    // Report failed access attempts (POST /access-denied): for a log shipper or an integration.
    denials_write = 32,
    // Push people and groups from an identity provider (/scim/v2): for Okta or Microsoft Entra ID.
    scim = 64,
};

constexpr std::string_view name(scope s)
{
    switch (s) {
    case scope::requests: return "requests";
    case scope::review: return "review";
    case scope::resources_write: return "resources:write";
    case scope::audit_read: return "audit:read";
    case scope::admin: return "admin";
    case scope::denials_write: return "denials:write";
    case scope::scim: return "scim";
    }
    return "admin";
}

inline constexpr scope all_scopes[] = {scope::requests, scope::review, scope::resources_write, scope::audit_read,
                                       scope::admin,    scope::denials_write, scope::scim};

std::optional<scope> parse_scope(std::string_view s);
// "requests, review, resources:write, audit:read, admin": for messages that say what is allowed.
std::string scope_names();
// Whether a token with `scopes` may do what `s` allows (admin allows everything).
bool allows(const std::vector<std::string>& scopes, scope s);

inline constexpr std::size_t max_token_name_length = 100;
// A personal token expires: after 90 days unless asked otherwise, and after a year at most.
inline constexpr workflow::duration default_personal_token_life = std::chrono::days{90};
inline constexpr workflow::duration max_personal_token_life = std::chrono::days{365};
// Shorter than this is a typo rather than a plan.
inline constexpr workflow::duration min_token_life = std::chrono::hours{1};

// A token to make: from the API (POST /tokens) or on the server's host (`checkpoint tokens create
// --database`, `checkpointd --create-token`).
struct token_request {
    std::string name;
    // "service" or "personal".
    std::string kind;
    // For a personal token: a directory id, external id or email.
    std::string person;
    std::vector<std::string> scopes;
    // How long it works: a duration such as "90d", or "never" (service tokens only); empty: the default
    // (personal tokens 90 days, service tokens never).
    std::string expires{};
};

// Where the error is in `token_request`, for the front to word it (an API field or a CLI option).
enum class token_field { name, kind, person, scopes, expires };
struct token_refusal {
    token_field field;
    std::string message;
};

// A token request that checks out: the person the token acts as (empty for a service token) and how
// long it works (nullopt: it does not expire).
struct token_plan {
    std::string person_id;
    std::optional<workflow::duration> lifetime;
};

// Checks `r` against the directory (a personal token's person must be in it): the plan, or what is wrong.
std::variant<token_plan, token_refusal> check_token_request(const token_request& r, const workflow::directory& dir);

// Who makes or revokes a token: `actor` (a person id, `token:<name>`, or a tool's name) through `via`;
// a personal token made for someone other than the actor is announced in `security_channel` (when
// checkpoint.yaml names one) by a job queued with the token.
struct token_maker {
    std::string actor;
    workflow::origin via;
    std::string security_channel{};
};

// Makes the token checked above, audited in the same transaction (a personal token's person is the
// event's "subject"). The secret is in the result, this once.
workflow::result<workflow::new_token> create_token(workflow::token_store& tokens, const token_request& r,
                                                   const token_plan& plan, const token_maker& by,
                                                   workflow::time_point now);

// Revokes token `id`, audited likewise; false when there is no such active token.
workflow::result<bool> revoke_token(workflow::token_store& tokens, std::int64_t id, const token_maker& by,
                                    workflow::time_point now);

// Why a stored token does not work at `now` (revoked, expired, or its person left `dir`), or empty.
std::string why_token_refused(const workflow::api_token& t, const workflow::directory& dir, workflow::time_point now);

// A token as the API lists it and the CLI prints it; with `secret` (only when made) also "token".
boost::json::object token_json(const workflow::api_token& t, const std::string& secret = {});

} // namespace checkpoint::app
