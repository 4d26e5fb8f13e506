#include "fixture.hpp"
#include "storage/job_queue.hpp"
#include "workflow/petition_json.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace checkpoint;
using namespace checkpoint::storage::test;
using namespace std::chrono_literals;
using workflow::job_status;
using workflow::settle_outcome;

namespace {

workflow::job_spec spec(std::string key, workflow::time_point run_at, std::string payload = "{\"n\":1}",
                        workflow::on_duplicate dup = workflow::on_duplicate::keep)
{
    return workflow::job_spec{"post_card", std::move(key), std::move(payload), run_at, dup};
}

// A queue whose jitter is pinned at the midpoint: no jitter at all.
struct queue_fixture {
    checkpoint::test::temp_dir dir;
    std::unique_ptr<storage::database> db = open_db(dir.file("c.db"));
    workflow::retry_policy policy{10s, 5min, 0.2, 1h};
    double jitter = 0.5;
    storage::job_queue queue{*db, policy, [this] { return jitter; }};
};

} // namespace

TEST_CASE_METHOD(queue_fixture, "enqueue is idempotent by key")
{
    auto first = queue.enqueue(spec("k1", at(5)), at());
    REQUIRE(first);
    CHECK(first->status == job_status::pending);
    CHECK(first->run_at == at(5));

    SECTION("a duplicate keeps the first job as it was")
    {
        auto again = queue.enqueue(spec("k1", at(50), "{\"n\":2}"), at(1));
        REQUIRE(again);
        CHECK(again->id == first->id);
        CHECK(again->run_at == at(5));
        CHECK(again->payload == "{\"n\":1}");
        CHECK(scalar(*db, "SELECT count(*) FROM jobs") == 1);
    }
    SECTION("a replacing duplicate moves it, and revives it after it ran")
    {
        auto leased = queue.lease("w", 1, 1min, at(5)).value();
        REQUIRE(leased.size() == 1);
        REQUIRE(queue.complete(leased[0].id, "w", at(6)).value().outcome == settle_outcome::completed);
        auto moved = queue.enqueue(spec("k1", at(90), "{\"n\":3}", workflow::on_duplicate::replace), at(7));
        REQUIRE(moved);
        CHECK(moved->id == first->id);
        CHECK(moved->status == job_status::pending);
        CHECK(moved->run_at == at(90));
        CHECK(moved->attempts == 0);
        CHECK(moved->payload == "{\"n\":3}");
    }
}

TEST_CASE_METHOD(queue_fixture, "lease takes only due jobs, earliest first, up to the limit")
{
    REQUIRE(queue.enqueue(spec("later", at(60)), at()));
    REQUIRE(queue.enqueue(spec("second", at(2)), at()));
    REQUIRE(queue.enqueue(spec("first", at(1)), at()));
    REQUIRE(queue.enqueue(spec("third", at(3)), at()));

    auto leased = queue.lease("w1", 2, 30s, at(10));

    REQUIRE(leased);
    REQUIRE(leased->size() == 2);
    CHECK((*leased)[0].key == "first");
    CHECK((*leased)[1].key == "second");
    CHECK((*leased)[0].status == job_status::leased);
    CHECK((*leased)[0].lease_owner == "w1");
    CHECK((*leased)[0].attempts == 1);
    CHECK((*leased)[0].lease_expires == at(10) + 30s);

    THEN("a leased job is not leased again while its lease holds")
    {
        auto next = queue.lease("w2", 10, 30s, at(10)).value();
        REQUIRE(next.size() == 1);
        CHECK(next[0].key == "third");
    }
}

TEST_CASE_METHOD(queue_fixture, "complete needs the live lease")
{
    REQUIRE(queue.enqueue(spec("k", at()), at()));
    auto job = queue.lease("w1", 1, 30s, at()).value().at(0);

    SECTION("the owner completes it")
    {
        CHECK(queue.complete(job.id, "w1", at(1)).value().outcome == settle_outcome::completed);
        CHECK(queue.find("k").value()->status == job_status::done);
        CHECK(queue.next_run_at().value() == std::nullopt);
    }
    SECTION("another worker cannot")
    {
        CHECK(queue.complete(job.id, "w2", at(1)).value().outcome == settle_outcome::lease_lost);
    }
    SECTION("a worker whose lease expired and was retaken cannot")
    {
        auto retaken = queue.lease("w2", 1, 30s, at(1)).value();
        REQUIRE(retaken.size() == 1);
        CHECK(retaken[0].attempts == 2);
        CHECK(queue.complete(job.id, "w1", at(2)).value().outcome == settle_outcome::lease_lost);
        CHECK(queue.complete(job.id, "w2", at(2)).value().outcome == settle_outcome::completed);
    }
}

