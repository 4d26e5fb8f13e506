#include "storage/write_queue.hpp"

#include <optional>
#include <semaphore>
#include <vector>

namespace checkpoint::storage {

namespace {

workflow::error storage_failed(const char* what) { return workflow::error{"storage_failed", what}; }

} // namespace

write_queue::write_queue(std::unique_ptr<connection> conn, commit_mode mode, std::size_t max_batch)
    : conn_(std::move(conn)), mode_(mode), max_batch_(max_batch == 0 ? 1 : max_batch)
{
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
    if (thread_.joinable())
        thread_.join();
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
        conn_->ensure_open();
        conn_->begin_write();
    } catch (const std::exception& e) {
        return fail_all(storage_failed(e.what()));
    }
    std::optional<workflow::error> broken;
    bool rolled_back = false;
    for (item* it : batch) {
        bool keep = false;
        auto told_before = savepoints ? conn_->notifications() : connection::notification_set{};
        try {
            if (savepoints)
                conn_->exec("SAVEPOINT item");
            keep = it->fn(*conn_);
        } catch (const std::exception& e) {
            it->failure = storage_failed(e.what());
        }
        // A write that caught its own failed statement and carried on: on PostgreSQL the transaction is aborted, so
        // the write failed, and only its savepoint is rolled back (the batch's other writes are kept).
        if (keep && conn_->transaction_aborted()) {
            keep = false;
            it->failure = storage_failed("a statement of this write failed and the database aborted its transaction; "
                                         "nothing of the write was stored");
        }
        if (!keep && !savepoints) {
            rolled_back = true;
            break;
        }
        try {
            if (savepoints) {
                if (!keep) {
                    conn_->exec("ROLLBACK TO item");
                    conn_->restore_notifications(std::move(told_before));
                }
                conn_->exec("RELEASE item");
            }
        } catch (const std::exception& e) {
            broken = storage_failed(e.what());
        }
        // Some errors (disk full, I/O, a lost connection) make the database roll back the whole transaction by itself.
        if (!broken && !conn_->in_transaction())
            broken = storage_failed("the transaction was rolled back by the database");
        if (broken)
            break;
    }
    written = clock::now();
    if (!broken && !rolled_back) {
        try {
            conn_->commit();
            count();
            return attempt_outcome::committed;
        } catch (const std::exception& e) {
            broken = storage_failed(e.what());
        }
    }
    // Nothing of this attempt is durable, and nobody is told of it.
    conn_->forget_notifications();
    if (conn_->in_transaction()) {
        try {
            conn_->exec("ROLLBACK");
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
