#include "storage/sqlite_connection.hpp"

#include <sqlite3.h>

#include <optional>

namespace checkpoint::storage {

namespace {

sql_error translated(const SQLite::Exception& e)
{
    const int code = e.getExtendedErrorCode();
    const bool unique = code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
    return sql_error(e.what(), unique ? sql_error::kind::unique_violation : sql_error::kind::other);
}

class sqlite_statement final : public statement {
public:
    sqlite_statement(SQLite::Database& db, const std::string& sql) : s_(db, sql) {}

    bool executeStep() override
    {
        try {
            return s_.executeStep();
        } catch (const SQLite::Exception& e) {
            throw translated(e);
        }
    }
    int exec() override
    {
        try {
            return s_.exec();
        } catch (const SQLite::Exception& e) {
            throw translated(e);
        }
    }
    void reset() override
    {
        s_.tryReset();
        s_.clearBindings();
    }
    int column_count() override { return s_.getColumnCount(); }
    std::string column_name(int index) override { return s_.getColumnName(index); }
    std::int64_t int64_at(int index) override { return s_.getColumn(index).getInt64(); }
    std::string text_at(int index) override { return s_.getColumn(index).getString(); }
    bool null_at(int index) override { return s_.getColumn(index).isNull(); }

protected:
    void bind_int64(int index, std::int64_t value) override { s_.bind(index, value); }
    void bind_text(int index, std::string_view value) override { s_.bind(index, std::string(value)); }
    void bind_null(int index) override { s_.bind(index); }
    int index_of(const char* name) override { return s_.getIndex(name); }

private:
    SQLite::Statement s_;
};

int open_flags(sqlite_connection::access a)
{
    // No mutex of SQLite's own: a connection is used by one thread at a time (the writer's thread, or a
    // reader holding the database's lock), so serialized mode would only add a lock to every call.
    if (a == sqlite_connection::access::read_only)
        return SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX;
    return SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX;
}

} // namespace

sqlite_connection::sqlite_connection(const std::string& path, access a) : db_(path, open_flags(a)), path_(path)
{
    db_.setBusyTimeout(5000);
    if (a == access::read_only)
        return;
    db_.exec("PRAGMA journal_mode=WAL");
    // A request acknowledged to Slack must survive a power cut; the setting is per connection.
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=ON");
}

sqlite_connection::~sqlite_connection()
{
    // The cache is the base class's, destroyed after db_: its statements are finalized here, before the close.
    forget_statements();
    {
        std::lock_guard lk(mutex_);
        stopping_ = true;
    }
    checkpoint_cv_.notify_one();
    if (checkpointer_.joinable())
        checkpointer_.join();
}

std::unique_ptr<statement> sqlite_connection::prepare(const std::string& sql)
{
    try {
        return std::make_unique<sqlite_statement>(db_, sql);
    } catch (const SQLite::Exception& e) {
        throw translated(e);
    }
}

void sqlite_connection::begin_write() { db_.exec("BEGIN IMMEDIATE"); }

void sqlite_connection::begin_read() { db_.exec("BEGIN"); }

bool sqlite_connection::in_transaction() { return sqlite3_get_autocommit(db_.getHandle()) == 0; }

void sqlite_connection::tune_for_writer()
{
    // Each write's savepoint journals the pages it touches; in memory that costs a copy, not a temp file.
    db_.exec("PRAGMA temp_store = MEMORY");
    // A whole batch's pages stay in cache until COMMIT writes them to the WAL once.
    // 16 MiB: a batch of 1,024 filings touches a few thousand pages; more only grows the resident set.
    db_.exec("PRAGMA cache_size = -16384");
    // The hook replaces SQLite's automatic checkpoint in the writer.
    sqlite3_wal_hook(db_.getHandle(), &sqlite_connection::on_wal_commit, this);
    checkpointer_ = std::thread([this] { checkpoint_when_asked(); });
}

int sqlite_connection::on_wal_commit(void* self, sqlite3*, const char*, int frames)
{
    // 4,096 pages (16 MiB) between checkpoints: SQLite's own default is 1,000.
    constexpr int checkpoint_after = 4096;
    if (frames >= checkpoint_after) {
        auto* c = static_cast<sqlite_connection*>(self);
        {
            std::lock_guard lk(c->mutex_);
            c->checkpoint_wanted_ = true;
        }
        c->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
}

void sqlite_connection::checkpoint_when_asked()
{
    std::optional<SQLite::Database> c;
    for (;;) {
        {
            std::unique_lock lk(mutex_);
            checkpoint_cv_.wait(lk, [&] { return stopping_ || checkpoint_wanted_; });
            if (stopping_)
                return;
            checkpoint_wanted_ = false;
        }
        try {
            if (!c) {
                c.emplace(path_, SQLite::OPEN_READWRITE);
                c->setBusyTimeout(5000);
                c->exec("PRAGMA synchronous=FULL");
            }
            // PASSIVE: copies what no reader still needs, without waiting for or blocking the writer.
            c->exec("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (const std::exception&) {
            // A checkpoint that fails is retried at the next request; the WAL keeps every commit meanwhile.
        }
    }
}

} // namespace checkpoint::storage
