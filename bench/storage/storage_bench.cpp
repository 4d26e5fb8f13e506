#include "storage/database.hpp"
#include "app/effect_jobs.hpp"
#include "storage/job_queue.hpp"
#include "app/petition_ids.hpp"
#include "workflow/petition_json.hpp"
#include "storage/petition_store.hpp"
#include "workflow/petition.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace checkpoint;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// Usage: storage_bench [seconds per submit run] [request-log rows] [work dir]
struct options {
    double seconds = 2.0;
    int rows = 1'000'000;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "checkpoint-storage-bench";
};

workflow::route bench_route(const std::string& requester, const std::string& target)
{
    workflow::route r;
    r.requester_id = requester;
    r.requester_name = "Person " + requester;
    r.target = target;
    r.owner_team = "api-team";
    r.platform_team = "platform-team";
    r.level = workflow::risk::high;
    r.length = 4h;
    r.rule_reason = "High risk for up to 1 day: api-team approves.";
    workflow::route_step s;
    s.name = "api-team";
    s.reviewers = {{"mary", "Mary Major", "on api-team, which owns it"}, {"lee", "Lee Lead", "on api-team"}};
    s.channels = {"C-APPROVALS"};
    r.steps.push_back(std::move(s));
    r.integration = "webhook";
    r.escalate_after = 1h;
    r.expiring_before = 30min;
    return r;
}

workflow::petition_write submit_write(const std::string& id, const std::string& requester, workflow::time_point now)
{
    auto t = workflow::file(bench_route(requester, "prod-db"), {id, "debug the outage", "INC-42"}, now);
    return app::plan_write(t, app::filing_audit(t.petition, {}), now);
}

struct submit_result {
    double per_second = 0;
    double batches_per_second = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    // The writer's time per write (statements) and per batch (COMMIT, i.e. the WAL write and fsync).
    double write_us = 0;
    double commit_ms = 0;
};

