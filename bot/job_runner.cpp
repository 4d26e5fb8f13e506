#include "bot/job_runner.hpp"
#include "bot/json_fields.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

namespace checkpoint::bot {

std::optional<boost::json::object> payload_object(const workflow::job& j)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(j.payload, ec);
    if (ec || !v.is_object()) {
        spdlog::error("jobs: {} {} has a payload that is not a JSON object", j.kind, j.key);
        return std::nullopt;
    }
    return std::move(v.as_object());
}

job_runner::job_runner(workflow::job_queue& queue, const workflow::clock& clock, job_runner_options options)
    : queue_(queue), clock_(clock), options_(std::move(options))
{
    handlers_[std::string(workflow::gave_up_kind)] = {[this](const workflow::job& g) { return give_up(g); }, {}};
}

job_outcome job_runner::give_up(const workflow::job& g)
{
    auto o = payload_object(g);
    if (!o)
        return job_outcome::failed("payload is not a JSON object");
    workflow::job dead;
    dead.kind = string_at(*o, "kind");
    dead.key = string_at(*o, "key");
    dead.payload = string_at(*o, "payload");
    if (const auto* a = o->if_contains("attempts"); a && a->is_int64())
        dead.attempts = static_cast<int>(a->as_int64());
    dead.status = workflow::job_status::dead;
    auto h = handlers_.find(dead.kind);
    if (h == handlers_.end() || !h->second.on_give_up)
        return job_outcome::done();
    return h->second.on_give_up(dead, string_at(*o, "error"));
}

job_runner::~job_runner() { stop(); }

void job_runner::handle(std::string kind, job_kind_handler handler) { handlers_[std::move(kind)] = std::move(handler); }

std::size_t job_runner::run_once() { return run_batch(options_.owner + "/inline"); }

std::size_t job_runner::run_until_idle(std::size_t at_most)
{
    std::size_t total = 0;
    while (total < at_most) {
        const auto n = run_once();
        if (n == 0)
            break;
        total += n;
    }
    return total;
}

std::size_t job_runner::run_batch(const std::string& owner)
{
    const auto now = clock_.now();
    // lease() retakes expired leases itself (their due_at is the lease's end). No reclaim_expired()
    // here: it scans every due row in the writer, which at 100,000 due jobs stalled all writes.
    auto leased = queue_.lease(owner, options_.batch, options_.lease_for, now);
    if (!leased) {
        spdlog::error("jobs: cannot lease: {}", leased.error().message);
        return 0;
    }
    std::size_t ran = 0;
    // Jobs that finished (done, or failed for good) are marked complete together at the end of the
    // batch: one commit (one fsync) instead of one per job. A crash before then runs them again,
    // which every handler allows (at least once, idempotency keys downstream).
    std::vector<std::int64_t> finished;
    finished.reserve(leased->size());
    const auto leased_at = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < leased->size(); ++i) {
        const auto& j = (*leased)[i];
        bool stopping = false;
        {
            std::lock_guard lock(mutex_);
            stopping = stopping_;
        }
        if (stopping) {
            // Hand the rest back, unstarted, so another worker (or the next start) runs them at once. Not
            // under the lock: a durable write's completion may be waking the workers meanwhile.
            for (std::size_t k = i; k < leased->size(); ++k)
                (void)queue_.hand_back((*leased)[k].id, owner, clock_.now(), clock_.now());
            break;
        }
        auto h = handlers_.find(j.kind);
        job_outcome o;
        if (h == handlers_.end()) {
            o = job_outcome::retry("no handler for job kind '" + j.kind + "' in this checkpointd");
        } else {
            try {
                o = h->second.run(j);
            } catch (const std::exception& e) {
                o = job_outcome::retry(std::string("handler threw: ") + e.what());
            }
        }
        if (o.result == job_outcome::kind::retry || o.result == job_outcome::kind::again ||
            o.result == job_outcome::kind::defer) {
            settle(j, owner, o);
        } else {
            if (o.result == job_outcome::kind::failed)
                spdlog::error("jobs: {} {} failed for good: {}", j.kind, j.key, o.message);
            finished.push_back(j.id);
        }
        ++ran;
        // Slow handlers (a receiver near its timeout): record what is finished well inside the lease.
        if (std::chrono::steady_clock::now() - leased_at > options_.lease_for / 4)
            complete_finished(finished, owner, now);
    }
    complete_finished(finished, owner, now);
    return ran;
}

