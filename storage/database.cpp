#include "storage/database.hpp"

#include "storage/audit_log.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sqlite_connection.hpp"

#include <SQLiteCpp/Backup.h>

#include <sqlite3.h>

namespace checkpoint::storage {

namespace {

std::span<const migration> migrations_for(storage::backend b)
{
    return b == storage::backend::postgresql ? pg_migrations() : migrations();
}

std::unique_ptr<storage::connection> connect_to(const database_target& t)
{
    if (t.backend == storage::backend::postgresql)
        return std::make_unique<pg_connection>(t.location);
    return std::make_unique<sqlite_connection>(t.location);
}

// Replicas opening one PostgreSQL database at once take turns at migrating and sealing: this session lock
// (any constant of our own; "checkpnt" in ASCII) is held from the first read of the schema version to the end
// of open().
constexpr const char* pg_open_lock = "SELECT pg_advisory_lock(7166182367041005684)";
constexpr const char* pg_open_unlock = "SELECT pg_advisory_unlock(7166182367041005684)";

} // namespace

std::string database_target::shown() const
{
    return backend == storage::backend::postgresql ? redacted_uri(location) : location;
}

workflow::result<database_target> parse_database_target(std::string_view given)
{
    if (given.starts_with("postgresql://") || given.starts_with("postgres://"))
        return database_target{storage::backend::postgresql, std::string(given)};
    if (given.starts_with("sqlite:"))
        given.remove_prefix(7);
    if (given.empty())
        return workflow::error{"bad_database", "the database is empty: give a file path, sqlite:PATH, or a "
                                               "postgresql://user:password@host:port/database URI"};
    if (given.find("://") != std::string_view::npos)
        return workflow::error{"bad_database", "the database " + std::string(given.substr(0, given.find("://") + 3)) +
                                                   "… is not one Checkpoint knows: give a file path, sqlite:PATH, "
                                                   "or a postgresql:// (or postgres://) URI"};
    return database_target{storage::backend::sqlite, std::string(given)};
}

database::database(database_target target) : target_(std::move(target)), reader_(connect_to(target_)) {}

int database::latest_schema_version() { return migrations().back().version; }

int database::schema_version()
{
    if (target_.backend == storage::backend::postgresql) {
        auto q = reader_->use("SELECT coalesce((SELECT version FROM checkpoint_schema WHERE one = 1), 0)");
        q->executeStep();
        return q->getColumn(0).getInt();
    }
    auto q = reader_->use("PRAGMA user_version");
    q->executeStep();
    return q->getColumn(0).getInt();
}

bool database::ping()
{
    auto guard = lock();
    try {
        reader_->ensure_open();
        auto q = reader_->use("SELECT 1");
        return q->executeStep() && q->getColumn(0).getInt() == 1;
    } catch (const std::exception&) {
        return false;
    }
}

void database::migrate()
{
    auto& c = *reader_;
    const bool pg = target_.backend == storage::backend::postgresql;
    if (pg)
        c.exec_script("CREATE TABLE IF NOT EXISTS checkpoint_schema (one BIGINT PRIMARY KEY CHECK (one = 1), "
                      "version BIGINT NOT NULL, migrated_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    const int have = schema_version();
    const int latest = latest_schema_version();
    if (have > latest)
        throw workflow::error_exception({"database_too_new",
                              "the database " + target_.shown() + " has schema version " + std::to_string(have) +
                                  ", newer than this checkpointd understands (" + std::to_string(latest) +
                                  "); run the newer checkpointd or restore a backup"});
    for (const auto& m : migrations_for(target_.backend)) {
        if (m.version <= have)
            continue;
        c.begin_write();
        try {
            c.exec_script(std::string(m.sql));
            if (pg) {
                auto v = c.use("INSERT INTO checkpoint_schema (one, version) VALUES (1, ?) "
                               "ON CONFLICT (one) DO UPDATE SET version = excluded.version, migrated_at = now()");
                v->bind(1, m.version);
                v->exec();
            } else {
                c.exec_script("PRAGMA user_version = " + std::to_string(m.version));
            }
            c.exec("COMMIT");
        } catch (...) {
            if (c.in_transaction())
                c.exec("ROLLBACK");
            throw;
        }
    }
}

workflow::result<std::unique_ptr<database>> database::open(const std::string& given, database_options options)
{
    // SQLite counts every allocation under a global mutex unless told not to; only possible before its
    // first use in the process, and harmless (SQLITE_MISUSE) after.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;
    auto target = parse_database_target(given);
    if (!target)
        return target.error();
    std::unique_ptr<database> db;
    const bool pg = target->backend == storage::backend::postgresql;
    try {
        db.reset(new database(*target));
        if (pg)
            db->reader_->exec(pg_open_lock);
        struct unlock_at_end {
            database& d;
            bool pg;
            ~unlock_at_end()
            {
                if (!pg)
                    return;
                try {
                    d.reader_->exec(pg_open_unlock);
                } catch (const std::exception&) {
                    // The session ends with the connection if it was lost; its lock goes with it.
                }
            }
        } unlock{*db, pg};
        db->migrate();
        if (options.audit_key) {
            // Before any write: the key must be the chain's, and a chain from before keys is sealed now.
            auto sealed = audit_log::bind_key(*db->reader_, *options.audit_key, options.seal_audit);
            if (!sealed)
                return sealed.error();
            db->audit_seal_ = *sealed;
            if (sealed->keyed) {
                db->audit_key_ = options.audit_key;
                db->reader_->use_audit_key(options.audit_key);
            }
        }
        auto writer = connect_to(*target);
        writer->use_audit_key(db->audit_key_);
        if (pg) {
            db->origin_ = new_notification_origin();
            static_cast<pg_connection&>(*writer).tag_notifications(db->origin_);
        } else {
            static_cast<sqlite_connection&>(*writer).tune_for_writer();
        }
        db->writer_ = std::make_unique<write_queue>(std::move(writer), options.mode, options.max_batch);
    } catch (const workflow::error_exception& e) {
        return e.get();
    } catch (const std::exception& e) {
        return workflow::error{"database_open_failed", "cannot open the database " + target->shown() + ": " + e.what()};
    }
    return db;
}

std::unique_ptr<storage::connection> database::connect()
{
    if (target_.backend == storage::backend::postgresql)
        return std::make_unique<pg_connection>(target_.location);
    return std::make_unique<sqlite_connection>(target_.location, sqlite_connection::access::read_only);
}

workflow::result<void> database::backup(const std::string& file)
{
    if (target_.backend != storage::backend::sqlite)
        return workflow::error{"backup_failed", "checkpoint's backup copies an SQLite file; back up PostgreSQL with "
                                                "pg_dump or the server's own backups"};
    try {
        // A connection of its own, so readers and the writer carry on while the copy runs.
        SQLite::Database source(path(), SQLite::OPEN_READONLY);
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
    if (target_.backend != storage::backend::sqlite)
        return workflow::error{"not_supported", "the integrity check is SQLite's; PostgreSQL checks its pages itself"};
    return read([](storage::connection& c) -> workflow::result<std::string> {
        auto q = c.use("PRAGMA integrity_check");
        std::string out;
        while (q->executeStep())
            out += (out.empty() ? "" : "\n") + q->getColumn(0).getString();
        // In place: workflow::error is constructible from a string too.
        return workflow::result<std::string>(boost::system::in_place_value, std::move(out));
    });
}

} // namespace checkpoint::storage