TEST_CASE_METHOD(queue_fixture, "a failed job backs off exponentially with jitter, honours retry-after, then dies")
{
    struct row {
        const char* name;
        int failures_before;
        double jitter;
        std::optional<workflow::duration> retry_after;
        std::chrono::milliseconds expected_delay;
    };
    auto r = GENERATE(row{"first failure waits the base", 0, 0.5, std::nullopt, 10s},
                      row{"second failure doubles", 1, 0.5, std::nullopt, 20s},
                      row{"third failure doubles again", 2, 0.5, std::nullopt, 40s},
                      row{"lowest jitter takes 20% off", 2, 0.0, std::nullopt, 32s},
                      row{"highest jitter adds 20%", 2, 1.0, std::nullopt, 48s},
                      row{"the cap holds", 8, 0.5, std::nullopt, 5min},
                      row{"a longer retry-after wins", 0, 0.5, 90s, 90s},
                      row{"a shorter retry-after does not shorten the backoff", 1, 0.5, 1s, 20s});
    INFO(r.name);
    REQUIRE(queue.enqueue(spec("k", at()), at()));
    auto now = at();
    for (int i = 0; i < r.failures_before; ++i) {
        auto j = queue.lease("w", 1, 30s, now).value().at(0);
        auto s = queue.fail(j.id, "w", "boom", std::nullopt, now, false).value();
        REQUIRE(s.outcome == settle_outcome::retrying);
        now = *s.next_run_at;
    }
    // Late enough that earlier backoff has passed, still inside the one-hour window.
    jitter = r.jitter;
    auto j = queue.lease("w", 1, 30s, now).value().at(0);
    auto s = queue.fail(j.id, "w", "HTTP 429", r.retry_after, now, false);

    REQUIRE(s);
    CHECK(s->outcome == settle_outcome::retrying);
    REQUIRE(s->next_run_at);
    CHECK(*s->next_run_at - now == r.expected_delay);
    auto stored = queue.find("k").value().value();
    CHECK(stored.status == job_status::pending);
    CHECK(stored.last_error == "HTTP 429");
    CHECK(stored.lease_owner.empty());
    CHECK(queue.next_run_at().value() == *s->next_run_at);
}

TEST_CASE_METHOD(queue_fixture,
                 "a job failing past the retry window is dead, leaves a gave_up job in the same write, and is never leased again")
{
    REQUIRE(queue.enqueue(spec("k", at()), at()));
    auto j = queue.lease("w", 1, 30s, at()).value().at(0);
    REQUIRE(queue.fail(j.id, "w", "down", std::nullopt, at(1), false).value().outcome == settle_outcome::retrying);

    // First attempt at(0); a failure at 59 minutes with a 20 s (or more) backoff ends past the hour.
    auto again = queue.lease("w", 1, 30s, at(59)).value().at(0);
    auto s = queue.fail(again.id, "w", "still down", std::nullopt, at(59) + 50s, false);

    REQUIRE(s);
    CHECK(s->outcome == settle_outcome::dead);
    CHECK(queue.find("k").value()->status == job_status::dead);

    auto left = queue.lease("w", 5, 30s, at(600)).value();
    REQUIRE(left.size() == 1);
    CHECK(left[0].kind == workflow::gave_up_kind);
    CHECK(left[0].key == "gave-up/k/" + std::to_string(workflow::to_millis(at())));
    auto carried = boost::json::parse(left[0].payload).as_object();
    CHECK(carried.at("kind").as_string() == spec("k", at()).kind);
    CHECK(carried.at("key").as_string() == "k");
    CHECK(carried.at("error").as_string() == "still down");
    CHECK(carried.at("attempts").as_int64() == 2);

    SECTION("a gave_up job that dies in turn leaves nothing behind")
    {
        auto last = queue.fail(left[0].id, "w", "cannot", std::nullopt, at(600) + 25h, false);
        CHECK(last.value().outcome == settle_outcome::dead);
    }
    SECTION("once it is done, nothing is due")
    {
        REQUIRE(queue.complete(left[0].id, "w", at(601)));
    }
    CHECK(queue.lease("w", 1, 30s, at(600) + 48h).value().empty());
    CHECK(queue.next_run_at().value() == std::nullopt);
}

