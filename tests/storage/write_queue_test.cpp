#include "fixture.hpp"
#include "storage/write_queue.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace checkpoint;
using namespace checkpoint::storage::test;

namespace {

workflow::result<long long> insert_event(storage::connection& c, const std::string& id)
{
    auto q = c.use("INSERT INTO slack_events (event_id, received_at) VALUES (?, 1)");
    q->bind(1, id);
    return q->exec();
}

// The writer held up by a first write, spinning (no sleep) until release(): whatever is submitted
// meanwhile queues behind it, so a test can line up a batch.
class held_writer {
public:
    explicit held_writer(storage::database& db)
        : blocker_([this, &db] {
              auto r = db.write([this](storage::connection& c) -> workflow::result<long long> {
                  running_ = true;
                  while (!released_.load())
                      std::this_thread::yield();
                  return insert_event(c, "blocker");
              });
              CHECK(r);
          })
    {
        while (!running_.load())
            std::this_thread::yield();
    }
    ~held_writer() { release(); }
    held_writer(const held_writer&) = delete;
    held_writer& operator=(const held_writer&) = delete;

    void release()
    {
        released_ = true;
        if (blocker_.joinable())
            blocker_.join();
    }

private:
    std::atomic<bool> released_{false};
    std::atomic<bool> running_{false};
    std::thread blocker_;
};

} // namespace

TEST_CASE("writes queued while the writer is busy share one transaction, each with its own result")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    constexpr int writers = 8;

    GIVEN("the writer held up by a first write until eight more are queued")
    {
        held_writer writer(*db);

        std::vector<std::thread> threads;
        std::vector<workflow::result<long long>> results(writers, workflow::error{"unset", ""});
        for (int i = 0; i < writers; ++i)
            threads.emplace_back([&, i] {
                if (i == 3) {
                    // One write fails: only its own changes roll back.
                    results[i] = db->write([&](storage::connection& c) -> workflow::result<long long> {
                        insert_event(c, "doomed");
                        return workflow::error{"refused", "no"};
                    });
                    return;
                }
                if (i == 5) {
                    results[i] = db->write([&](storage::connection& c) -> workflow::result<long long> {
                        insert_event(c, "thrown");
                        throw std::runtime_error("boom");
                    });
                    return;
                }
                results[i] = db->write(
                    [&](storage::connection& c) { return insert_event(c, "E" + std::to_string(i)); });
            });

        WHEN("the writer is let go")
        {
            while (db->writer().queued() != writers)
                std::this_thread::yield();
            const auto before = db->writer().batches();
            writer.release();
            for (auto& t : threads)
                t.join();

            THEN("the eight went through in one more batch; the failed ones alone left nothing")
            {
                CHECK(before == 0);
                CHECK(db->writer().batches() == 2);
                for (int i = 0; i < writers; ++i) {
                    INFO(i);
                    CHECK(results[i].has_value() == (i != 3 && i != 5));
                }
                CHECK(results[3].error().code == "refused");
                CHECK(results[5].error().code == "storage_failed");
                CHECK_THAT(results[5].error().message, Catch::Contains("boom"));
                CHECK(scalar(*db, "SELECT count(*) FROM slack_events") == writers - 2 + 1);
                CHECK(scalar(*db, "SELECT count(*) FROM slack_events WHERE event_id IN ('doomed', 'thrown')") == 0);
            }
        }
    }
}

TEST_CASE("a write that swallowed its own failed statement fails alone, never reported written")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    std::optional<workflow::result<long long>> plain, swallowing;
    {
        held_writer writer(*db); // writes "blocker" in the first batch
        std::thread first([&] { plain = db->write([](storage::connection& c) { return insert_event(c, "A"); }); });
        while (db->writer().queued() != 1)
            std::this_thread::yield();
        // A write that catches its own failed statement and carries on: SQLite undoes that statement alone,
        // PostgreSQL aborts the whole transaction (and would answer a COMMIT with a silent ROLLBACK).
        std::thread second([&] {
            swallowing = db->write([](storage::connection& c) -> workflow::result<long long> {
                insert_event(c, "B");
                try {
                    insert_event(c, "blocker");
                } catch (const storage::sql_error&) {
                }
                return 1;
            });
        });
        while (db->writer().queued() != 2)
            std::this_thread::yield();
        writer.release();
        first.join();
        second.join();
    }
    REQUIRE(plain);
    REQUIRE(swallowing);
    if (checkpoint::test::on_postgresql()) {
        // That write fails and leaves nothing; the other write of its batch is stored.
        CHECK(*plain);
        REQUIRE_FALSE(*swallowing);
        CHECK(swallowing->error().code == "storage_failed");
        CHECK_THAT(swallowing->error().message, Catch::Contains("aborted"));
        CHECK(scalar(*db, "SELECT count(*) FROM slack_events WHERE event_id = 'A'") == 1);
        CHECK(scalar(*db, "SELECT count(*) FROM slack_events WHERE event_id = 'B'") == 0);
    } else {
        CHECK(*plain);
        CHECK(*swallowing);
        CHECK(scalar(*db, "SELECT count(*) FROM slack_events WHERE event_id IN ('A', 'B')") == 2);
    }
}

