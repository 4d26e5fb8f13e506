#include "storage/job_queue.hpp"

#include "storage/backoff.hpp"
#include "workflow/petition_json.hpp"

#include <boost/json.hpp>

#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace checkpoint::storage {

namespace {

#define CHECKPOINT_JOB_COLUMNS                                                                                         \
    "id, kind, key, payload, status, run_at, created_at, attempts, first_attempt_at, lease_owner, lease_expires, "     \
    "last_error, effect_unknown"

// A job behind an unfinished job of its lane waits with this due_at: past every real time, so leasing
// and next_run_at never reach it, until the job ahead settles and promote_next() makes it due.
constexpr std::int64_t waits_in_lane = std::numeric_limits<std::int64_t>::max();

constexpr int pending = 0;
constexpr int leased = 1;
constexpr int dead = 3;

workflow::job read_job(statement& q)
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

// The job `id` of `lane` settled (done, dead or cancelled): the next unfinished job of the lane, if it
// waits, becomes due at its run_at (or now).
void promote_next(connection& c, const std::string& lane, std::int64_t id, workflow::time_point now)
{
    // Workers on every replica look again once this commits.
    c.notify_at_commit("checkpoint_jobs");
    auto q = c.use("UPDATE jobs SET due_at = CASE WHEN run_at > ?1 THEN run_at ELSE ?1 END WHERE id = (SELECT id FROM jobs WHERE lane = ?2 AND "
                   "status < 2 AND id > ?3 ORDER BY id LIMIT 1) AND due_at = ?4");
    q->bind(1, to_millis(now));
    q->bind(2, lane);
    q->bind(3, id);
    q->bind(4, waits_in_lane);
    q->exec();
}

// Runs `settle` (an UPDATE … RETURNING id, lane) and promotes the lane's next job for each row it
// settled; returns how many it settled.
std::size_t settle_in_lane(connection& c, statement& settle, workflow::time_point now)
{
    std::vector<std::pair<std::int64_t, std::string>> settled;
    while (settle.executeStep())
        settled.emplace_back(settle.getColumn(0).getInt64(),
                             settle.getColumn(1).isNull() ? std::string() : settle.getColumn(1).getString());
    settle.reset();
    for (const auto& [id, lane] : settled)
        if (!lane.empty())
            promote_next(c, lane, id, now);
    return settled.size();
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
    // Workers on every replica look again once this commits.
    c.notify_at_commit("checkpoint_jobs");
    // One statement either way (on PostgreSQL every statement is a round trip). Behind an unfinished job of its
    // lane, a new job waits to be promoted (see waits_in_lane). A key already queued is kept as it is, or (replace)
    // takes the new kind, payload and time and starts afresh, due at its run_at.
#define CHECKPOINT_JOB_INSERT                                                                                          \
    "INSERT INTO jobs (key, kind, payload, status, run_at, due_at, created_at, updated_at, lane) "                     \
    "VALUES (?1, ?2, ?3, 0, ?4, CASE WHEN EXISTS (SELECT 1 FROM jobs WHERE lane = ?6 AND status < 2) "                 \
    "THEN 9223372036854775807 ELSE ?4 END, ?5, ?5, ?6) ON CONFLICT (key) "
    static_assert(waits_in_lane == 9223372036854775807);
    auto q = c.use(spec.duplicate == workflow::on_duplicate::keep
                       ? CHECKPOINT_JOB_INSERT "DO NOTHING"
                       : CHECKPOINT_JOB_INSERT "DO UPDATE SET kind = excluded.kind, payload = excluded.payload, "
                                               "status = 0, run_at = excluded.run_at, due_at = excluded.run_at, "
                                               "attempts = 0, first_attempt_at = NULL, lease_owner = NULL, "
                                               "lease_expires = NULL, last_error = '', effect_unknown = 0, "
                                               "updated_at = excluded.updated_at, lane = excluded.lane");
#undef CHECKPOINT_JOB_INSERT
    q->bind(1, spec.key);
    q->bind(2, spec.kind);
    q->bind(3, spec.payload.empty() ? std::string("{}") : spec.payload);
    q->bind(4, to_millis(spec.run_at));
    q->bind(5, to_millis(now));
    if (spec.lane.empty())
        q->bind(6);
    else
        q->bind(6, spec.lane);
    return q->exec() == 1;
}

bool job_queue::cancel_in(connection& c, std::string_view key, workflow::time_point now)
{
    auto q = c.use("UPDATE jobs SET status = 4, lease_owner = NULL, lease_expires = NULL, updated_at = ? "
                   "WHERE key = ? AND status < 2 RETURNING id, lane");
    q->bind(1, to_millis(now));
    q->bind(2, std::string(key));
    return settle_in_lane(c, *q, now) == 1;
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
            // `status < 2` repeats the partial index's condition so the planner uses it. A job waiting
            // in its lane is due at the end of time, so it is never reached here.
            // On PostgreSQL, rows another transaction holds are passed over rather than waited for (the write
            // lock already keeps replicas' leases apart; this keeps a lease from ever queueing behind a row lock).
            auto due = c.use(c.backend() == backend::postgresql
                                 ? "SELECT id FROM jobs WHERE status < 2 AND due_at <= ? ORDER BY due_at LIMIT ? "
                                   "FOR UPDATE SKIP LOCKED"
                                 : "SELECT id FROM jobs WHERE status < 2 AND due_at <= ? ORDER BY due_at LIMIT ?");
            due->bind(1, now_ms);
            due->bind(2, static_cast<std::int64_t>(max));
            while (due->executeStep())
                ids.push_back(due->getColumn(0).getInt64());
        }
        std::vector<workflow::job> out;
        out.reserve(ids.size());
        // One UPDATE per id, by primary key. A single `UPDATE … WHERE id = ANY(…)` was tried: PostgreSQL kept the
        // generic plan it had made while the table was small (a sequential scan), 3-4 ms per lease at 4,000-20,000
        // jobs, against 9 us for the SELECT above.
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
                       "WHERE id = ? AND status = 1 AND lease_owner = ? RETURNING id, lane");
        q->bind(1, to_millis(now));
        q->bind(2, id);
        q->bind(3, std::string(owner));
        if (settle_in_lane(c, *q, now) == 0)
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
                           "WHERE id = ? AND status = 1 AND lease_owner = ? RETURNING id, lane");
            q->bind(1, to_millis(now));
            q->bind(2, id);
            q->bind(3, std::string(owner));
            done += settle_in_lane(c, *q, now);
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
        std::string kind, key, payload, lane;
        {
            auto q = c.use("SELECT attempts, first_attempt_at, kind, key, payload, lane FROM jobs "
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
            lane = q->getColumn(5).isNull() ? std::string() : q->getColumn(5).getString();
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
            if (!lane.empty())
                promote_next(c, lane, id, now); // a message given up on no longer holds its lane
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
        auto q = c.use("UPDATE jobs SET status = 0, run_at = ?1, due_at = ?1, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, "
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
                       "updated_at = ?1 WHERE status < 2 AND due_at <= ?1 AND status = 1");
        q->bind(1, to_millis(now));
        return static_cast<std::size_t>(q->exec());
    });
}

