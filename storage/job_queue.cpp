#include "storage/job_queue.hpp"

#include "storage/backoff.hpp"
#include "workflow/petition_json.hpp"

#include <boost/json.hpp>

#include <random>

namespace checkpoint::storage {

namespace {

#define CHECKPOINT_JOB_COLUMNS                                                                                         \
    "id, kind, key, payload, status, run_at, created_at, attempts, first_attempt_at, lease_owner, lease_expires, "     \
    "last_error, effect_unknown"

// No earlier job of the row's lane (aliased j) is still to run.
#define CHECKPOINT_LANE_FREE                                                                                           \
    "(j.lane IS NULL OR NOT EXISTS (SELECT 1 FROM jobs e WHERE e.lane = j.lane AND e.status < 2 AND e.id < j.id))"

constexpr int pending = 0;
constexpr int leased = 1;
constexpr int dead = 3;

workflow::job read_job(SQLite::Statement& q)
{
    workflow::job j;
    j.id = q.getColumn(0).getInt64();
    j.kind = q.getColumn(1).getString();
    j.key = q.getColumn(2).getString();
    j.payload = q.getColumn(3).getString();
    j.status = static_cast<workflow::job_status>(q.getColumn(4).getInt());
    j.run_at = from_millis(q.getColumn(5).getInt64());
    j.created_at = from_millis(q.getColumn(6).getInt64());
    j.attempts = q.getColumn(7).getInt();
    if (!q.getColumn(8).isNull())
        j.first_attempt_at = from_millis(q.getColumn(8).getInt64());
    j.lease_owner = q.getColumn(9).getString();
    if (!q.getColumn(10).isNull())
        j.lease_expires = from_millis(q.getColumn(10).getInt64());
    j.last_error = q.getColumn(11).getString();
    j.effect_unknown = q.getColumn(12).getInt() != 0;
    return j;
}

std::optional<workflow::job> find_in(connection& c, std::string_view key)
{
    auto q = c.use("SELECT " CHECKPOINT_JOB_COLUMNS " FROM jobs WHERE key = ?");
    q->bind(1, std::string(key));
    if (!q->executeStep())
        return std::nullopt;
    return read_job(*q);
}

double default_jitter()
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

} // namespace

job_queue::job_queue(database& db, workflow::retry_policy policy, jitter_source jitter)
    : db_(db), policy_(policy), jitter_(jitter ? std::move(jitter) : jitter_source(default_jitter))
{
}

bool job_queue::enqueue_in(connection& c, const workflow::job_spec& spec, workflow::time_point now)
{
    const auto payload = spec.payload.empty() ? std::string("{}") : spec.payload;
    const auto run_at = to_millis(spec.run_at);
    {
        auto insert = c.use("INSERT INTO jobs (key, kind, payload, status, run_at, due_at, created_at, updated_at, lane) "
                            "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING");
        insert->bind(1, spec.key);
        insert->bind(2, spec.kind);
        insert->bind(3, payload);
        insert->bind(4, run_at);
        insert->bind(5, run_at);
        insert->bind(6, to_millis(now));
        insert->bind(7, to_millis(now));
        if (spec.lane.empty())
            insert->bind(8);
        else
            insert->bind(8, spec.lane);
        if (insert->exec() == 1)
            return true;
    }
    if (spec.duplicate == workflow::on_duplicate::keep)
        return false;
    auto update = c.use("UPDATE jobs SET kind = ?, payload = ?, status = 0, run_at = ?, due_at = ?, attempts = 0, "
                        "first_attempt_at = NULL, lease_owner = NULL, lease_expires = NULL, last_error = '', "
                        "effect_unknown = 0, updated_at = ?, lane = ? WHERE key = ?");
    update->bind(1, spec.kind);
    update->bind(2, payload);
    update->bind(3, run_at);
    update->bind(4, run_at);
    update->bind(5, to_millis(now));
    if (spec.lane.empty())
        update->bind(6);
    else
        update->bind(6, spec.lane);
    update->bind(7, spec.key);
    return update->exec() == 1;
}

bool job_queue::cancel_in(connection& c, std::string_view key, workflow::time_point now)
{
    auto q = c.use("UPDATE jobs SET status = 4, lease_owner = NULL, lease_expires = NULL, updated_at = ? "
                   "WHERE key = ? AND status < 2");
    q->bind(1, to_millis(now));
    q->bind(2, std::string(key));
    return q->exec() == 1;
}

workflow::result<workflow::job> job_queue::enqueue(const workflow::job_spec& spec, workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<workflow::job> {
        enqueue_in(c, spec, now);
        if (auto j = find_in(c, spec.key))
            return *j;
        return workflow::error{"storage_failed", "job " + spec.key + " vanished during enqueue"};
    });
}

