#include "storage/database.hpp"

#include "storage/audit_log.hpp"
#include "storage/migrations.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

namespace checkpoint::storage {

database::database(const std::string& path) : path_(path), reader_(path) {}

int database::latest_schema_version() { return migrations().back().version; }

int database::schema_version() { return reader_.db().execAndGet("PRAGMA user_version").getInt(); }

bool database::ping()
{
    auto guard = lock();
    try {
        return reader_.db().execAndGet("SELECT count(*) FROM sqlite_schema").getInt() >= 0;
    } catch (const SQLite::Exception&) {
        return false;
    }
}

workflow::result<std::unique_ptr<database>> database::open(const std::string& path, database_options options)
{
    // SQLite counts every allocation under a global mutex unless told not to; only possible before its
    // first use in the process, and harmless (SQLITE_MISUSE) after.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;
    std::unique_ptr<database> db;
    try {
        db.reset(new database(path));
        auto& c = db->reader_.db();

        const int have = db->schema_version();
        const int latest = latest_schema_version();
        if (have > latest)
            return workflow::error{"database_too_new",
                                   "the database " + path + " has schema version " + std::to_string(have) +
                                       ", newer than this checkpointd understands (" + std::to_string(latest) +
                                       "); run the newer checkpointd or restore a backup"};
        for (const auto& m : migrations()) {
            if (m.version <= have)
                continue;
            SQLite::Transaction tx(c);
            c.exec(std::string(m.sql));
            c.exec("PRAGMA user_version = " + std::to_string(m.version));
            tx.commit();
        }
        if (options.audit_key) {
            // Before any write: the key must be the chain's, and a chain from before keys is sealed now.
            auto sealed = audit_log::bind_key(db->reader_, *options.audit_key, options.seal_audit);
            if (!sealed)
                return sealed.error();
            db->audit_seal_ = *sealed;
            if (sealed->keyed) {
                db->audit_key_ = options.audit_key;
                db->reader_.use_audit_key(options.audit_key);
            }
        }
        db->writer_ = std::make_unique<write_queue>(path, options.mode, options.max_batch, db->audit_key_);
    } catch (const SQLite::Exception& e) {
        return workflow::error{"database_open_failed", "cannot open the database " + path + ": " + e.what()};
    }
    return db;
}

workflow::result<void> database::backup(const std::string& file)
{
    try {
        // A connection of its own, so readers and the writer carry on while the copy runs.
        SQLite::Database source(path_, SQLite::OPEN_READONLY);
        source.setBusyTimeout(5000);
        SQLite::Database dest(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        SQLite::Backup copy(dest, source);
        // One step copies every page from one snapshot; in WAL mode the writer is not blocked meanwhile.
        if (const int rc = copy.executeStep(-1); rc != SQLITE_DONE)
            return workflow::error{"backup_failed", "cannot back up to " + file + ": " + sqlite3_errstr(rc)};
    } catch (const std::exception& e) {
        return workflow::error{"backup_failed", "cannot back up to " + file + ": " + e.what()};
    }
    return {};
}

workflow::result<std::string> database::integrity_check()
{
    return read([](storage::connection& c) -> workflow::result<std::string> {
        SQLite::Statement q(c.db(), "PRAGMA integrity_check");
        std::string out;
        while (q.executeStep())
            out += (out.empty() ? "" : "\n") + q.getColumn(0).getString();
        // In place: workflow::error is constructible from a string too.
        return workflow::result<std::string>(boost::system::in_place_value, std::move(out));
    });
}

} // namespace checkpoint::storage
