#pragma once

#include "app/tokens.hpp"
#include "bot/http.hpp"
#include "workflow/manifests.hpp"
#include "workflow/session_store.hpp"
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
    // Non-zero when a browser signed in to the web pages called (its session's cookie, not a token): `token`
    // is then the session's person with the scopes the pages use, id 0.
    std::int64_t session_id = 0;

    bool has(scope s) const;
    bool personal() const { return token.kind == "personal"; }
    // The directory person a personal token acts as; empty for service tokens.
    const std::string& person() const { return token.person_id; }
    // Who the audit log names: the person, or `token:<name>` for a service token.
    std::string actor() const;
    bool web() const { return session_id != 0; }
    // What the per-caller budget is kept under: the token's id, or the session's (negative, so they never meet).
    std::int64_t budget_key() const { return web() ? -session_id : token.id; }
};

// The cookie a web session is carried in (HttpOnly, SameSite=Lax; Secure except on loopback), and the header
// every change the pages ask for must carry with the session's CSRF token.
inline constexpr std::string_view session_cookie = "checkpoint_session";
inline constexpr std::string_view csrf_header = "X-CSRF-Token";

// The value of cookie `name` in the Cookie header of `req`, or empty.
std::string_view cookie_value(const request& req, std::string_view name);

// What a web session's caller may do: file and follow their own requests, and review; an auditor (checkpoint.yaml's
// `auditors`) also reads the audit log and the reports.
workflow::api_token session_caller_token(const workflow::web_session& s, bool auditor);

// The bearer token of `req`, checked against the store: the caller, or why not (for a 401). A personal token
// works only while its person is in `dir`: it stops when they leave the directory. Without an Authorization
// header, and with `sessions`, a web session's cookie is checked instead; a request that changes something
// must then carry the session's CSRF token (else `forbidden`, a 403: a page of another site cannot send it).
struct auth_result {
    std::optional<caller> who;
    std::string refusal;
    bool forbidden = false;
};
auth_result authenticate(const request& req, workflow::token_store& tokens, const workflow::manifests& m,
                         workflow::time_point now, workflow::session_store* sessions = nullptr);
// A web session's cookie in `req`, checked: the session, or why not. No CSRF check (see authenticate).
struct session_result {
    std::optional<workflow::web_session> session;
    std::string refusal;
};
session_result find_session(const request& req, workflow::session_store& sessions, const workflow::directory& dir,
                            workflow::time_point now);

} // namespace checkpoint::bot::api
