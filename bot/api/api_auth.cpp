#include "bot/api/api_auth.hpp"

#include "workflow/text.hpp"

#include <boost/beast/http/field.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace checkpoint::bot::api {

bool caller::has(scope s) const { return app::allows(token.scopes, s); }

std::string caller::actor() const { return personal() ? token.person_id : "token:" + token.name; }

auth_result authenticate(const request& req, workflow::token_store& tokens, const workflow::directory& dir,
                         workflow::time_point now)
{
    const auto header = req[http::field::authorization];
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
