#include "bot/api/token_admin.hpp"

#include "bot/api/api_auth.hpp"
#include "bot/api/api_json.hpp"
#include "storage/audit_log.hpp"
#include "storage/token_store.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <boost/json/serialize.hpp>

namespace checkpoint::bot::api {

workflow::result<boost::json::object> create_token_on(const database_opener& open_db, const std::string& name,
                                                      const std::string& kind, const std::string& person,
                                                      const std::vector<std::string>& scopes,
                                                      const std::string& manifests_dir, const std::string& actor)
{
    auto usage = [](std::string m) { return workflow::error{"usage", std::move(m)}; };
    if (name.empty() || name.size() > 100)
        return usage("a token's name is 1 to 100 characters, such as \"bootstrap-admin\".");
    if (scopes.empty())
        return usage("--scopes needs at least one of " + scope_names() + ".");
    for (const auto& s : scopes)
        if (!parse_scope(s))
            return usage("--scopes: \"" + s + "\" is not a scope; scopes are " + scope_names() + ".");
    std::string person_id;
    if (kind == "personal") {
        if (person.empty())
            return usage("a personal token needs --person (a directory id such as u-2001, an external id or an email).");
        auto m = loader::load_manifests(manifests_dir);
        if (!m)
            return workflow::error{"manifests", "cannot read the directory in " + manifests_dir + ":\n" +
                                                    loader::format(m.error())};
        const auto i = m->directory.find(person);
        if (i == workflow::no_person)
            return usage("--person: \"" + person + "\" is not in the directory at " + manifests_dir + ".");
        person_id = m->directory.at(i).id;
    } else if (kind != "service") {
        return usage("--kind is service or personal, not \"" + kind + "\".");
    } else if (!person.empty()) {
        return usage("--person is only for personal tokens (--kind personal); a service token acts for no one.");
    }
    auto opened = open_db();
    if (!opened)
        return opened.error();
    storage::database& db = **opened;
    storage::token_store tokens(db);
    workflow::system_clock clock;
    auto made = tokens.create(name, kind, person_id, scopes, clock.now());
    if (!made)
        return made.error();
    storage::audit_log audit(db);
    const boost::json::object details{{"token_id", made->token.id}, {"kind", kind}, {"person", person_id}};
    if (auto a = audit.append({actor, "token.create", clock.now(), "token \"" + name + "\" created on the database file",
                               "cli", "", boost::json::serialize(details)});
        !a)
        return workflow::error{a.error().code, "the token was made but its audit event was not written (" +
                                                   a.error().message + "); revoke it and try again"};
    return token_json(made->token, made->secret);
}

} // namespace checkpoint::bot::api
