#include "bot/api/api_auth.hpp"

#include "app/web_sessions.hpp"
#include "workflow/text.hpp"

#include <boost/beast/http/field.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace checkpoint::bot::api {

bool caller::has(scope s) const { return app::allows(token.scopes, s); }

std::string caller::actor() const { return personal() ? token.person_id : "token:" + token.name; }

std::string_view cookie_value(const request& req, std::string_view name)
{
    // Cookie: a=1; b=2 (RFC 6265 section 5.4): pairs split by "; ", each name=value.
    for (auto header = req.find(http::field::cookie); header != req.end() && header->name() == http::field::cookie;
         ++header)
        for (auto pair : workflow::split_trimmed(header->value(), ';'))
            if (const auto eq = pair.find('='); eq != std::string_view::npos && pair.substr(0, eq) == name)
                return pair.substr(eq + 1);
    return {};
}

workflow::api_token session_caller_token(const workflow::web_session& s, bool auditor)
{
    workflow::api_token t;
    t.name = "web session " + std::to_string(s.id);
    t.kind = "personal";
    t.person_id = s.person_id;
    t.scopes = {std::string(app::name(scope::requests)), std::string(app::name(scope::review))};
    if (auditor)
        t.scopes.emplace_back(app::name(scope::audit_read));
    t.created_at = s.created_at;
    t.expires_at = s.expires_at;
    return t;
}

session_result find_session(const request& req, workflow::session_store& sessions, const workflow::directory& dir,
                            workflow::time_point now)
{
    const auto secret = cookie_value(req, session_cookie);
    if (secret.empty())
        return {std::nullopt, "You are not signed in."};
    auto found = sessions.find(secret);
    if (!found) {
        spdlog::error("web: session lookup failed: {}", found.error().message);
        return {std::nullopt, "Your session could not be checked just now; try again."};
    }
    if (!*found)
        return {std::nullopt, "Your session is not one Checkpoint knows (it may have been cleared); sign in again."};
    if (auto why = app::why_session_refused(**found, dir, now); !why.empty())
        return {std::nullopt, std::move(why)};
    return {std::move(*found), {}};
}

auth_result authenticate(const request& req, workflow::token_store& tokens, const workflow::manifests& m,
                         workflow::time_point now, workflow::session_store* sessions)
{
    const auto& dir = m.directory;
    const auto header = req[http::field::authorization];
    if (header.empty() && sessions && !cookie_value(req, session_cookie).empty()) {
        auto found = find_session(req, *sessions, dir, now);
        if (!found.session)
            return {std::nullopt, std::move(found.refusal)};
        const auto method = req.method();
        const bool changes = method != http::verb::get && method != http::verb::head;
        if (changes && req[csrf_header] != found.session->csrf)
            return {std::nullopt,
                    "The page's CSRF token is missing or wrong (header " + std::string(csrf_header) +
                        "), so nothing was changed; reload the page and try again.",
                    true};
        caller who{session_caller_token(*found.session,
                                        app::is_auditor(m.settings, dir, found.session->person_id, now)),
                   found.session->id};
        return {std::move(who), {}};
    }
    if (header.empty())
        return {std::nullopt, "Send a token as `Authorization: Bearer cpt_…`; `checkpoint tokens create` makes one."};
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size() || workflow::to_lower(header.substr(0, scheme.size())) != scheme)
        return {std::nullopt, "The Authorization header must be `Bearer <token>`."};
    auto secret = header.substr(scheme.size());
    while (!secret.empty() && secret.front() == ' ')
        secret.remove_prefix(1);
    auto found = tokens.find_by_secret(secret);
    if (!found) {
        spdlog::error("api: token lookup failed: {}", found.error().message);
        return {std::nullopt, "The token could not be checked just now; try again."};
    }
    if (!*found)
        return {std::nullopt, "That token is not one Checkpoint issued (or it was mistyped)."};
    auto t = std::move(**found);
    if (auto why = app::why_token_refused(t, dir, now); !why.empty())
        return {std::nullopt, std::move(why)};
    if (auto r = tokens.touch(t, now); !r)
        spdlog::warn("api: could not record the use of token {}: {}", t.id, r.error().message);
    return {caller{std::move(t)}, {}};
}

} // namespace checkpoint::bot::api