void job_runner::complete_finished(std::vector<std::int64_t>& ids, const std::string& owner,
                                   workflow::time_point leased_at)
{
    if (ids.empty())
        return;
    const auto now = clock_.now();
    if (auto r = queue_.complete_all(ids, owner, now); !r) {
        spdlog::error("jobs: cannot complete {} jobs: {}", ids.size(), r.error().message);
    } else if (*r < ids.size()) {
        // A lease is lost only by running out. Before that, a job no longer ours was replaced (a newer Home
        // tab or card update under the same key) or cancelled while it ran: it runs again with its new
        // payload, or not at all, as meant.
        if (now >= leased_at + options_.lease_for)
            spdlog::warn("jobs: {} of {} finished jobs had lost their lease and may run again", ids.size() - *r,
                         ids.size());
        else
            spdlog::debug("jobs: {} of {} finished jobs were replaced or cancelled while they ran", ids.size() - *r,
                          ids.size());
    }
    ids.clear();
}

void job_runner::settle(const workflow::job& j, const std::string& owner, const job_outcome& o)
{
    const auto now = clock_.now();
    switch (o.result) {
    case job_outcome::kind::done:
    case job_outcome::kind::failed: {
        if (o.result == job_outcome::kind::failed)
            spdlog::error("jobs: {} {} failed for good: {}", j.kind, j.key, o.message);
        if (auto r = queue_.complete(j.id, owner, now); !r)
            spdlog::error("jobs: cannot complete {}: {}", j.key, r.error().message);
        return;
    }
    case job_outcome::kind::defer: {
        if (auto r = queue_.hand_back(j.id, owner, now + o.retry_after.value_or(workflow::duration{}), now); !r)
            spdlog::error("jobs: cannot put off {}: {}", j.key, r.error().message);
        return;
    }
    case job_outcome::kind::again: {
        if (auto r = queue_.reschedule(j.key, o.run_again_at.value_or(now), now); !r)
            spdlog::error("jobs: cannot schedule {} again: {}", j.key, r.error().message);
        return;
    }
    case job_outcome::kind::retry: {
        // Once an attempt may have had its effect, every later attempt looks for it until one is done.
        auto r = queue_.fail(j.id, owner, o.message, o.retry_after, now, o.effect_unknown || j.effect_unknown);
        if (!r) {
            spdlog::error("jobs: cannot record failure of {}: {}", j.key, r.error().message);
            return;
        }
        if (r->outcome == workflow::settle_outcome::dead) {
            // The queue enqueued the gave_up job that runs on_give_up: look for it now.
            spdlog::error("jobs: {} {} gave up after attempt {}: {}", j.kind, j.key, j.attempts, o.message);
            wake();
        } else if (r->outcome == workflow::settle_outcome::retrying) {
            spdlog::warn("jobs: {} {} will retry: {}", j.kind, j.key, o.message);
        }
        return;
    }
    }
}

void job_runner::start()
{
    // Leases held when the previous process died (SIGKILL mid-delivery) run again now, not when they
    // would have expired; the receiver sees the same idempotency key and applies the effect once.
    if (auto r = queue_.reclaim_all(clock_.now(), options_.owner); !r)
        spdlog::error("jobs: cannot take back the leases of the previous run: {}", r.error().message);
    else if (*r > 0)
        spdlog::warn("jobs: took back {} leases the previous run held when it stopped", *r);
    std::lock_guard lock(mutex_);
    stopping_ = false;
    for (unsigned i = 0; i < options_.threads; ++i)
        threads_.emplace_back([this, i] { loop(i); });
}

void job_runner::stop() noexcept
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable())
            t.join();
    threads_.clear();
}

void job_runner::wake()
{
    {
        std::lock_guard lock(mutex_);
        ++wakeups_;
    }
    // One idle worker: a lease takes a whole batch, so a second worker woken with it would mostly lease nothing
    // (an empty write transaction, then a read of the next due time). A worker that leased a full batch wakes
    // another (loop()); a busy worker looks again when its batch ends.
    cv_.notify_one();
}

void job_runner::loop(unsigned index)
{
    const std::string owner = options_.owner + "/" + std::to_string(index);
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            seen = wakeups_;
        }
        if (const auto ran = run_batch(owner); ran > 0) {
            // A full batch: there may be more due than one worker takes at a time.
            if (ran >= options_.batch)
                wake();
            continue;
        }
        // Nothing due: sleep until the next job falls due, or until woken.
        auto next = queue_.next_run_at();
        std::unique_lock lock(mutex_);
        auto ready = [&] { return stopping_ || wakeups_ != seen; };
        if (next && *next) {
            const auto wait = **next - clock_.now();
            if (wait > std::chrono::seconds{0})
                cv_.wait_for(lock, std::min<std::chrono::system_clock::duration>(wait, std::chrono::hours{1}), ready);
        } else {
            cv_.wait_for(lock, std::chrono::hours{1}, ready);
        }
    }
}

} // namespace checkpoint::bot
