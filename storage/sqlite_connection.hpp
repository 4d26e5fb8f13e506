#pragma once

#include "storage/connection.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace checkpoint::storage {

// A connection to an SQLite file with the durable settings: WAL, synchronous=FULL, foreign keys.
class sqlite_connection final : public connection {
public:
    enum class access { read_write, read_only };
    explicit sqlite_connection(const std::string& path, access a = access::read_write);
    ~sqlite_connection() override;

    storage::backend backend() const override { return storage::backend::sqlite; }
    SQLite::Database& db() { return db_; }
    void exec_script(const std::string& sql) override { db_.exec(sql); }
    void begin_write() override;
    void begin_read() override;
    bool in_transaction() override;

    // For the single writer: a batch's pages stay in cache until COMMIT, and the WAL is checkpointed on a
    // thread of its own, so copying it into the database (and its fsync) never holds up a commit.
    void tune_for_writer();

protected:
    std::unique_ptr<statement> prepare(const std::string& sql) override;

private:
    static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);
    void checkpoint_when_asked();

    SQLite::Database db_;
    std::string path_;
    std::mutex mutex_;
    bool stopping_ = false;
    bool checkpoint_wanted_ = false;
    std::condition_variable checkpoint_cv_;
    std::thread checkpointer_;
};

} // namespace checkpoint::storage
