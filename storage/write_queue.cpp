#include "storage/write_queue.hpp"

#include <sqlite3.h>

#include <optional>
#include <semaphore>
#include <vector>

namespace checkpoint::storage {

namespace {

workflow::error storage_failed(const char* what) { return workflow::error{"storage_failed", what}; }

} // namespace

write_queue::write_queue(const std::string& path, commit_mode mode, std::size_t max_batch,
                         std::shared_ptr<const audit_key> key)
    : conn_(path), mode_(mode), max_batch_(max_batch == 0 ? 1 : max_batch), path_(path)
{
    // Before the writer's thread starts: the key is read only on that thread afterwards.
    conn_.use_audit_key(std::move(key));
    // Each write's savepoint journals the pages it touches; in memory that costs a copy, not a temp file.
    conn_.db().exec("PRAGMA temp_store = MEMORY");
    // A whole batch's pages stay in cache until COMMIT writes them to the WAL once.
    // 16 MiB: a batch of 1,024 filings touches a few thousand pages; more only grows the resident set.
    conn_.db().exec("PRAGMA cache_size = -16384");
    // Checkpoints run on a thread of their own, so copying the WAL into the database (and its fsync)
    // never holds up a commit; the hook replaces SQLite's automatic checkpoint in the writer.
    sqlite3_wal_hook(conn_.db().getHandle(), &write_queue::on_wal_commit, this);
    checkpointer_ = std::thread([this] { checkpoint_when_asked(); });
    if (mode_ == commit_mode::group)
        thread_ = std::thread([this] { run(); });
}

write_queue::~write_queue()
{
    {
        std::lock_guard lk(mutex_);
        stopping_ = true;
    }
    has_work_.notify_one();
    checkpoint_cv_.notify_one();
    if (thread_.joinable())
        thread_.join();
    if (checkpointer_.joinable())
        checkpointer_.join();
}

int write_queue::on_wal_commit(void* self, sqlite3*, const char*, int frames)
{
    // 4,096 pages (16 MiB) between checkpoints: SQLite's own default is 1,000.
    constexpr int checkpoint_after = 4096;
    if (frames >= checkpoint_after) {
        auto* q = static_cast<write_queue*>(self);
        {
            std::lock_guard lk(q->mutex_);
            q->checkpoint_wanted_ = true;
        }
        q->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
}

void write_queue::checkpoint_when_asked()
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

write_queue::statistics write_queue::stats() const
{
    std::lock_guard lk(mutex_);
    return stats_;
}

std::size_t write_queue::queued() const
{
    std::lock_guard lk(mutex_);
    return queue_.size();
}

workflow::result<void> write_queue::submit(work w)
{
    std::binary_semaphore ready{0};
    std::optional<workflow::error> failure;
    submit(std::move(w), [&](std::optional<workflow::error> e) {
        failure = std::move(e);
        ready.release();
    });
    ready.acquire();
    if (failure)
        return *failure;
    return {};
}

void write_queue::submit(work w, completion done)
{
    auto it = std::make_unique<item>();
    it->fn = std::move(w);
    it->done = std::move(done);
    if (mode_ == commit_mode::per_call) {
        {
            std::lock_guard lk(per_call_mutex_);
            item* one[] = {it.get()};
            commit(one);
        }
        it->done(std::move(it->failure));
        return;
    }
    {
        std::lock_guard lk(mutex_);
        if (!stopping_) {
            queue_.push_back(std::move(it));
            has_work_.notify_one();
            return;
        }
    }
    it->done(storage_failed("the database is closing"));
}

void write_queue::run()
{
    std::vector<std::unique_ptr<item>> owned;
    std::vector<item*> batch;
    for (;;) {
        owned.clear();
        batch.clear();
        {
            std::unique_lock lk(mutex_);
            has_work_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                return;
            // Everything that queued while the last fsync ran shares the next one.
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(queue_.front().get());
                owned.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        commit(batch);
        for (item* it : batch)
            it->done(std::move(it->failure));
    }
}

void write_queue::commit(std::span<item*> batch)
{
    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    // Nearly every write keeps what it wrote, so a batch first runs without a savepoint per item (a
    // savepoint copies every page it first touches). If one item fails or asks to roll back, the
    // whole attempt is rolled back and the batch runs again with each item in a savepoint of its own.
    if (batch.size() > 1 && attempt(batch, false, started) != attempt_outcome::item_rolled_back)
        return;
    for (item* it : batch)
        it->failure.reset();
    attempt(batch, true, started);
}

write_queue::attempt_outcome write_queue::attempt(std::span<item*> batch, bool savepoints,
                                                  std::chrono::steady_clock::time_point started)
{
    auto fail_all = [&](const workflow::error& e) {
        for (item* it : batch)
            it->failure = e;
        return attempt_outcome::failed;
    };
    using clock = std::chrono::steady_clock;
    auto written = started;
    auto count = [&] {
        const auto finished = clock::now();
        std::lock_guard lk(mutex_);
        ++stats_.batches;
        stats_.writes += batch.size();
        stats_.in_writes += written - started;
        stats_.in_commits += finished - written;
    };
    try {
        conn_.exec("BEGIN IMMEDIATE");
    } catch (const std::exception& e) {
        return fail_all(storage_failed(e.what()));
    }
    std::optional<workflow::error> broken;
    bool rolled_back = false;
    for (item* it : batch) {
        bool keep = false;
        try {
            if (savepoints)
                conn_.exec("SAVEPOINT item");
            keep = it->fn(conn_);
        } catch (const std::exception& e) {
            it->failure = storage_failed(e.what());
        }
        if (!keep && !savepoints) {
            rolled_back = true;
            break;
        }
        try {
            if (savepoints) {
                if (!keep)
                    conn_.exec("ROLLBACK TO item");
                conn_.exec("RELEASE item");
            }
        } catch (const std::exception& e) {
            broken = storage_failed(e.what());
        }
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction by itself.
        if (!broken && sqlite3_get_autocommit(conn_.db().getHandle()))
            broken = storage_failed("the transaction was rolled back by SQLite");
        if (broken)
            break;
    }
    written = clock::now();
    if (!broken && !rolled_back) {
        try {
            conn_.exec("COMMIT");
            count();
            return attempt_outcome::committed;
        } catch (const std::exception& e) {
            broken = storage_failed(e.what());
        }
    }
    // Nothing of this attempt is durable.
    if (!sqlite3_get_autocommit(conn_.db().getHandle())) {
        try {
            conn_.exec("ROLLBACK");
        } catch (const std::exception&) {
            // The connection already abandoned the transaction; nothing more to undo.
        }
    }
    if (rolled_back && !broken)
        return attempt_outcome::item_rolled_back;
    // Everyone hears so, including items that ran fine.
    fail_all(*broken);
    count();
    return attempt_outcome::failed;
}

} // namespace checkpoint::storage
