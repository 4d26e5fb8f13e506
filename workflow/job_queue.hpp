#pragma once

#include "workflow/clock.hpp"
#include "workflow/duration.hpp"
#include "workflow/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// What a second enqueue with the same idempotency key does.
enum class on_duplicate {
    keep,    // nothing: the first job stands (a retried request enqueues nothing twice)
    replace, // move it to the new run_at and payload, reviving it if it already ran (an extension moves the revoke)
};

// A side effect to carry out later, at least once.
struct job_spec {
    // The worker that handles it: "post_card", "provision", "expire", …
    std::string kind;
    // Unique across all jobs; also the idempotency key of the outbound call.
    std::string key;
    // A JSON object for the worker.
    std::string payload;
    time_point run_at{};
    on_duplicate duplicate = on_duplicate::keep;
    // Jobs in one lane run one at a time, in the order they were first enqueued: a job waits while an
    // earlier job of its lane is pending or leased (retrying, or waiting for Slack's pace). Messages to
    // one person or channel share a lane, so they arrive in the order the events happened. Empty: no lane.
    // A lane's jobs are enqueued with on_duplicate::keep and never rescheduled (replace and reschedule
    // set a job due without regard to its lane).
    std::string lane{};
};

enum class job_status { pending, leased, done, dead, cancelled };

struct job {
    std::int64_t id = 0;
    std::string kind;
    std::string key;
    std::string payload;
    job_status status = job_status::pending;
    time_point run_at{};
    time_point created_at{};
    // Counts leases taken, so the first lease is attempt 1.
    int attempts = 0;
    std::optional<time_point> first_attempt_at;
    std::string lease_owner;
    std::optional<time_point> lease_expires;
    std::string last_error;
    // The previous attempt may have had its effect although it did not end as done: it never reported
    // back (its worker died or its lease ran out), or it reported an outcome it could not know (a
    // request sent and no answer). A handler whose effect has no idempotency key downstream (a Slack
    // post) looks for the earlier effect before repeating it.
    bool effect_unknown = false;
};

// Exponential backoff with jitter, bounded by a window after which the job is dead.
struct retry_policy {
    duration base{std::chrono::seconds{2}};
    duration max_delay{std::chrono::minutes{10}};
    // ±this fraction of the delay, drawn from the jitter source, so retries do not stampede.
    double jitter = 0.2;
    // Measured from the first attempt.
    duration give_up_after{std::chrono::hours{24}};
};

// What became of a leased job when its worker reported back.
enum class settle_outcome {
    completed,
    retrying,   // failed; runs again at the returned time
    // Failed past the retry window; needs a person. The same write enqueues a `gave_up` job carrying
    // the dead job (gave_up_kind), so what must happen on giving up survives a crash.
    dead,
    lease_lost, // the lease expired and the job was retaken or cancelled: this report is ignored
};

// The job a dead job leaves behind: key "gave-up/<key>/<first attempt, ms>", payload
// {"kind","key","payload","error","attempts"}.
inline constexpr std::string_view gave_up_kind = "gave_up";

struct settled {
    settle_outcome outcome = settle_outcome::completed;
    std::optional<time_point> next_run_at;
};

// The outbox: every side effect is a durable job, leased by workers.
class job_queue {
public:
    virtual ~job_queue() = default;

    // A duplicate key returns the existing job (or the replaced one), never a second job.
    virtual result<job> enqueue(const job_spec& spec, time_point now) = 0;
    // Up to `max` jobs due at `now` (including leases that expired), leased to `owner` until now + `lease_for`.
    virtual result<std::vector<job>> lease(std::string_view owner, std::size_t max, duration lease_for,
                                           time_point now) = 0;
    virtual result<settled> complete(std::int64_t id, std::string_view owner, time_point now) = 0;
    // complete() for several jobs in one write (one commit); a job whose lease was lost is skipped.
    // Returns how many were completed.
    virtual result<std::size_t> complete_all(std::span<const std::int64_t> ids, std::string_view owner,
                                             time_point now) = 0;
    // Schedules a retry no sooner than `retry_after` (a 429's Retry-After), or marks the job dead.
    // `effect_unknown`: the attempt may have had its effect (the next lease carries it).
    virtual result<settled> fail(std::int64_t id, std::string_view owner, std::string_view error,
                                 std::optional<duration> retry_after, time_point now, bool effect_unknown) = 0;
    // A leased job that was not tried (not started, or waiting for a slot) goes back to pending, due at
    // `due`: the attempt is not counted and what the previous attempt left (effect_unknown) stands.
    // False if the lease was lost.
    virtual result<bool> hand_back(std::int64_t id, std::string_view owner, time_point due, time_point now) = 0;
    // Leases whose worker died go back to pending; returns how many.
    virtual result<std::size_t> reclaim_expired(time_point now) = 0;
    // At start-up, before any worker runs: every lease this replica's workers held (owner `owner`, or
    // `owner`/…) goes back to pending at once, since its worker died with the previous process. Other
    // replicas' leases are theirs until they expire. Returns how many.
    virtual result<std::size_t> reclaim_all(time_point now, std::string_view owner) = 0;
    // When the earliest pending job (or lease expiry) falls due: workers sleep until then.
    virtual result<std::optional<time_point>> next_run_at() = 0;
    // False when no pending or leased job has the key.
    virtual result<bool> cancel(std::string_view key, time_point now) = 0;
    // False when no job has the key; revives a finished one.
    virtual result<bool> reschedule(std::string_view key, time_point run_at, time_point now) = 0;
    virtual result<std::optional<job>> find(std::string_view key) = 0;
};

} // namespace checkpoint::workflow
