#pragma once

#include "workflow/error.hpp"

#include <SQLiteCpp/Database.h>

#include <memory>
#include <mutex>
#include <string>

namespace checkpoint::storage {

// The SQLite database: WAL, foreign keys, durable commits, numbered migrations applied at open.
// One connection shared behind a mutex; callers hold `lock()` for the span of their statements.
class database {
public:
    // Opens (creating if needed) and migrates; refuses a database newer than this binary.
    static workflow::result<std::unique_ptr<database>> open(const std::string& path);

    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
    SQLite::Database& connection() { return db_; }

    // The schema version applied (PRAGMA user_version).
    int schema_version();
    // A cheap query that proves the file is open and readable.
    bool ping();

    static int latest_schema_version();

private:
    explicit database(const std::string& path);

    std::mutex mutex_;
    SQLite::Database db_;
};

} // namespace checkpoint::storage
