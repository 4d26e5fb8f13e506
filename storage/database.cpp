#include "storage/database.hpp"

#include "storage/migrations.hpp"

#include <SQLiteCpp/Transaction.h>

namespace checkpoint::storage {

database::database(const std::string& path)
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX)
{
}

int database::latest_schema_version() { return migrations().back().version; }

int database::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

bool database::ping()
{
    auto guard = lock();
    try {
        return db_.execAndGet("SELECT count(*) FROM sqlite_schema").getInt() >= 0;
    } catch (const SQLite::Exception&) {
        return false;
    }
}

workflow::result<std::unique_ptr<database>> database::open(const std::string& path)
{
    std::unique_ptr<database> db;
    try {
        db.reset(new database(path));
        auto& c = db->db_;
        c.setBusyTimeout(5000);
        c.exec("PRAGMA journal_mode=WAL");
        // A request acknowledged to Slack must survive a power cut.
        c.exec("PRAGMA synchronous=FULL");
        c.exec("PRAGMA foreign_keys=ON");

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
    } catch (const SQLite::Exception& e) {
        return workflow::error{"database_open_failed", "cannot open the database " + path + ": " + e.what()};
    }
    return db;
}

} // namespace checkpoint::storage
