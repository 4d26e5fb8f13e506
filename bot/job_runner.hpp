#pragma once

#include "app/jobs.hpp"

#include "workflow/clock.hpp"
#include "workflow/job_queue.hpp"

#include <boost/json/object.hpp>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace checkpoint::bot {

// What a handler reports for one job.
struct job_outcome {
    enum class kind { done, retry, failed, again, defer };
    kind result = kind::done;
    std::string message;
    std::optional<workflow::duration> retry_after;
    // On retry: the attempt may have had its effect (a request went out and no answer came back); the
    // next attempt sees job::effect_unknown.
    bool effect_unknown = false;
    // On again: when the job runs next, as a new life (attempts counted afresh).
    std::optional<workflow::time_point> run_again_at;

    static job_outcome done() { return {}; }
    static job_outcome retry(std::string why, std::optional<workflow::duration> after = std::nullopt,
                             bool effect_unknown = false)
    {
        return {kind::retry, std::move(why), after, effect_unknown, {}};
    }
    // Will not succeed by trying again; the handler has already recorded the consequences.
    static job_outcome failed(std::string why) { return {kind::failed, std::move(why), std::nullopt, false, {}}; }
    // Not tried: run again after `after` without counting an attempt (a post waiting for its slot).
    static job_outcome defer(workflow::duration after) { return {kind::defer, {}, after, false, {}}; }
    // Done for now, and due again at `at` (a reminder that looks again later).
    static job_outcome again_at(workflow::time_point at) { return {kind::again, {}, std::nullopt, false, at}; }
};

// A job's payload as a JSON object; nullopt (and one log line) when it is not one.
std::optional<boost::json::object> payload_object(const workflow::job& j);

struct job_kind_handler {
    std::function<job_outcome(const workflow::job&)> run;
    // When a job's retry window closes (it is dead): tell people, mark the petition. Runs as the
    // `gave_up` job the queue enqueued with the dead mark, so at least once, and retried like any
    // job when it reports retry; it must be safe to repeat.
    std::function<job_outcome(const workflow::job&, const std::string& last_error)> on_give_up;
};

struct job_runner_options {
    unsigned threads = 2;
    std::size_t batch = 8;
    workflow::duration lease_for{std::chrono::seconds{60}};
    std::string owner = "checkpointd";
};

// Background workers over the durable job queue: lease due jobs, run their handler, record the
// outcome; sleep until the next job is due or wake() says one was added. Never on the threads that
// answer Slack.
class job_runner {
public:
    job_runner(workflow::job_queue& queue, const workflow::clock& clock, job_runner_options options = {});
    ~job_runner();
    job_runner(const job_runner&) = delete;
    job_runner& operator=(const job_runner&) = delete;

    void handle(std::string kind, job_kind_handler handler);
    // The outbox's kinds (app::job_kind): how the service registers its handlers.
    void handle(app::job_kind kind, job_kind_handler handler) { handle(std::string(app::name(kind)), std::move(handler)); }
    // Whether a handler is registered for `kind`.
    bool handles(std::string_view kind) const { return handlers_.find(kind) != handlers_.end(); }

    // Leases what is due now and runs it on the calling thread; returns how many jobs ran. Tests
    // drive the runner with this and a manual clock.
    std::size_t run_once();
    // Runs run_once() until nothing is due; returns the total.
    std::size_t run_until_idle(std::size_t at_most = 10'000);

    void start();
    // Finishes the jobs in hand and hands leased-but-unstarted ones back; then joins the threads.
    void stop() noexcept;
    // A job was enqueued: look again now instead of at the next scheduled time.
    void wake();

private:
    void loop(unsigned index);
    std::size_t run_batch(const std::string& owner);
    void settle(const workflow::job& j, const std::string& owner, const job_outcome& o);
    // Runs a `gave_up` job: the dead job's kind's on_give_up.
    job_outcome give_up(const workflow::job& g);
    // Marks `ids` complete in one write and empties it.
    // Marks `ids` done in one write; `leased_at` (the clock's time of the lease) tells a lease that ran out
    // from a job replaced or cancelled while it ran.
    void complete_finished(std::vector<std::int64_t>& ids, const std::string& owner, workflow::time_point leased_at);

    workflow::job_queue& queue_;
    const workflow::clock& clock_;
    job_runner_options options_;
    std::map<std::string, job_kind_handler, std::less<>> handlers_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::uint64_t wakeups_ = 0;
};

} // namespace checkpoint::bot
