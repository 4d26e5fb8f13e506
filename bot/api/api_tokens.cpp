#include "bot/api/api_internal.hpp"

#include "bot/api/api_json.hpp"

#include <boost/beast/http/field.hpp>
#include <charconv>
#include <variant>

namespace checkpoint::bot::api {

// GET, POST /tokens, DELETE /tokens/{id}: API tokens (admin).
response api_router::tokens(call& c)
{
    const app::token_maker maker{c.who.actor(), origin_of(c), c.m().settings.security_channel};
    const auto version = c.req.version();
    const auto& dir = c.m().directory;
    const auto now = ctx_.clock.now();

    switch (c.which) {
    case endpoint::tokens_list: {
        need(c.who, scope::admin, "listing tokens");
        json::array all;
        for (const auto& t : must(tokens_.list()))
            all.push_back(app::token_json(t));
        return ok(c, page_of(std::move(all), c.limit(), c.param("cursor")));
    }

    case endpoint::tokens_create: {
        need(c.who, scope::admin, "creating tokens");
        const auto body = c.body();
        app::token_request r;
        r.name = required_text(body, "name", app::max_token_name_length,
                               "what the token is for, such as \"ci-deploy\".");
        r.kind = required_text(body, "kind", 20, "\"service\" or \"personal\".");
        r.person = text_field(body, "person", 200).value_or("");
        r.expires = text_field(body, "expires", 40).value_or("");
        const auto* sv = body.if_contains("scopes");
        if (!sv || !sv->is_array())
            fail(code::invalid_request, "`scopes` is required: a non-empty array of " + scope_names() + ".");
        for (const auto& s : sv->get_array()) {
            if (!s.is_string())
                fail(code::invalid_request, "`scopes` may hold only " + scope_names() + ".");
            r.scopes.emplace_back(s.get_string());
        }
        auto checked = app::check_token_request(r, dir);
        if (auto* no = std::get_if<app::token_refusal>(&checked)) {
            static constexpr std::string_view field_names[] = {"name", "kind", "person", "scopes", "expires"};
            fail(code::invalid_request,
                 "`" + std::string(field_names[static_cast<int>(no->field)]) + "`: " + no->message);
        }
        auto made = must(app::create_token(tokens_, r, std::get<app::token_plan>(checked), maker, now));
        ctx_.runner.wake(); // a token made to act as someone else has a notice to post
        return ok(c, app::token_json(made.token, made.secret), http::status::created);
    }

    case endpoint::token_delete: {
        need(c.who, scope::admin, "revoking tokens");
        std::int64_t id = 0;
        const auto& text = c.seg[1];
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || end != text.data() + text.size())
            fail(code::invalid_request, "A token id is a number, as the list of tokens shows it.");
        if (!must(app::revoke_token(tokens_, id, maker, now)))
            fail(code::not_found, "There is no active token " + text + ".");
        response res{http::status::no_content, version};
        res.set(http::field::server, server_name);
        return res;
    }    default:
        break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
