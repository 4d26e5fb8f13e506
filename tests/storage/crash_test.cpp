#include "fixture.hpp"
#include "storage/audit_log.hpp"
#include "app/effect_jobs.hpp"
#include "storage/grant_store.hpp"
#include "storage/job_queue.hpp"
#include "storage/petition_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace checkpoint;
using namespace checkpoint::storage::test;
using namespace std::chrono_literals;

namespace {

constexpr int rounds = 40;
constexpr int child_threads = 4;

// Tells the parent one more write is durable; a line per write, short enough to be atomic in a pipe.
void ack(int fd, const std::string& line)
{
    const auto text = line + "\n";
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        ::_exit(3);
}

// The write for a transition, with the number of jobs planned for it noted in the audit details,
// so the parent can check after a crash that every stored state came with exactly its jobs.
workflow::petition_write noted(workflow::petition_write w)
{
    std::size_t once = 0;
    const auto prefix = w.petition.id + "/v" + std::to_string(w.petition.version) + "/";
    for (const auto& j : w.jobs)
        once += j.key.starts_with(prefix) ? 1 : 0;
    auto details = boost::json::parse(w.audit.details).as_object();
    details["jobs"] = once;
    w.audit.details = boost::json::serialize(details);
    return w;
}

// One submitter: files petitions, moves them through their lifecycle, and works the queue, forever.
void submit_forever(storage::database& db, int round, int thread, int fd)
{
    storage::petition_store petitions(db);
    storage::job_queue jobs(db, {}, [] { return 0.5; });
    storage::grant_store grants(db);
    const auto owner = "child-" + std::to_string(round) + "-" + std::to_string(thread);
    for (int n = 0;; ++n) {
        const auto now = workflow::time_point(std::chrono::system_clock::now());
        const auto id = "R" + std::to_string(round) + "-T" + std::to_string(thread) + "-" + std::to_string(n);
        auto w = noted(filing(id, now));
        if (petitions.file(w).value() != workflow::write_status::applied)
            ::_exit(4);
        ack(fd, "F " + id);
        auto p = w.petition;
        for (auto e : {workflow::approve_by("mary", now), workflow::provisioning_started(now),
                       workflow::provisioned_at(now)}) {
            auto next = noted(transition(p, e));
            if (petitions.apply(next).value() != workflow::write_status::applied)
                ::_exit(5);
            p = next.petition;
            ack(fd, "A " + id);
        }
        grants.hold({p.requester(), p.entitlement(), p.id, *p.ends_at}).value();
        ack(fd, "G " + id);
        // Complete one, fail one, and leave one leased for the next start-up to reclaim.
        auto leased = jobs.lease(owner, 3, 60s, now).value();
        if (leased.size() > 0)
            jobs.complete(leased[0].id, owner, now).value();
        if (leased.size() > 1)
            jobs.fail(leased[1].id, owner, "HTTP 503", std::nullopt, now, false).value();
        ack(fd, "J " + id);
    }
}

[[noreturn]] void run_child(const std::string& path, int round, int fd)
{
    try {
        auto db = storage::database::open(path);
        if (!db)
            ::_exit(2);
        std::vector<std::thread> threads;
        for (int t = 0; t < child_threads; ++t)
            threads.emplace_back([&, t] {
                try {
                    submit_forever(**db, round, t, fd);
                } catch (...) {
                    ::_exit(6);
                }
            });
        for (auto& t : threads)
            t.join();
    } catch (...) {
        ::_exit(7);
    }
    ::_exit(0);
}

struct totals {
    int acks = 0;
    int reclaimed = 0;
    std::set<std::string> filed;
};

// Everything the issue promises after a crash, checked on the reopened database.
void check_after_restart(const std::string& path, const std::set<std::string>& filed, totals& t)
{
    auto db = open_db(path);
    REQUIRE(db->integrity_check().value() == "ok");

    std::map<std::string, std::uint64_t> versions;
    {
        auto guard = db->lock();
        auto q = db->connection().use("SELECT id, version FROM petitions");
        while (q->executeStep())
            versions[q->getColumn(0).getString()] = static_cast<std::uint64_t>(q->getColumn(1).getInt64());
    }
    for (const auto& id : filed) {
        INFO("acknowledged petition " << id);
        CHECK(versions.count(id) == 1);
    }

    // Every state has its audit event, and every audit event its jobs; no job outlives a rolled-back write.
    std::map<std::string, std::size_t> jobs_by_version;
    {
        auto guard = db->lock();
        auto q = db->connection().use("SELECT key FROM jobs WHERE key LIKE 'R%/v%/%'");
        while (q->executeStep()) {
            auto key = q->getColumn(0).getString();
            ++jobs_by_version[key.substr(0, key.rfind('/'))];
        }
    }
    std::map<std::string, std::set<std::uint64_t>> audited;
    {
        auto guard = db->lock();
        auto q = db->connection().use("SELECT petition_id, details FROM audit_log WHERE petition_id != ''");
        while (q->executeStep()) {
            const auto id = q->getColumn(0).getString();
            const auto details = boost::json::parse(q->getColumn(1).getString()).as_object();
            const auto v = details.at("version").to_number<std::uint64_t>();
            const auto planned = details.at("jobs").to_number<std::size_t>();
            INFO(id << " v" << v);
            CHECK(audited[id].insert(v).second);
            CHECK(jobs_by_version[id + "/v" + std::to_string(v)] == planned);
        }
    }
    for (const auto& [id, version] : versions) {
        INFO(id);
        REQUIRE(audited[id].size() == version);
        CHECK(*audited[id].rbegin() == version);
    }
    for (const auto& [prefix, count] : jobs_by_version) {
        const auto id = prefix.substr(0, prefix.rfind("/v"));
        const auto v = std::stoull(prefix.substr(prefix.rfind("/v") + 2));
        INFO(prefix);
        CHECK(versions.count(id) == 1);
        CHECK(v <= versions[id]);
    }

    storage::job_queue jobs(*db);
    const auto later = workflow::time_point(std::chrono::system_clock::now()) + 1h;
    t.reclaimed += static_cast<int>(jobs.reclaim_expired(later).value());
    CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE status = 1") == 0);

    auto chain = storage::audit_log(*db).verify();
    REQUIRE(chain);
    INFO(chain->problem);
    CHECK(chain->ok);
}

} // namespace