TEST_CASE("a constraint violation fails only the write that caused it")
{
    auto mode = GENERATE(storage::commit_mode::group, storage::commit_mode::per_call);
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"), {mode, 64});
    REQUIRE(db->write([](storage::connection& c) { return insert_event(c, "E1"); }));

    auto dup = db->write([](storage::connection& c) { return insert_event(c, "E1"); });
    auto next = db->write([](storage::connection& c) { return insert_event(c, "E2"); });

    REQUIRE_FALSE(dup);
    CHECK(dup.error().code == "storage_failed");
    CHECK(next);
    CHECK(scalar(*db, "SELECT count(*) FROM slack_events") == 2);
}

TEST_CASE("many threads writing at once all get durable, distinct results")
{
    auto mode = GENERATE(storage::commit_mode::group, storage::commit_mode::per_call);
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"), {mode, 64});
    constexpr int threads = 6, each = 20;
    std::vector<std::thread> pool;
    std::atomic<int> ok{0};
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < each; ++i)
                if (db->write([&](storage::connection& c) {
                        return insert_event(c, std::to_string(t) + "/" + std::to_string(i));
                    }))
                    ++ok;
        });
    for (auto& t : pool)
        t.join();
    CHECK(ok == threads * each);
    CHECK(scalar(*db, "SELECT count(*) FROM slack_events") == threads * each);
    CHECK(db->writer().batches() <= static_cast<std::size_t>(threads * each));
}

TEST_CASE("a write handed over with a completion returns at once and hears its own outcome once it is durable")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));

    // The writer held up by a first write, so nothing queued after it can commit yet.
    held_writer writer(*db);

    // Submitted from this thread, which does not wait: the calls return while the writer is stuck.
    constexpr int writes = 6;
    std::atomic<int> heard{0};
    std::vector<std::optional<workflow::result<long long>>> outcomes(writes);
    std::vector<std::thread::id> heard_on(writes);
    for (int i = 0; i < writes; ++i) {
        std::function<workflow::result<long long>(storage::connection&)> work;
        if (i == 2)
            work = [](storage::connection& c) -> workflow::result<long long> {
                insert_event(c, "refused");
                return workflow::error{"refused", "no"};
            };
        else
            work = [i](storage::connection& c) { return insert_event(c, "A" + std::to_string(i)); };
        db->write_async<workflow::result<long long>>(std::move(work), [&, i](workflow::result<long long> r) {
            outcomes[i] = std::move(r);
            heard_on[i] = std::this_thread::get_id();
            ++heard;
        });
    }
    CHECK(db->writer().queued() == writes);
    CHECK(heard.load() == 0);

    writer.release();
    while (heard.load() != writes)
        std::this_thread::yield();

    for (int i = 0; i < writes; ++i) {
        INFO("write " << i);
        REQUIRE(outcomes[i]);
        CHECK(heard_on[i] != std::this_thread::get_id());
        if (i == 2) {
            REQUIRE_FALSE(*outcomes[i]);
            CHECK(outcomes[i]->error().code == "refused");
        } else {
            CHECK(*outcomes[i]);
        }
    }
    // The refused write left nothing; the others are all there.
    auto count = db->read([](storage::connection& c) -> workflow::result<long long> {
        auto q = c.use("SELECT count(*) FROM slack_events WHERE event_id LIKE 'A%' OR event_id = 'refused'");
        q->executeStep();
        return q->getColumn(0).getInt64();
    });
    CHECK(count.value() == writes - 1);
}
