// Several replicas on one database: two `storage::database`s opened on the same database stand for two
// checkpointd processes. On PostgreSQL (the conformance run) they share it for real; on SQLite each process holds
// its file alone, so the listener does nothing there and the rest is one process's contract again.
#include "fixture.hpp"
#include "storage/audit_log.hpp"
#include "storage/change_listener.hpp"
#include "storage/job_queue.hpp"
#include "storage/petition_store.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

using namespace checkpoint;
using namespace checkpoint::storage::test;
using namespace std::chrono_literals;

namespace {

// Waits for `done` to hold, checking every 5 ms, for at most 10 s (a loaded machine is slow, never wrong).
template <class F>
bool eventually(F done)
{
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

workflow::job_spec job(std::string key)
{
    return workflow::job_spec{"post_card", std::move(key), "{}", at(), workflow::on_duplicate::keep};
}

struct two_replicas {
    checkpoint::test::temp_dir dir;
    std::unique_ptr<storage::database> a = open_db(dir.file("c.db"));
    std::unique_ptr<storage::database> b = open_db(dir.file("c.db"));
};

} // namespace

TEST_CASE_METHOD(two_replicas, "a job queued and a petition changed on one replica are heard on the other")
{
    std::mutex m;
    std::multiset<std::string> petitions_heard;
    std::atomic<int> job_wakes{0};
    storage::change_listener listener(*b, {{"checkpoint_jobs", [&](const std::string&) { ++job_wakes; }},
                                           {"checkpoint_petitions", [&](const std::string& id) {
                                                std::lock_guard lock(m);
                                                petitions_heard.insert(id);
                                            }}});
    if (!checkpoint::test::on_postgresql()) {
        CHECK_FALSE(listener.listening());
        return;
    }
    REQUIRE(eventually([&] { return listener.listening(); }));
    const int before = job_wakes;

    storage::job_queue jobs_a(*a);
    REQUIRE(jobs_a.enqueue(job("J-1"), at()));
    CHECK(eventually([&] { return job_wakes > before; }));

    storage::petition_store petitions_a(*a);
    REQUIRE(petitions_a.file(filing("P-1", at())).value() == workflow::write_status::applied);
    CHECK(eventually([&] {
        std::lock_guard lock(m);
        return petitions_heard.count("P-1") == 1;
    }));

    SECTION("a replica passes over what its own writer told")
    {
        // Its process acted on its own commits already (woke its workers, answered its long polls).
        storage::change_listener own(*a, {{"checkpoint_jobs", [](const std::string&) {}}});
        REQUIRE(eventually([&] { return own.listening(); }));
        const auto heard_on_b = listener.heard();
        REQUIRE(jobs_a.enqueue(job("J-own"), at()));
        REQUIRE(eventually([&] { return listener.heard() > heard_on_b; }));
        CHECK(eventually([&] { return own.own() == 1; }));
        storage::job_queue jobs_b(*b);
        REQUIRE(jobs_b.enqueue(job("J-from-b"), at()));
        CHECK(eventually([&] { return own.heard() == 1; }));
        CHECK(own.own() == 1);
        CHECK(a->notification_origin() != b->notification_origin());
    }

    SECTION("a write that rolls back tells nobody")
    {
        const auto heard = listener.heard();
        auto refused = a->write([&](storage::connection& c) -> workflow::result<bool> {
            storage::job_queue::enqueue_in(c, job("J-rolled-back"), at());
            return workflow::error{"invalid_write", "changed its mind"};
        });
        REQUIRE_FALSE(refused);
        // A write after it, which is told, arrives alone: notifications arrive in commit order, so had the rolled
        // back one been sent, it would have been heard before this one.
        REQUIRE(jobs_a.enqueue(job("J-2"), at()));
        REQUIRE(eventually([&] { return listener.heard() > heard; }));
        CHECK(listener.heard() == heard + 1);
        CHECK_FALSE(jobs_a.find("J-rolled-back").value());
    }
}

TEST_CASE_METHOD(two_replicas, "replicas leasing at once never take the same job")
{
    storage::job_queue jobs_a(*a);
    storage::job_queue jobs_b(*b);
    constexpr int n = 200;
    for (int i = 0; i < n; ++i)
        REQUIRE(jobs_a.enqueue(job("J-" + std::to_string(i)), at()));

    std::mutex m;
    std::vector<std::string> taken;
    auto worker = [&](storage::job_queue& q, std::string owner) {
        for (;;) {
            auto got = q.lease(owner, 7, 10min, at(1));
            REQUIRE(got);
            if (got->empty())
                return;
            std::lock_guard lock(m);
            for (const auto& j : *got)
                taken.push_back(j.key);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back(worker, std::ref(t % 2 ? jobs_a : jobs_b), (t % 2 ? "a/" : "b/") + std::to_string(t));
    for (auto& t : threads)
        t.join();
    CHECK(taken.size() == n);
    CHECK(std::set<std::string>(taken.begin(), taken.end()).size() == n);
}

TEST_CASE_METHOD(two_replicas, "replicas appending to the audit log at once keep one linear chain")
{
    storage::audit_log log_a(*a);
    storage::audit_log log_b(*b);
    constexpr int per_thread = 60;
    auto appender = [&](storage::audit_log& log, std::string who) {
        for (int i = 0; i < per_thread; ++i)
            REQUIRE(log.append({who, "test.append", at(i), "reason", "rule", "", "{}"}));
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back(appender, std::ref(t % 2 ? log_a : log_b), "writer-" + std::to_string(t));
    for (auto& t : threads)
        t.join();
    auto v = log_b.verify();
    REQUIRE(v);
    CHECK(v->ok);
    CHECK(v->checked == 4 * per_thread);
}

TEST_CASE("a notification's payload carries the origin of the writer that sent it", "[sqlite]")
{
    const std::string origin = storage::new_notification_origin();
    REQUIRE(origin.size() == 16);
    CHECK(origin.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(storage::new_notification_origin() != origin);
    const std::string other = "0123456789abcdef";

    struct row {
        std::string sent;
        std::optional<std::string> heard;
    };
    const std::vector<row> rows{
        {storage::tagged_payload(origin, "P-1"), std::nullopt},          // its own: passed over
        {storage::tagged_payload(origin, ""), std::nullopt},
        {storage::tagged_payload(other, "P-1"), "P-1"},                  // another replica's
        {storage::tagged_payload(other, "a:b"), "a:b"},                  // a payload may hold ':'
        {storage::tagged_payload(other, ""), ""},
        {storage::tagged_payload("", "P-1"), "P-1"},                     // an untagged writer
        {"P-1", "P-1"},
        {"not-an-origin:P-1", "not-an-origin:P-1"},
        {"0123456789ABCDEF:P-1", "0123456789ABCDEF:P-1"},                // not what new_notification_origin() makes
    };
    for (const auto& r : rows) {
        INFO(r.sent);
        CHECK(storage::notification_payload(r.sent, origin) == r.heard);
    }
}