TEST_CASE("SIGKILL at random moments never loses an acknowledged write nor leaves one half-applied", "[crash]")
{
    checkpoint::test::temp_dir dir;
    const auto path = dir.file("crash.db");
    std::mt19937 rng(20261125);
    totals t;

    for (int round = 0; round < rounds; ++round) {
        const int kill_after = std::uniform_int_distribution<int>(1, 80)(rng);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        // Nothing of ours runs in this process while the child lives: no threads are copied by fork.
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            run_child(path, round, fds[1]);
        }
        ::close(fds[1]);
        FILE* in = ::fdopen(fds[0], "r");
        REQUIRE(in);
        char line[256];
        int seen = 0;
        while (seen < kill_after && std::fgets(line, sizeof line, in)) {
            ++seen;
            std::string s(line);
            if (s.starts_with("F "))
                t.filed.insert(s.substr(2, s.size() - 3));
        }
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        std::fclose(in);
        INFO("round " << round);
        REQUIRE(seen == kill_after);
        REQUIRE(WIFSIGNALED(status));
        t.acks += seen;
        check_after_restart(path, t.filed, t);
    }

    std::cout << "crash test: " << rounds << " rounds, each SIGKILLed mid-run; " << t.acks
              << " acknowledged writes, " << t.filed.size() << " petitions filed and all found, " << t.reclaimed
              << " leases reclaimed, audit chain verified after every restart\n";
}