TEST_CASE_METHOD(queue_fixture, "expired leases are reclaimed - live ones are not")
{
    REQUIRE(queue.enqueue(spec("a", at()), at()));
    REQUIRE(queue.enqueue(spec("b", at()), at()));
    REQUIRE(queue.lease("w1", 1, 1min, at()).value().size() == 1);
    REQUIRE(queue.lease("w2", 1, 10min, at()).value().size() == 1);

    auto reclaimed = queue.reclaim_expired(at(5));

    REQUIRE(reclaimed);
    CHECK(*reclaimed == 1);
    CHECK(queue.find("a").value()->status == job_status::pending);
    CHECK(queue.find("b").value()->status == job_status::leased);
    // Due since its lease ran out, so it goes ahead of jobs that fell due later.
    CHECK(queue.next_run_at().value() == at(1));
    CHECK(queue.reclaim_expired(at(5)).value() == 0);
}

TEST_CASE_METHOD(queue_fixture, "complete_all settles a batch in one write, skipping jobs whose lease was lost")
{
    for (const char* k : {"a", "b", "c"})
        REQUIRE(queue.enqueue(spec(k, at()), at()));
    auto mine = queue.lease("w1", 2, 30s, at()).value();
    REQUIRE(mine.size() == 2);
    auto theirs = queue.lease("w2", 1, 30s, at()).value();
    REQUIRE(theirs.size() == 1);
    const std::vector<std::int64_t> ids{mine[0].id, mine[1].id, theirs[0].id};
    CHECK(queue.complete_all(ids, "w1", at(1)).value() == 2);
    CHECK(queue.find(mine[0].key).value()->status == job_status::done);
    CHECK(queue.find(mine[1].key).value()->status == job_status::done);
    CHECK(queue.find(theirs[0].key).value()->status == job_status::leased);
    CHECK(queue.complete_all({}, "w1", at(1)).value() == 0);
}

TEST_CASE_METHOD(queue_fixture, "reclaim_all takes back a replica's own live leases at once (start-up after a crash)")
{
    REQUIRE(queue.enqueue(spec("a", at()), at()));
    REQUIRE(queue.enqueue(spec("b", at()), at()));
    REQUIRE(queue.enqueue(spec("later", at(60)), at()));
    // Replica "host:3001" dies holding "a"; replica "host:3002" (and "host:30011", a name it prefixes) live on.
    REQUIRE(queue.lease("host:3001/0", 1, 10min, at()).value().size() == 1);
    REQUIRE(queue.lease("host:30011/0", 1, 10min, at()).value().size() == 1);
    CHECK(queue.lease("host:3002/1", 5, 10min, at(1)).value().empty());
    // Restarted under the same name, it takes back its own lease only.
    CHECK(queue.reclaim_all(at(1), "host:3001").value() == 1);
    CHECK(queue.find("b").value()->status == job_status::leased);
    auto again = queue.lease("host:3001/0", 5, 10min, at(1)).value();
    REQUIRE(again.size() == 1);
    CHECK(again[0].key == "a");
    CHECK(queue.find("later").value()->status == job_status::pending);
}

TEST_CASE_METHOD(queue_fixture, "next_run_at is the earliest pending run or lease expiry")
{
    CHECK(queue.next_run_at().value() == std::nullopt);
    REQUIRE(queue.enqueue(spec("late", at(30)), at()));
    REQUIRE(queue.enqueue(spec("soon", at(10)), at()));
    CHECK(queue.next_run_at().value() == at(10));
    REQUIRE(queue.lease("w", 1, 5min, at(10)).value().size() == 1);
    CHECK(queue.next_run_at().value() == at(15));
}

