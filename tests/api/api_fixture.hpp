#pragma once

#include "bot/api/api_router.hpp"
#include "bot/api/petition_waiters.hpp"
#include "app/directory_sync.hpp"
#include "storage/directory_store.hpp"
#include "storage/report_queries.hpp"
#include "storage/token_store.hpp"
#include "tests/bot/service_fixture.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

namespace checkpoint::test {

// The API router over the service fixture (real stores, manual clock), called without a socket.
struct api_fixture : service_fixture {
    storage::token_store tokens{*db};
    storage::report_queries reports{*db};
    bot::api::petition_waiters waiters{4};
    bot::api::api_router api{ctx, tokens, reports, waiters};
    // SCIM and imports, as main wires them.
    storage::directory_store directory_records{*db};
    app::directory_sync directory{live, directory_records, access, petitions, tokens, audit, clock};
    bool directory_wired = (ctx.directory = &directory, true);

    api_fixture()
    {
        access.on_change([this](const workflow::petition& p) { waiters.notify(p.id); });
    }

    // A fresh token; personal when `person` is given.
    std::string token(std::vector<std::string> scopes, std::string person = {}, std::string name = "test")
    {
        return made(std::move(scopes), std::move(person), std::move(name)).secret;
    }

    // The same, with everything stored about it; `expires_at` as given (nullopt: it does not expire).
    workflow::new_token made(std::vector<std::string> scopes, std::string person = {}, std::string name = "test",
                             std::optional<workflow::time_point> expires_at = std::nullopt)
    {
        workflow::api_token spec;
        spec.name = std::move(name);
        spec.kind = person.empty() ? "service" : "personal";
        spec.person_id = std::move(person);
        spec.scopes = std::move(scopes);
        spec.expires_at = expires_at;
        return tokens.create(spec, clock.now(), {"test", "token.create", clock.now(), "", "test", "", ""}, {}).value();
    }

    bot::response call(bot::http::verb method, const std::string& target, const std::string& token,
                       const std::string& body = {})
    {
        bot::request req{method, target, 11};
        if (!token.empty())
            req.set(bot::http::field::authorization, "Bearer " + token);
        req.body() = body;
        req.prepare_payload();
        return api.handle(req);
    }

    bot::response patch(const std::string& target, const std::string& token, const boost::json::value& body)
    {
        return call(bot::http::verb::patch, target, token, boost::json::serialize(body));
    }
    bot::response put(const std::string& target, const std::string& token, const boost::json::value& body)
    {
        return call(bot::http::verb::put, target, token, boost::json::serialize(body));
    }
    bot::response get(const std::string& target, const std::string& token)
    {
        return call(bot::http::verb::get, target, token);
    }
    bot::response post(const std::string& target, const std::string& token, const boost::json::value& body)
    {
        return call(bot::http::verb::post, target, token, boost::json::serialize(body));
    }
};

inline boost::json::value body_of(const bot::response& r) { return boost::json::parse(r.body()); }

inline std::string error_code_of(const bot::response& r)
{
    return std::string(body_of(r).at("error").at("code").as_string());
}

} // namespace checkpoint::test