workflow::result<std::vector<workflow::job>> job_queue::lease(std::string_view owner, std::size_t max,
                                                              workflow::duration lease_for, workflow::time_point now)
{
    const auto now_ms = to_millis(now);
    const auto expires = to_millis(now + lease_for);
    return db_.write([&](connection& c) -> workflow::result<std::vector<workflow::job>> {
        std::vector<std::int64_t> ids;
        {
            // `status < 2` repeats the partial index's condition so the planner uses it. A job behind an
            // earlier one of its lane waits (one statement, so two of a lane are never taken together).
            auto due = c.use("SELECT id FROM jobs j WHERE status < 2 AND due_at <= ? AND " CHECKPOINT_LANE_FREE
                             " ORDER BY due_at LIMIT ?");
            due->bind(1, now_ms);
            due->bind(2, static_cast<std::int64_t>(max));
            while (due->executeStep())
                ids.push_back(due->getColumn(0).getInt64());
        }
        std::vector<workflow::job> out;
        out.reserve(ids.size());
        for (auto id : ids) {
            // Retaking a lease that ran out (status 1): its worker never reported, so its effect is unknown.
            auto take = c.use("UPDATE jobs SET status = 1, lease_owner = ?, lease_expires = ?, due_at = ?, "
                              "attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, ?), "
                              "effect_unknown = CASE WHEN status = 1 THEN 1 ELSE effect_unknown END, "
                              "updated_at = ? WHERE id = ? RETURNING " CHECKPOINT_JOB_COLUMNS);
            take->bind(1, std::string(owner));
            take->bind(2, expires);
            take->bind(3, expires);
            take->bind(4, now_ms);
            take->bind(5, now_ms);
            take->bind(6, id);
            if (take->executeStep())
                out.push_back(read_job(*take));
        }
        return out;
    });
}

workflow::result<workflow::settled> job_queue::complete(std::int64_t id, std::string_view owner,
                                                        workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<workflow::settled> {
        auto q = c.use("UPDATE jobs SET status = 2, lease_owner = NULL, lease_expires = NULL, updated_at = ? "
                       "WHERE id = ? AND status = 1 AND lease_owner = ?");
        q->bind(1, to_millis(now));
        q->bind(2, id);
        q->bind(3, std::string(owner));
        if (q->exec() == 0)
            return workflow::settled{workflow::settle_outcome::lease_lost, std::nullopt};
        return workflow::settled{workflow::settle_outcome::completed, std::nullopt};
    });
}

workflow::result<std::size_t> job_queue::complete_all(std::span<const std::int64_t> ids, std::string_view owner,
                                                     workflow::time_point now)
{
    if (ids.empty())
        return std::size_t{0};
    return db_.write([&](connection& c) -> workflow::result<std::size_t> {
        std::size_t done = 0;
        for (auto id : ids) {
            auto q = c.use("UPDATE jobs SET status = 2, lease_owner = NULL, lease_expires = NULL, updated_at = ? "
                           "WHERE id = ? AND status = 1 AND lease_owner = ?");
            q->bind(1, to_millis(now));
            q->bind(2, id);
            q->bind(3, std::string(owner));
            done += static_cast<std::size_t>(q->exec());
        }
        return done;
    });
}