TEST_CASE_METHOD(queue_fixture, "jobs in one lane run one at a time, in the order they were enqueued")
{
    auto in_lane = [&](std::string key, workflow::time_point run_at, std::string lane) {
        auto s = spec(std::move(key), run_at);
        s.lane = std::move(lane);
        return queue.enqueue(s, at()).value();
    };
    const auto waiting = in_lane("to-kofi/waiting", at(1), "to/u-4001");
    in_lane("to-kofi/approved", at(1), "to/u-4001");
    in_lane("to-kofi/active", at(1), "to/u-4001");
    in_lane("to-alex/card", at(1), "to/u-2002");
    REQUIRE(queue.enqueue(spec("no-lane", at(1)), at()));

    // One per lane, the first of each, even in one lease; the others wait without being looked at.
    auto first = queue.lease("w", 10, 30min, at(2)).value();
    std::vector<std::string> keys;
    for (const auto& j : first)
        keys.push_back(j.key);
    std::sort(keys.begin(), keys.end());
    CHECK(keys == std::vector<std::string>{"no-lane", "to-alex/card", "to-kofi/waiting"});
    // The next of a lane is not due while the first is leased, so workers do not wake for it.
    CHECK(queue.next_run_at().value() == at(32));

    SECTION("a retry holds the lane: the later jobs wait behind it")
    {
        REQUIRE(queue.fail(waiting.id, "w", "slack down", std::nullopt, at(3), false).value().outcome ==
                settle_outcome::retrying);
        CHECK(queue.lease("w", 10, 30min, at(3)).value().empty());
        CHECK(queue.next_run_at().value() == at(3) + 10s);
        auto next = queue.lease("w", 10, 30min, at(4)).value();
        REQUIRE(next.size() == 1);
        CHECK(next[0].key == "to-kofi/waiting");
    }
    SECTION("a job given up on frees the lane")
    {
        REQUIRE(queue.fail(waiting.id, "w", "slack down", std::nullopt, at(2) + 2h, false).value().outcome ==
                settle_outcome::dead);
        auto next = queue.lease("w", 10, 30min, at(2) + 2h).value();
        REQUIRE_FALSE(next.empty());
        CHECK(std::any_of(next.begin(), next.end(), [](const auto& j) { return j.key == "to-kofi/approved"; }));
        CHECK(std::none_of(next.begin(), next.end(), [](const auto& j) { return j.key == "to-kofi/active"; }));
    }
    SECTION("a job done or cancelled frees the lane for the next, in order")
    {
        REQUIRE(queue.complete(waiting.id, "w", at(3)).value().outcome == settle_outcome::completed);
        auto next = queue.lease("w", 10, 30min, at(4)).value();
        REQUIRE(next.size() == 1);
        CHECK(next[0].key == "to-kofi/approved");
        REQUIRE(queue.cancel("to-kofi/approved", at(5)).value());
        next = queue.lease("w", 10, 30min, at(6)).value();
        REQUIRE(next.size() == 1);
        CHECK(next[0].key == "to-kofi/active");
    }
}

TEST_CASE_METHOD(queue_fixture, "cancel and reschedule by key")
{
    REQUIRE(queue.enqueue(spec("expire/P-1", at(60)), at()));

    SECTION("reschedule moves it")
    {
        CHECK(queue.reschedule("expire/P-1", at(120), at(1)).value());
        CHECK(queue.find("expire/P-1").value()->run_at == at(120));
        CHECK(queue.lease("w", 1, 30s, at(60)).value().empty());
    }
    SECTION("cancel drops it, once")
    {
        CHECK(queue.cancel("expire/P-1", at(1)).value());
        CHECK(queue.find("expire/P-1").value()->status == job_status::cancelled);
        CHECK_FALSE(queue.cancel("expire/P-1", at(2)).value());
        CHECK(queue.lease("w", 1, 30s, at(600)).value().empty());
    }
    SECTION("unknown keys are false, not errors")
    {
        CHECK_FALSE(queue.cancel("nope", at(1)).value());
        CHECK_FALSE(queue.reschedule("nope", at(1), at(1)).value());
        CHECK(queue.find("nope").value() == std::nullopt);
    }
}

