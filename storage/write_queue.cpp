#include "storage/write_queue.hpp"

#include <sqlite3.h>

#include <vector>

namespace checkpoint::storage {

namespace {

workflow::error storage_failed(const char* what) { return workflow::error{"storage_failed", what}; }

} // namespace

write_queue::write_queue(const std::string& path, commit_mode mode, std::size_t max_batch)
    : conn_(path), mode_(mode), max_batch_(max_batch == 0 ? 1 : max_batch)
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

std::size_t write_queue::batches() const
{
    std::lock_guard lk(mutex_);
    return batches_;
}

std::size_t write_queue::queued() const
{
    std::lock_guard lk(mutex_);
    return queue_.size();
}

workflow::result<void> write_queue::submit(work w)
{
    item it;
    it.fn = std::move(w);
    item* one[] = {&it};
    if (mode_ == commit_mode::per_call) {
        std::lock_guard lk(per_call_mutex_);
        commit(one);
        std::lock_guard count(mutex_);
        ++batches_;
    } else {
        {
            std::lock_guard lk(mutex_);
            if (stopping_)
                return storage_failed("the database is closing");
            queue_.push_back(&it);
        }
        has_work_.notify_one();
        it.ready.acquire();
    }
    if (it.failure)
        return *it.failure;
    return {};
}

void write_queue::run()
{
    std::vector<item*> batch;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lk(mutex_);
            has_work_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                return;
            // Everything that queued while the last fsync ran shares the next one.
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(queue_.front());
                queue_.pop_front();
            }
        }
        commit(batch);
        {
            std::lock_guard lk(mutex_);
            ++batches_;
        }
        for (item* it : batch)
            it->ready.release();
    }
}

void write_queue::commit(std::span<item*> batch)
{
    auto fail_all = [&](const workflow::error& e) {
        for (item* it : batch)
            it->failure = e;
    };
    try {
        conn_.exec("BEGIN IMMEDIATE");
    } catch (const std::exception& e) {
        return fail_all(storage_failed(e.what()));
    }
    std::optional<workflow::error> broken;
    for (item* it : batch) {
        bool keep = false;
        try {
            conn_.exec("SAVEPOINT item");
            keep = it->fn(conn_);
        } catch (const std::exception& e) {
            it->failure = storage_failed(e.what());
        }
        try {
            if (!keep)
                conn_.exec("ROLLBACK TO item");
            conn_.exec("RELEASE item");
        } catch (const std::exception& e) {
            broken = storage_failed(e.what());
        }
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction by itself.
        if (!broken && sqlite3_get_autocommit(conn_.db().getHandle()))
            broken = storage_failed("the transaction was rolled back by SQLite");
        if (broken)
            break;
    }
    if (!broken) {
        try {
            conn_.exec("COMMIT");
            return;
        } catch (const std::exception& e) {
            broken = storage_failed(e.what());
        }
    }
    // Nothing of this batch is durable: everyone hears so, including items that ran fine.
    if (!sqlite3_get_autocommit(conn_.db().getHandle())) {
        try {
            conn_.exec("ROLLBACK");
        } catch (const std::exception&) {
            // The connection already abandoned the transaction; nothing more to undo.
        }
    }
    fail_all(*broken);
}

} // namespace checkpoint::storage