workflow::result<workflow::settled> job_queue::fail(std::int64_t id, std::string_view owner, std::string_view error,
                                                    std::optional<workflow::duration> retry_after,
                                                    workflow::time_point now, bool effect_unknown)
{
    const double unit = jitter_();
    return db_.write([&](connection& c) -> workflow::result<workflow::settled> {
        int attempts = 0;
        workflow::time_point first_attempt = now;
        std::string kind, key, payload;
        {
            auto q = c.use("SELECT attempts, first_attempt_at, kind, key, payload FROM jobs "
                           "WHERE id = ? AND status = 1 AND lease_owner = ?");
            q->bind(1, id);
            q->bind(2, std::string(owner));
            if (!q->executeStep())
                return workflow::settled{workflow::settle_outcome::lease_lost, std::nullopt};
            attempts = q->getColumn(0).getInt();
            if (!q->getColumn(1).isNull())
                first_attempt = from_millis(q->getColumn(1).getInt64());
            kind = q->getColumn(2).getString();
            key = q->getColumn(3).getString();
            payload = q->getColumn(4).getString();
        }
        auto delay = backoff_delay(policy_, attempts, unit);
        if (retry_after)
            delay = std::max(delay, std::chrono::duration_cast<std::chrono::milliseconds>(*retry_after));
        const auto next = now + delay;
        const bool give_up = next > first_attempt + policy_.give_up_after;
        auto q = c.use("UPDATE jobs SET status = ?, run_at = ?, due_at = ?, lease_owner = NULL, lease_expires = NULL, "
                       "last_error = ?, effect_unknown = ?, updated_at = ? WHERE id = ?");
        q->bind(1, give_up ? dead : pending);
        q->bind(2, to_millis(next));
        q->bind(3, to_millis(next));
        q->bind(4, std::string(error));
        q->bind(5, effect_unknown ? 1 : 0);
        q->bind(6, to_millis(now));
        q->bind(7, id);
        q->exec();
        if (give_up) {
            // What giving up entails (a petition marked failed, teams told) is a job of its own,
            // durable with the dead mark: a crash between the two cannot lose it.
            if (kind != workflow::gave_up_kind)
                enqueue_in(c,
                           // One per life of the key: a job revived under it (replace) that dies again
                           // has a later first attempt.
                           {std::string(workflow::gave_up_kind),
                            "gave-up/" + key + "/" + std::to_string(to_millis(first_attempt)),
                            boost::json::serialize(boost::json::object{{"kind", kind},
                                                                       {"key", key},
                                                                       {"payload", payload},
                                                                       {"error", error},
                                                                       {"attempts", attempts}}),
                            now, workflow::on_duplicate::keep},
                           now);
            return workflow::settled{workflow::settle_outcome::dead, std::nullopt};
        }
        return workflow::settled{workflow::settle_outcome::retrying, next};
    });
}

workflow::result<bool> job_queue::hand_back(std::int64_t id, std::string_view owner, workflow::time_point due,
                                           workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<bool> {
        auto q = c.use("UPDATE jobs SET status = 0, run_at = ?1, due_at = ?1, attempts = max(attempts - 1, 0), "
                       "lease_owner = NULL, lease_expires = NULL, updated_at = ?4 "
                       "WHERE id = ?2 AND status = 1 AND lease_owner = ?3");
        q->bind(1, to_millis(due));
        q->bind(2, id);
        q->bind(3, std::string(owner));
        q->bind(4, to_millis(now));
        return q->exec() == 1;
    });
}

workflow::result<std::size_t> job_queue::reclaim_expired(workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<std::size_t> {
        auto q = c.use("UPDATE jobs SET status = 0, lease_owner = NULL, lease_expires = NULL, effect_unknown = 1, "
                       "updated_at = ?2 WHERE status < 2 AND due_at <= ?2 AND status = 1");
        q->bind(2, to_millis(now));
        return static_cast<std::size_t>(q->exec());
    });
}

workflow::result<std::size_t> job_queue::reclaim_all(workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<std::size_t> {
        auto q = c.use("UPDATE jobs SET status = 0, due_at = ?1, lease_owner = NULL, "
                       "lease_expires = NULL, effect_unknown = 1, updated_at = ?1 WHERE status = 1");
        q->bind(1, to_millis(now));
        return static_cast<std::size_t>(q->exec());
    });
}

workflow::result<std::optional<workflow::time_point>> job_queue::next_run_at()
{
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::time_point>> {
        // A job waiting behind its lane is not due: the job ahead of it is, and wakes the workers.
        auto q = c.use("SELECT due_at FROM jobs j WHERE status < 2 AND " CHECKPOINT_LANE_FREE " ORDER BY due_at LIMIT 1");
        if (!q->executeStep())
            return std::optional<workflow::time_point>();
        return std::optional<workflow::time_point>(from_millis(q->getColumn(0).getInt64()));
    });
}

workflow::result<bool> job_queue::cancel(std::string_view key, workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<bool> { return cancel_in(c, key, now); });
}

workflow::result<bool> job_queue::reschedule(std::string_view key, workflow::time_point run_at,
                                             workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<bool> {
        auto q = c.use("UPDATE jobs SET status = 0, run_at = ?1, due_at = ?1, attempts = 0, first_attempt_at = NULL, "
                       "lease_owner = NULL, lease_expires = NULL, effect_unknown = 0, updated_at = ?2 WHERE key = ?3");
        q->bind(1, to_millis(run_at));
        q->bind(2, to_millis(now));
        q->bind(3, std::string(key));
        return q->exec() == 1;
    });
}

workflow::result<std::optional<workflow::job>> job_queue::find(std::string_view key)
{
    return db_.read(
        [&](connection& c) -> workflow::result<std::optional<workflow::job>> { return find_in(c, key); });
}

#undef CHECKPOINT_JOB_COLUMNS
#undef CHECKPOINT_LANE_FREE

} // namespace checkpoint::storage