TEST_CASE_METHOD(queue_fixture, "the due-job lookup reads the partial index, not the future jobs", "[sqlite]")
{
    auto guard = db->lock();
    for (const std::string sql :
         {"EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE status < 2 AND due_at <= 5 ORDER BY due_at LIMIT 10",
          "EXPLAIN QUERY PLAN SELECT min(due_at) FROM jobs WHERE status < 2 AND due_at < 9223372036854775807"}) {
        SQLite::Statement plan(sqlite_of(db->connection()), sql);
        std::string detail;
        while (plan.executeStep())
            detail += plan.getColumn(3).getString() + "\n";
        INFO(sql);
        CHECK_THAT(detail, Catch::Contains("INDEX jobs_due"));
        CHECK_THAT(detail, !Catch::Contains("TEMP B-TREE"));
    }
}

TEST_CASE_METHOD(queue_fixture, "a job knows when its previous attempt may have had its effect")
{
    REQUIRE(queue.enqueue(spec("a", at()), at()));
    auto first = queue.lease("w1", 1, 1min, at()).value();
    REQUIRE(first.size() == 1);
    CHECK_FALSE(first[0].effect_unknown);

    SECTION("a worker that died mid-attempt: its lease is taken back at start-up")
    {
        REQUIRE(queue.reclaim_all(at(1), "w1").value() == 1);
        auto again = queue.lease("w2", 1, 1min, at(1)).value();
        REQUIRE(again.size() == 1);
        CHECK(again[0].effect_unknown);
        CHECK(again[0].attempts == 2);
        CHECK(again[0].first_attempt_at == first[0].first_attempt_at);

        AND_THEN("it stays unknown through a clean failure until a new life of the key")
        {
            REQUIRE(queue.fail(again[0].id, "w2", "paced", std::nullopt, at(1), true).value().outcome ==
                    settle_outcome::retrying);
            CHECK(queue.find("a").value()->effect_unknown);
            REQUIRE(queue.reschedule("a", at(5), at(2)).value());
            CHECK_FALSE(queue.find("a").value()->effect_unknown);
        }
    }
    SECTION("a lease that ran out and is retaken")
    {
        auto again = queue.lease("w2", 1, 1min, at(2)).value();
        REQUIRE(again.size() == 1);
        CHECK(again[0].effect_unknown);
    }
    SECTION("a failure that says so, and one that says not")
    {
        REQUIRE(queue.fail(first[0].id, "w1", "timed out", std::nullopt, at(), true));
        auto again = queue.lease("w1", 1, 1min, at(1)).value();
        REQUIRE(again.size() == 1);
        CHECK(again[0].effect_unknown);
        REQUIRE(queue.fail(again[0].id, "w1", "ratelimited", std::nullopt, at(1), false));
        auto third = queue.lease("w1", 1, 1min, at(3)).value();
        REQUIRE(third.size() == 1);
        CHECK_FALSE(third[0].effect_unknown);
    }
}

TEST_CASE_METHOD(queue_fixture, "hand_back returns an untried job without counting the attempt")
{
    REQUIRE(queue.enqueue(spec("a", at()), at()));
    REQUIRE(queue.reclaim_all(at(), "w").value() == 0);
    auto leased = queue.lease("w1", 1, 1min, at()).value();
    REQUIRE(leased.size() == 1);

    CHECK_FALSE(queue.hand_back(leased[0].id, "someone-else", at(), at()).value());
    REQUIRE(queue.hand_back(leased[0].id, "w1", at() + 2s, at()).value());
    auto j = queue.find("a").value();
    CHECK(j->status == job_status::pending);
    CHECK(j->attempts == 0);
    CHECK(j->run_at == at() + 2s);
    CHECK(queue.lease("w1", 1, 1min, at() + 1s).value().empty());
    auto again = queue.lease("w1", 1, 1min, at() + 2s).value();
    REQUIRE(again.size() == 1);
    CHECK(again[0].attempts == 1);
    CHECK_FALSE(again[0].effect_unknown);
}
