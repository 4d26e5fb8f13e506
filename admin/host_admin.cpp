#include "admin/host_admin.hpp"

#include "app/audit_anchors.hpp"
#include "app/tokens.hpp"
#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/database_copy.hpp"
#include "storage/token_store.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <variant>

namespace checkpoint::admin {

namespace json = boost::json;

namespace {

// A file must be there already (a typo must not make an empty database); a PostgreSQL server is asked at open.
workflow::result<void> must_exist(const std::string& file)
{
    auto target = storage::parse_database_target(file);
    if (!target)
        return target.error();
    if (target->backend != storage::backend::sqlite)
        return {};
    std::error_code ec;
    if (!std::filesystem::is_regular_file(target->location, ec))
        return workflow::error{"not_found", "no database at " + file + "; pass the server's CHECKPOINT_DB (a file, or "
                                            "its postgresql:// address) with --database."};
    return {};
}

workflow::result<std::unique_ptr<storage::database>> open_existing(const std::string& file)
{
    if (auto there = must_exist(file); !there)
        return there.error();
    return storage::database::open(file);
}

// The database with the audit key found for it (`generate`: made beside it when there is none). Events written
// before keys are left for checkpointd to seal and announce; an empty chain is sealed here.
workflow::result<std::unique_ptr<storage::database>> open_keyed(const std::string& file, const audit_key_settings& settings,
                                                                bool generate)
{
    auto found = find_audit_key(settings, file, generate);
    if (!found)
        return found.error();
    storage::database_options options;
    options.seal_audit = false;
    if (*found) {
        for (const auto& w : (*found)->warnings)
            std::cerr << "warning: " << w << "\n";
        auto key = storage::audit_key::make((*found)->secret);
        if (!key)
            return workflow::error{key.error().code, key.error().message + " (" + (*found)->source + ")"};
        options.audit_key = *key;
    }
    auto db = storage::database::open(file, options);
    if (!db) {
        if ((*found) && (*found)->generated)
            std::filesystem::remove(default_audit_key_file(file));
        return explain_audit_key_error(db.error(), *found);
    }
    return db;
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

workflow::result<void> check_told_anchor(std::string_view text)
{
    auto a = app::parse_told_anchor(text);
    if (!a)
        return workflow::error{a.error().code, "--anchor: " + a.error().message};
    return {};
}

workflow::result<json::object> verify_audit_file(const std::string& database_file, const audit_key_settings& key,
                                                 const std::vector<std::string>& told)
{
    std::vector<workflow::audit_anchor> outside;
    for (const auto& t : told) {
        auto a = app::parse_told_anchor(t);
        if (!a)
            return workflow::error{a.error().code, "--anchor: " + a.error().message};
        outside.push_back(std::move(*a));
    }
    if (auto there = must_exist(database_file); !there)
        return there.error();
    auto db = open_keyed(database_file, key, false);
    if (!db)
        return db.error();
    storage::audit_log log(**db);
    auto v = log.verify(outside);
    if (!v)
        return explain_audit_key_error(v.error(), std::nullopt);
    return app::verification_json(*v);
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

workflow::result<json::object> copy_database(const std::string& from_file, const std::string& to,
                                             const audit_key_settings& key)
{
    auto from_target = storage::parse_database_target(from_file);
    if (!from_target)
        return from_target.error();
    if (from_target->backend != storage::backend::sqlite)
        return workflow::error{"usage", "--from: give the SQLite file checkpointd used (its CHECKPOINT_DB)"};
    auto to_target = storage::parse_database_target(to);
    if (!to_target)
        return to_target.error();
    if (to_target->backend != storage::backend::postgresql)
        return workflow::error{"usage", "--to: give the PostgreSQL database as postgresql://user:password@host:port/db"};
    if (auto there = must_exist(from_file); !there)
        return there.error();
    // The source's key: what its chain was sealed with, and what the copy is verified with.
    auto found = find_audit_key(key, from_target->location, false);
    if (!found)
        return found.error();
    auto source = open_keyed(from_file, key, false);
    if (!source)
        return source.error();
    // The destination opens without a key, so it is not sealed before the source's seal arrives with the chain.
    storage::database_options unsealed;
    unsealed.seal_audit = false;
    auto destination = storage::database::open(to, unsealed);
    if (!destination)
        return destination.error();
    auto copied = storage::copy_database(**source, **destination);
    if (!copied)
        return copied.error();
    destination->reset();

    storage::database_options keyed;
    keyed.seal_audit = false;
    if (*found) {
        auto k = storage::audit_key::make((*found)->secret);
        if (!k)
            return k.error();
        keyed.audit_key = *k;
    }
    auto copy = storage::database::open(to, keyed);
    if (!copy)
        return explain_audit_key_error(copy.error(), *found);
    storage::audit_log log(**copy);
    auto v = log.verify();
    if (!v)
        return explain_audit_key_error(v.error(), *found);
    if (!v->ok)
        return workflow::error{"audit_chain_broken", "the copy's audit chain does not verify: " + v->problem};
    json::object out;
    out["from"] = from_file;
    out["to"] = (*copy)->target().shown();
    json::array tables;
    std::uint64_t rows = 0;
    for (const auto& t : *copied) {
        tables.push_back(json::object{{"table", t.table}, {"rows", t.rows}});
        rows += t.rows;
    }
    out["tables"] = std::move(tables);
    out["rows"] = rows;
    out["audit"] = app::verification_json(*v);
    out["key_source"] = *found ? (*found)->source : std::string("none");
    return out;
}

workflow::result<json::object> create_token_in_file(const std::string& database_file, open_mode mode,
                                                    const std::string& name, const std::string& kind,
                                                    const std::string& person, const std::vector<std::string>& scopes,
                                                    const std::string& expires, const std::string& manifests_dir,
                                                    const std::string& actor,
                                                    const audit_key_settings& key)
{
    auto usage = [](std::string m) { return workflow::error{"usage", std::move(m)}; };
    const app::token_request r{name, kind, person, scopes, expires};
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
        case app::token_field::expires: return usage("--expires: " + no->message);
        }
    }
    if (mode == open_mode::existing)
        if (auto there = must_exist(database_file); !there)
            return there.error();
    auto db = open_keyed(database_file, key, mode == open_mode::create);
    if (!db)
        return db.error();
    storage::token_store tokens(**db);
    workflow::system_clock clock;
    app::token_maker maker;
    maker.actor = actor;
    maker.via.channel = "cli";
    if (m)
        maker.security_channel = m->settings.security_channel;
    auto made = app::create_token(tokens, r, std::get<app::token_plan>(checked), maker, clock.now());
    if (!made)
        return made.error();
    return app::token_json(made->token, made->secret);
}

} // namespace checkpoint::admin
