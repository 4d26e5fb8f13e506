#pragma once

#include "storage/connection.hpp"
#include "storage/database.hpp"
#include "workflow/job_queue.hpp"

#include <functional>

namespace checkpoint::storage {

// The outbox in SQLite. Due jobs are found through a partial index on `due_at` over pending and
// leased rows only (a leased row is due when its lease expires), so leasing costs the same however
// many jobs wait in the future.
class job_queue final : public workflow::job_queue {
public:
    // Uniform in [0, 1); tests pass a constant to pin the backoff.
    using jitter_source = std::function<double()>;

    explicit job_queue(database& db, workflow::retry_policy policy = {}, jitter_source jitter = {});

    workflow::result<workflow::job> enqueue(const workflow::job_spec& spec, workflow::time_point now) override;
    workflow::result<std::vector<workflow::job>> lease(std::string_view owner, std::size_t max,
                                                       workflow::duration lease_for, workflow::time_point now) override;
    workflow::result<workflow::settled> complete(std::int64_t id, std::string_view owner,
                                                 workflow::time_point now) override;
    workflow::result<workflow::settled> fail(std::int64_t id, std::string_view owner, std::string_view error,
                                             std::optional<workflow::duration> retry_after, workflow::time_point now,
                                             bool effect_unknown) override;
    workflow::result<bool> hand_back(std::int64_t id, std::string_view owner, workflow::time_point due,
                                     workflow::time_point now) override;
    workflow::result<std::size_t> reclaim_expired(workflow::time_point now) override;
    workflow::result<std::size_t> reclaim_all(workflow::time_point now, std::string_view owner) override;
    workflow::result<std::size_t> complete_all(std::span<const std::int64_t> ids, std::string_view owner,
                                               workflow::time_point now) override;
    workflow::result<std::optional<workflow::time_point>> next_run_at() override;
    workflow::result<bool> cancel(std::string_view key, workflow::time_point now) override;
    workflow::result<bool> reschedule(std::string_view key, workflow::time_point run_at,
                                      workflow::time_point now) override;
    workflow::result<std::optional<workflow::job>> find(std::string_view key) override;

    // The same operations inside the caller's write transaction (a transition enqueues its effects).
    // enqueue_in returns whether a job was inserted or replaced (false: a kept duplicate); it reads nothing
    // back, because RETURNING doubles the cost of the hottest insert.
    static bool enqueue_in(connection& c, const workflow::job_spec& spec, workflow::time_point now);
    static bool cancel_in(connection& c, std::string_view key, workflow::time_point now);

private:
    database& db_;
    workflow::retry_policy policy_;
    jitter_source jitter_;
};

} // namespace checkpoint::storage
