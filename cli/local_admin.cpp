#include "cli/local_admin.hpp"

#include "bot/api/api_auth.hpp"
#include "bot/api/api_json.hpp"
#include "storage/audit_log.hpp"
#include "storage/token_store.hpp"
#include "storage/database.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>

namespace checkpoint::cli {

namespace json = boost::json;

namespace {

workflow::result<std::unique_ptr<storage::database>> open_existing(const std::string& file)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        return workflow::error{"not_found", "no database at " + file + "; pass the server's CHECKPOINT_DB file with --database."};
    return storage::database::open(file);
}

} // namespace

json::object check_manifests(const std::string& dir)
{
    json::object out;
    out["dir"] = dir;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        out["ok"] = false;
        out["errors"] = json::array{json::object{{"file", dir}, {"line", 0}, {"field", ""},
                                                 {"message", "not a directory; pass the manifests folder"}}};
        return out;
    }
    auto loaded = loader::load_manifests(dir);
    if (loaded) {
        out["ok"] = true;
        out["bundles"] = loaded->catalog.bundles().size();
        out["people"] = loaded->directory.size();
        return out;
    }
    json::array errors;
    for (const auto& e : loaded.error().errors)
        errors.push_back(json::object{{"file", e.file}, {"line", e.line}, {"field", e.field}, {"message", e.message}});
    out["ok"] = false;
    out["errors"] = std::move(errors);
    return out;
}

workflow::result<json::object> verify_audit_file(const std::string& database_file)
{
    auto db = open_existing(database_file);
    if (!db)
        return db.error();
    storage::audit_log log(**db);
    auto v = log.verify();
    if (!v)
        return v.error();
    json::object out;
    out["ok"] = v->ok;
    out["events"] = v->checked;
    if (!v->ok) {
        if (v->first_bad_seq)
            out["first_bad"] = *v->first_bad_seq;
        out["problem"] = v->problem;
    }
    return out;
}

workflow::result<json::object> backup_database(const std::string& database_file, const std::string& backup_file)
{
    std::error_code ec;
    if (std::filesystem::exists(backup_file, ec))
        return workflow::error{"exists", backup_file + " already exists; choose a new file name for the backup."};
    auto db = open_existing(database_file);
    if (!db)
        return db.error();
    if (auto done = (*db)->backup(backup_file); !done)
        return done.error();
    // Prove the copy opens and is sound before calling it a backup.
    auto copy = storage::database::open(backup_file);
    if (!copy)
        return copy.error();
    auto integrity = (*copy)->integrity_check();
    if (!integrity)
        return integrity.error();
    json::object out;
    out["database"] = database_file;
    out["backup"] = backup_file;
    out["integrity"] = *integrity;
    return out;
}

workflow::result<json::object> create_token_in_file(const std::string& database_file, const std::string& name,
                                                    const std::string& kind, const std::string& person,
                                                    const std::vector<std::string>& scopes,
                                                    const std::string& manifests_dir)
{
    auto usage = [](std::string m) { return workflow::error{"usage", std::move(m)}; };
    if (name.empty() || name.size() > 100)
        return usage("a token's name is 1 to 100 characters, such as \"bootstrap-admin\".");
    if (scopes.empty())
        return usage("--scopes needs at least one of " + bot::api::scope_names() + ".");
    for (const auto& s : scopes)
        if (!bot::api::parse_scope(s))
            return usage("--scopes: \"" + s + "\" is not a scope; scopes are " + bot::api::scope_names() + ".");
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
    } else if (!person.empty()) {
        return usage("--person is only for personal tokens (--kind personal); a service token acts for no one.");
    }
    auto db = open_existing(database_file);
    if (!db)
        return db.error();
    storage::token_store tokens(**db);
    workflow::system_clock clock;
    auto made = tokens.create(name, kind, person_id, scopes, clock.now());
    if (!made)
        return made.error();
    storage::audit_log audit(**db);
    const json::object details{{"token_id", made->token.id}, {"kind", kind}, {"person", person_id}};
    if (auto a = audit.append({"checkpoint-cli", "token.create", clock.now(),
                               "token \"" + name + "\" created on the database file", "cli", "",
                               json::serialize(details)});
        !a)
        return workflow::error{a.error().code, "the token was made but its audit event was not written (" +
                                                   a.error().message + "); revoke it and try again"};
    json::array scope_list;
    for (const auto& s : scopes)
        scope_list.emplace_back(s);
    return json::object{{"id", made->token.id},
                        {"name", name},
                        {"kind", kind},
                        {"person", person_id.empty() ? json::value(nullptr) : json::value(person_id)},
                        {"scopes", std::move(scope_list)},
                        {"created_at", bot::api::rfc3339(made->token.created_at)},
                        {"token", made->secret}};
}

} // namespace checkpoint::cli
