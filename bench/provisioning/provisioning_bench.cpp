// Provisioning figures of issue #6, in-process over the real service path: access_service, the
// durable job queue (SQLite, group commit), job_runner worker threads, the provisioning jobs, the
// webhook integration and Beast HTTP client, to a receiver on loopback (the test fake, which
// verifies every signature). Slack job kinds are registered as no-ops: Slack is not on this path.
//
// 1. approve -> webhook received: a petition that needs an owner's approval is approved through
//    access_service::act; the clock stops when the receiver has the access/grant request.
// 2. 100,000 grants expiring at the same moment: seeded active (petition, expiry job, grant ledger),
//    then the clock jumps past their end; the clock stops when every revoke job is settled
//    (the receiver acknowledged it and the queue recorded it).
//
// Usage: provisioning_bench [approvals=300] [grants=100000] [workers=16] (checkpointd's default)
#include "app/access_service.hpp"
#include "bot/integrations/integration_factory.hpp"
#include "bot/job_runner.hpp"
#include "outbound/beast_http_client.hpp"
#include "bot/provisioning_jobs.hpp"
#include "bot/service_context.hpp"
#include "bot/slack/slack_client.hpp"
#include "app/effect_jobs.hpp"
#include "storage/audit_log.hpp"
#include "storage/card_message_store.hpp"
#include "storage/database.hpp"
#include "app/effect_jobs.hpp"
#include "storage/grant_store.hpp"
#include "storage/job_queue.hpp"
#include "storage/petition_store.hpp"
#include "storage/resource_store.hpp"
#include "storage/slack_user_cache.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"
#include "tests/support/temp_dir.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace checkpoint;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* secret_env = "CHECKPOINT_BENCH_HOOK_SECRET";
constexpr const char* secret = "provisioning-bench-secret";

// The system clock, moved forward on demand (what --clock-offset-file does for the binary).
class jump_clock final : public workflow::clock {
public:
    workflow::time_point now() const override { return std::chrono::system_clock::now() + offset_.load(); }
    void jump(std::chrono::system_clock::duration by) { offset_ = offset_.load() + by; }

private:
    std::atomic<std::chrono::system_clock::duration> offset_{std::chrono::system_clock::duration{0}};
};

workflow::manifests bench_manifests(const std::string& url)
{
    auto m = loader::load_manifests(std::string(CHECKPOINT_SOURCE_DIR) + "/manifests").value();
    for (auto& i : m.settings.integrations)
        if (i.name == "staging-access") {
            i.kind = workflow::integration_kind::webhook;
            i.url = url;
            i.secret_env = secret_env;
            i.format = workflow::webhook_format::checkpoint;
            i.timeout = 10s;
        }
    return m;
}

// The service as main composes it, minus the HTTP front door and Slack.
struct service {
    explicit service(const std::filesystem::path& dir, const std::string& url, unsigned workers)
        : live(bench_manifests(url)), manifests(*live.now()),
          db(storage::database::open((dir / "bench.db").string()).value()),
          integrations(bot::make_integrations(manifests.settings, {http, clock}).value()),
          runner(jobs, clock, {workers}),
          access(live, clock, petitions, [this] { runner.wake(); })
    {
        for (const char* kind :
             {"notify_person", "notify_channel", "post_card", "update_cards", "remind", "post_ephemeral", "post_in_thread",
              app::name(app::job_kind::publish_home).data()})
            runner.handle(kind, {[](const workflow::job&) { return bot::job_outcome::done(); }, {}});
        bot::register_provisioning_jobs(runner, ctx);
    }