workflow::result<std::size_t> job_queue::reclaim_all(workflow::time_point now, std::string_view owner)
{
    return db_.write([&](connection& c) -> workflow::result<std::size_t> {
        auto q = c.use("UPDATE jobs SET status = 0, due_at = ?1, lease_owner = NULL, "
                       "lease_expires = NULL, effect_unknown = 1, updated_at = ?1 WHERE status = 1 AND "
                       "(lease_owner = ?2 OR substr(lease_owner, 1, length(?2) + 1) = ?2 || '/')");
        q->bind(1, to_millis(now));
        q->bind(2, std::string(owner));
        return static_cast<std::size_t>(q->exec());
    });
}

workflow::result<std::optional<workflow::time_point>> job_queue::next_run_at()
{
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::time_point>> {
        // A job waiting in its lane is not due: the job ahead of it is, and wakes the workers.
        auto q = c.use("SELECT min(due_at) FROM jobs WHERE status < 2 AND due_at < ?");
        q->bind(1, waits_in_lane);
        if (!q->executeStep() || q->getColumn(0).isNull())
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
        c.notify_at_commit("checkpoint_jobs");
        return q->exec() == 1;
    });
}

workflow::result<std::optional<workflow::job>> job_queue::find(std::string_view key)
{
    return db_.read(
        [&](connection& c) -> workflow::result<std::optional<workflow::job>> { return find_in(c, key); });
}

#undef CHECKPOINT_JOB_COLUMNS

} // namespace checkpoint::storage
