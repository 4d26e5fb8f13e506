#include "app/tokens.hpp"

#include "workflow/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace checkpoint::app {

std::optional<scope> parse_scope(std::string_view s)
{
    for (auto sc : all_scopes)
        if (name(sc) == s)
            return sc;
    return std::nullopt;
}

std::string scope_names()
{
    std::string out;
    for (auto sc : all_scopes) {
        if (!out.empty())
            out += ", ";
        out += name(sc);
    }
    return out;
}

bool allows(const std::vector<std::string>& scopes, scope s)
{
    return std::any_of(scopes.begin(), scopes.end(),
                       [&](const std::string& t) { return t == name(s) || t == name(scope::admin); });
}

std::variant<std::string, token_refusal> check_token_request(const token_request& r, const workflow::directory& dir)
{
    if (workflow::trim(r.name).empty() || r.name.size() > max_token_name_length)
        return token_refusal{token_field::name, "a token's name is 1 to " + std::to_string(max_token_name_length) +
                                                    " characters, such as \"ci-deploy\"."};
    if (r.kind != "service" && r.kind != "personal")
        return token_refusal{token_field::kind, "a token's kind is \"service\" or \"personal\", not \"" +
                                                    r.kind.substr(0, 20) + "\"."};
    if (r.scopes.empty())
        return token_refusal{token_field::scopes, "a token needs at least one scope of " + scope_names() + "."};
    for (const auto& s : r.scopes)
        if (!parse_scope(s))
            return token_refusal{token_field::scopes,
                                 "\"" + s.substr(0, 40) + "\" is not a scope; scopes are " + scope_names() + "."};
    if (r.kind == "service") {
        if (!r.person.empty())
            return token_refusal{token_field::person,
                                 "a person is only for personal tokens; a service token acts for no one."};
        return std::string();
    }
    if (r.person.empty())
        return token_refusal{token_field::person, "a personal token needs a person in the directory (an id such as "
                                                  "u-2001, an external id or an email)."};
    const auto i = dir.find(r.person);
    if (i == workflow::no_person)
        return token_refusal{token_field::person, "\"" + r.person.substr(0, 200) + "\" is not in the directory."};
    return dir.at(i).id;
}

workflow::result<workflow::new_token> create_token(workflow::token_store& tokens, const token_request& r,
                                                   const std::string& person_id, const std::string& actor,
                                                   const std::string& via, workflow::time_point now)
{
    const boost::json::object details{{"kind", r.kind}, {"person", person_id}};
    return tokens.create(r.name, r.kind, person_id, r.scopes, now,
                         {actor, "token.create", now, "token \"" + r.name + "\" created", via, "",
                          boost::json::serialize(details)});
}

workflow::result<bool> revoke_token(workflow::token_store& tokens, std::int64_t id, const std::string& actor,
                                    const std::string& via, workflow::time_point now)
{
    const boost::json::object details{{"token_id", id}};
    return tokens.revoke(id, now,
                         {actor, "token.revoke", now, "token " + std::to_string(id) + " revoked", via, "",
                          boost::json::serialize(details)});
}

boost::json::object token_json(const workflow::api_token& t, const std::string& secret)
{
    boost::json::array scopes;
    for (const auto& s : t.scopes)
        scopes.emplace_back(s);
    auto when = [](const std::optional<workflow::time_point>& at) {
        return at ? boost::json::value(workflow::format_utc(*at)) : boost::json::value(nullptr);
    };
    boost::json::object out{{"id", t.id},
                            {"name", t.name},
                            {"kind", t.kind},
                            {"person", t.person_id.empty() ? boost::json::value(nullptr) : boost::json::value(t.person_id)},
                            {"scopes", std::move(scopes)},
                            {"created_at", workflow::format_utc(t.created_at)},
                            {"last_used_at", when(t.last_used_at)},
                            {"revoked_at", when(t.revoked_at)}};
    if (!secret.empty())
        out["token"] = secret;
    return out;
}

} // namespace checkpoint::app