    bot::config cfg;
    app::live_manifests live;
    const workflow::manifests& manifests;
    jump_clock clock;
    std::unique_ptr<storage::database> db;
    storage::petition_store petitions{*db};
    storage::job_queue jobs{*db};
    storage::audit_log audit{*db};
    storage::card_message_store cards{*db};
    storage::grant_store grants{*db};
    storage::slack_user_cache slack_users{*db};
    storage::resource_store resources{*db};
    outbound::beast_http_client http;
    bot::slack_client slack{http, clock, {"http://127.0.0.1:9/api/", "xoxb-unused"}};
    bot::integration_map integrations;
    bot::job_runner runner;
    app::access_service access;
    bot::service_context ctx{cfg,    live,   clock,     petitions,    jobs,   audit, cards,
                             grants, slack_users, resources, slack, integrations, access, runner};
};

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(at, v.size() - 1)];
}

std::string load_average()
{
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::int64_t count_jobs(storage::database& db, const char* kind, const char* condition)
{
    return db.read([&](storage::connection& c) -> workflow::result<std::int64_t> {
                 auto q = c.use(std::string("SELECT count(*) FROM jobs WHERE kind = ? AND ") + condition);
                 q->bind(1, std::string(kind));
                 q->executeStep();
                 return q->getColumn(0).getInt64();
             })
        .value();
}

struct approve_figures {
    std::size_t n = 0;
    double median_ms = 0, p99_ms = 0, max_ms = 0;
};

approve_figures approve_to_webhook(std::size_t approvals, unsigned workers)
{
    test::temp_dir dir;
    test::fake_webhook hook(secret);
    service svc(dir.path(), hook.url(), workers);
    svc.runner.start();
    std::vector<double> ms;
    const std::size_t warmup = 20;
    for (std::size_t i = 0; i < approvals + warmup; ++i) {
        // Sam (support) asks for 14 days of analytics-staging: analytics-eng approves.
        auto p = svc.access.submit("u-6001", {"analytics-staging", 14 * 24h, "bench", "", false}).value();
        if (p.state != workflow::petition_state::pending) {
            std::fprintf(stderr, "expected a pending petition, got %s\n", std::string(name(p.state)).c_str());
            std::exit(1);
        }
        const auto before = hook.received();
        const auto t0 = steady::now();
        if (auto t = svc.access.act(p.id, workflow::approve_by("u-4000", svc.clock.now())); !t) {
            std::fprintf(stderr, "approve failed: %s\n", t.error().message.c_str());
            std::exit(1);
        }
        if (!hook.wait_for([&](const test::webhook_log& l) { return l.requests.size() > before; }, 10s)) {
            std::fprintf(stderr, "no grant reached the receiver within 10 s\n");
            std::exit(1);
        }
        const auto t1 = steady::now();
        if (i >= warmup)
            ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    svc.runner.stop();
    return {ms.size(), percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0)};
}

struct expiry_figures {
    std::size_t grants = 0;
    double seed_s = 0, all_revoked_s = 0, per_second = 0;
    std::int64_t dead = 0;
    std::size_t requests = 0;
};

expiry_figures mass_expiry(std::size_t grants, unsigned workers)
{
    test::temp_dir dir;
    test::fake_webhook hook(secret);
    service svc(dir.path(), hook.url(), workers);

    // Seed: N active petitions of N people, all ending at `end`, with their expiry jobs and holdings.
    const auto seeded_at = svc.clock.now();
    const auto end = seeded_at + 1h;
    const auto t_seed = steady::now();
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> seeders;
    for (int s = 0; s < 16; ++s)
        seeders.emplace_back([&] {
            for (std::size_t i = next++; i < grants; i = next++) {
                const std::string person = "bench-" + std::to_string(i);
                workflow::route r;
                r.outcome = workflow::route_outcome::auto_approved;
                r.requester_id = person;
                r.requester_name = "Bench Person " + std::to_string(i);
                r.target = "analytics-staging";
                r.owner_team = "analytics-eng";
                r.platform_team = "platform-team";
                r.level = workflow::risk::low;
                r.length = 1h;
                r.integration = "staging-access";
                r.expiring_before = 10min;
                const auto id = "p-bench" + std::to_string(i);
                auto t = workflow::file(r, {id, "bench", ""}, seeded_at);
                auto p = workflow::apply(t.petition, workflow::provisioning_started(seeded_at), svc.manifests.directory)
                             .value()
                             .petition;
                auto active = workflow::apply(p, workflow::provisioned_at(seeded_at), svc.manifests.directory).value();
                auto w = app::plan_write(active, app::filing_audit(active.petition, {}), seeded_at);
                std::erase_if(w.jobs, [](const workflow::job_spec& j) { return j.kind != app::name(app::job_kind::expire); });
                if (w.jobs.size() != 1 || !svc.petitions.file(w) ||
                    !svc.grants.hold({person, "analytics-staging", id, end})) {
                    std::fprintf(stderr, "seeding %s failed\n", id.c_str());
                    std::exit(1);
                }
            }
        });
    for (auto& t : seeders)
        t.join();
    expiry_figures f;
    f.grants = grants;
    f.seed_s = std::chrono::duration<double>(steady::now() - t_seed).count();

    svc.runner.start();
    const auto t0 = steady::now();
    svc.clock.jump(1h + 1s);
    svc.runner.wake();
    const auto n = static_cast<std::int64_t>(grants);
    std::int64_t settled = 0;
    auto last_print = t0;
    while ((settled = count_jobs(*svc.db, "revoke", "status >= 2")) < n) {
        std::this_thread::sleep_for(200ms);
        if (steady::now() - last_print > 10s) {
            last_print = steady::now();
            std::fprintf(stderr, "  … %lld of %lld revokes settled after %.0f s (receiver has %zu)\n",
                         static_cast<long long>(settled), static_cast<long long>(n),
                         std::chrono::duration<double>(last_print - t0).count(), hook.received());
        }
        if (steady::now() - t0 > 15min) {
            std::fprintf(stderr, "gave up after 15 minutes\n");
            break;
        }
    }
    f.all_revoked_s = std::chrono::duration<double>(steady::now() - t0).count();
    f.per_second = static_cast<double>(settled) / f.all_revoked_s;
    f.dead = count_jobs(*svc.db, "revoke", "status = 3");
    f.requests = hook.received();
    svc.runner.stop();
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    const std::size_t approvals = argc > 1 ? std::stoul(argv[1]) : 300;
    const std::size_t grants = argc > 2 ? std::stoul(argv[2]) : 100'000;
    const unsigned workers = argc > 3 ? static_cast<unsigned>(std::stoul(argv[3])) : bot::config{}.worker_threads;
    ::setenv(secret_env, secret, 1);
    spdlog::set_level(spdlog::level::err);

    std::printf("provisioning bench: %u worker threads, %u cores, load average before: %s\n", workers,
                std::thread::hardware_concurrency(), load_average().c_str());

    const auto a = approve_to_webhook(approvals, workers);
    std::printf("\n| approve -> webhook received | samples | median ms | p99 ms | max ms | target median | result |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---|\n");
    std::printf("| real service path, loopback receiver | %zu | %.2f | %.2f | %.2f | <= 20 ms | %s |\n", a.n,
                a.median_ms, a.p99_ms, a.max_ms, a.median_ms <= 20.0 ? "PASS" : "FAIL");

    const auto e = mass_expiry(grants, workers);
    std::printf("\n| grants expiring at once | seeded in s | all revokes acknowledged in s | revokes/s | dead | "
                "requests | target | result |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|---:|---|\n");
    std::printf("| %zu | %.1f | %.1f | %.0f | %lld | %zu | <= 60 s | %s |\n", e.grants, e.seed_s, e.all_revoked_s,
                e.per_second, static_cast<long long>(e.dead), e.requests,
                e.all_revoked_s <= 60.0 && e.dead == 0 ? "PASS" : "FAIL");
    std::printf("\nload average after: %s\n", load_average().c_str());
    return 0;
}