// `submitters` threads each file petitions (with audit event and 4 jobs) for `seconds`, every one durable.
submit_result run_submits(const std::filesystem::path& file, storage::commit_mode mode, int submitters, double seconds)
{
    std::filesystem::remove(file);
    std::filesystem::remove(file.string() + "-wal");
    std::filesystem::remove(file.string() + "-shm");
    auto db = storage::database::open(file.string(), {mode, 1024}).value();
    storage::petition_store store(*db);
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> latencies(submitters);
    std::vector<std::thread> threads;
    const auto start = steady::now();
    for (int t = 0; t < submitters; ++t)
        threads.emplace_back([&, t] {
            const auto requester = "p" + std::to_string(t);
            while (!stop.load(std::memory_order_relaxed)) {
                // The service's own ids: time-ordered, as every petition filed in production gets.
                const auto now = std::chrono::system_clock::now();
                auto w = submit_write(app::new_petition_id(now), requester, now);
                const auto t0 = steady::now();
                if (store.file(w).value() != workflow::write_status::applied)
                    std::abort();
                latencies[t].push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
            }
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads)
        t.join();
    const double elapsed = std::chrono::duration<double>(steady::now() - start).count();
    std::vector<double> all;
    for (auto& l : latencies)
        all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    submit_result r;
    r.per_second = static_cast<double>(all.size()) / elapsed;
    const auto st = db->writer().stats();
    r.batches_per_second = static_cast<double>(st.batches) / elapsed;
    r.write_us = st.writes ? std::chrono::duration<double, std::micro>(st.in_writes).count() / static_cast<double>(st.writes) : 0;
    r.commit_ms = st.batches ? std::chrono::duration<double, std::milli>(st.in_commits).count() / static_cast<double>(st.batches) : 0;
    r.p50_ms = all.empty() ? 0 : all[all.size() / 2];
    r.p99_ms = all.empty() ? 0 : all[all.size() * 99 / 100];
    return r;
}

// Fills the petitions table directly, in large transactions: the page query is measured, not the loading.
void load_rows(storage::database& db, int rows)
{
    const auto now = std::chrono::system_clock::now();
    auto t = workflow::file(bench_route("@@PERSON@@", "@@TARGET@@"), {"@@ID@@", "debug the outage", "INC-42"}, now);
    const auto body = workflow::petition_to_json(t.petition);
    const std::string_view states[] = {"pending", "active", "expired", "denied", "revoked"};
    std::mt19937 rng(7);
    constexpr int chunk = 50'000;
    for (int base = 0; base < rows; base += chunk) {
        auto done = db.write([&](storage::connection& c) -> workflow::result<void> {
            for (int i = base; i < std::min(rows, base + chunk); ++i) {
                const auto id = "L-" + std::to_string(i);
                const auto person = "person-" + std::to_string(rng() % 10'000);
                const auto target = "bundle-" + std::to_string(rng() % 1'000);
                std::string b = body;
                for (auto [from, to] : {std::pair<std::string_view, const std::string&>{"@@ID@@", id},
                                        {"@@PERSON@@", person},
                                        {"@@TARGET@@", target}})
                    for (auto at = b.find(from); at != std::string::npos; at = b.find(from, at + to.size()))
                        b.replace(at, from.size(), to);
                // One petition a minute, going back in time from now.
                const auto created = workflow::to_millis(now) - static_cast<std::int64_t>(rows - i) * 60'000;
                auto q = c.use("INSERT INTO petitions (id, version, state, requester_id, target, created_at, "
                               "updated_at, ends_at, body) VALUES (?, 1, ?, ?, ?, ?, ?, NULL, ?)");
                q->bind(1, id);
                q->bind(2, std::string(states[rng() % 5]));
                q->bind(3, person);
                q->bind(4, target);
                q->bind(5, created);
                q->bind(6, created);
                q->bind(7, b);
                q->exec();
            }
            return {};
        });
        if (!done) {
            std::fprintf(stderr, "load failed: %s\n", done.error().message.c_str());
            std::exit(1);
        }
    }
}

struct page_result {
    double p50_ms = 0;
    double p99_ms = 0;
    std::size_t rows = 0;
};

page_result time_pages(storage::petition_store& store, const std::function<workflow::request_log_query(int)>& make,
                       int runs)
{
    std::vector<double> ms;
    std::size_t rows = 0;
    for (int i = 0; i < runs; ++i) {
        auto q = make(i);
        const auto t0 = steady::now();
        auto page = store.request_log(q).value();
        ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
        rows = page.petitions.size();
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[ms.size() * 99 / 100], rows};
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    if (argc > 1)
        o.seconds = std::stod(argv[1]);
    if (argc > 2)
        o.rows = std::stoi(argv[2]);
    if (argc > 3)
        o.dir = argv[3];
    std::filesystem::create_directories(o.dir);

    std::printf("Durable petition submits (file + audit event + 4 jobs, WAL, synchronous=FULL), %.1f s each, %u cores\n\n",
                o.seconds, std::thread::hardware_concurrency());
    std::printf("| mode                         | submitters | submits/s | fsyncs/s | submits/fsync | p50 ms | p99 ms | writer us/submit | commit ms |\n");
    std::printf("|------------------------------|-----------:|----------:|---------:|--------------:|-------:|-------:|-----------------:|----------:|\n");
    double group64 = 0, baseline64 = 0;
    for (int submitters : {1, 64})
        for (auto mode : {storage::commit_mode::per_call, storage::commit_mode::group}) {
            auto r = run_submits(o.dir / "submits.db", mode, submitters, o.seconds);
            const bool group = mode == storage::commit_mode::group;
            if (submitters == 64)
                (group ? group64 : baseline64) = r.per_second;
            std::printf("| %-28s | %10d | %9.0f | %8.0f | %13.1f | %6.2f | %6.2f | %16.1f | %9.2f |\n",
                        group ? "group commit" : "one transaction per submit", submitters, r.per_second,
                        r.batches_per_second, r.per_second / std::max(1.0, r.batches_per_second), r.p50_ms, r.p99_ms,
                        r.write_us, r.commit_ms);
        }
    std::printf("\nGroup commit at 64 submitters: %.1fx the baseline (target >= 10,000 submits/s: %s)\n\n",
                group64 / std::max(1.0, baseline64), group64 >= 10'000 ? "met" : "NOT met");

    const auto log_file = o.dir / "request-log.db";
    std::filesystem::remove(log_file);
    std::filesystem::remove(log_file.string() + "-wal");
    std::filesystem::remove(log_file.string() + "-shm");
    auto db = storage::database::open(log_file.string()).value();
    const auto load_start = steady::now();
    load_rows(*db, o.rows);
    std::printf("Request log over %d petitions (10,000 people, 1,000 bundles; loaded in %.1f s), 50 per page, 200 runs\n\n",
                o.rows, std::chrono::duration<double>(steady::now() - load_start).count());
    storage::petition_store store(*db);

    // A cursor deep in the log: page 1,000 of the unfiltered view.
    workflow::request_log_query deep;
    for (int i = 0; i < 1000; ++i) {
        auto page = store.request_log(deep).value();
        deep.cursor = page.next;
    }
    const auto now = std::chrono::system_clock::now();
    std::mt19937 rng(11);
    struct named {
        const char* name;
        std::function<workflow::request_log_query(int)> make;
    };
    std::vector<named> cases = {
        {"newest first, no filter", [](int) { return workflow::request_log_query{}; }},
        {"by person", [&](int) { workflow::request_log_query q; q.person = "person-" + std::to_string(rng() % 10'000); return q; }},
        {"by bundle", [&](int) { workflow::request_log_query q; q.target = "bundle-" + std::to_string(rng() % 1'000); return q; }},
        {"by status (denied)", [](int) { workflow::request_log_query q; q.state = workflow::petition_state::denied; return q; }},
        {"by time range (a week, a year ago)", [&](int) { workflow::request_log_query q; q.from = now - std::chrono::days(372); q.until = now - std::chrono::days(365); return q; }},
        {"person + status", [&](int) { workflow::request_log_query q; q.person = "person-" + std::to_string(rng() % 10'000); q.state = workflow::petition_state::active; return q; }},
        {"page 1,001 via cursor", [&](int) { return deep; }},
    };
    std::printf("| query                              | rows | p50 ms | p99 ms |\n");
    std::printf("|------------------------------------|-----:|-------:|-------:|\n");
    double worst = 0;
    for (const auto& c : cases) {
        auto r = time_pages(store, c.make, 200);
        worst = std::max(worst, r.p99_ms);
        std::printf("| %-34s | %4zu | %6.2f | %6.2f |\n", c.name, r.rows, r.p50_ms, r.p99_ms);
    }
    std::printf("\nWorst p99 page: %.2f ms (target <= 50 ms: %s)\n", worst, worst <= 50 ? "met" : "NOT met");
    db.reset();
    std::filesystem::remove_all(o.dir);
    return 0;
}
