#pragma once

#include "app/tokens.hpp"
#include "bot/http.hpp"
#include "workflow/token_store.hpp"
#include "workflow/clock.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot::api {

using app::all_scopes;
using app::parse_scope;
using app::scope;
using app::scope_names;

// The authenticated caller of one API request.
struct caller {
    workflow::api_token token;

    bool has(scope s) const;
    bool personal() const { return token.kind == "personal"; }
    // The directory person a personal token acts as; empty for service tokens.
    const std::string& person() const { return token.person_id; }
    // Who the audit log names: the person, or `token:<name>` for a service token.
    std::string actor() const;
};

// The bearer token of `req`, checked against the store: the caller, or why not (for a 401). A personal token
// works only while its person is in `dir`: it stops when they leave the directory.
struct auth_result {
    std::optional<caller> who;
    std::string refusal;
};
auth_result authenticate(const request& req, workflow::token_store& tokens, const workflow::directory& dir,
                         workflow::time_point now);

} // namespace checkpoint::bot::api
