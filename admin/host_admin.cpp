#include "admin/host_admin.hpp"

#include "app/tokens.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/token_store.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <optional>
#include <variant>

namespace checkpoint::admin {

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

workflow::result<json::object> create_token_in_file(const std::string& database_file, open_mode mode,
                                                    const std::string& name, const std::string& kind,
                                                    const std::string& person, const std::vector<std::string>& scopes,
                                                    const std::string& manifests_dir, const std::string& actor)
{
    auto usage = [](std::string m) { return workflow::error{"usage", std::move(m)}; };
    const app::token_request r{name, kind, person, scopes};
    // The directory is read only for a personal token; a service token needs no manifests.
    workflow::directory none;
    std::optional<workflow::manifests> m;
    if (kind == "personal" && !person.empty()) {
        auto loaded = loader::load_manifests(manifests_dir);
        if (!loaded)
            return workflow::error{"manifests", "cannot read the directory in " + manifests_dir + ":\n" +
                                                    loader::format(loaded.error())};
        m = std::move(*loaded);
    }
    auto checked = app::check_token_request(r, m ? m->directory : none);
    if (auto* no = std::get_if<app::token_refusal>(&checked)) {
        switch (no->field) {
        case app::token_field::name: return usage(no->message);
        case app::token_field::kind: return usage("--kind: " + no->message);
        case app::token_field::person:
            return usage("--person: " + no->message +
                         (no->message.find("not in the directory") != std::string::npos ? " (read from " + manifests_dir + ")"
                                                                                       : std::string()));
        case app::token_field::scopes: return usage("--scopes: " + no->message);
        }
    }
    auto db = mode == open_mode::existing ? open_existing(database_file) : storage::database::open(database_file);
    if (!db)
        return db.error();
    storage::token_store tokens(**db);
    workflow::system_clock clock;
    auto made = app::create_token(tokens, r, std::get<std::string>(checked), actor, "cli", clock.now());
    if (!made)
        return made.error();
    return app::token_json(made->token, made->secret);
}

} // namespace checkpoint::admin
