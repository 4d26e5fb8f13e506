// Three checkpointd replicas on one PostgreSQL database behind HAProxy (the conformance run's server; label
// postgresql): signed Slack commands, clicks and API calls arrive through HAProxy while one replica is SIGKILLed
// and started again. Afterwards nothing acknowledged is lost and nothing is doubled: each card once per channel,
// each Slack message once, each grant and revoke under one key, each expiry run once, the audit chain one line.
#include "tests/e2e/slack_story.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"
#include "tests/support/test_database.hpp"

#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

constexpr const char* hook_secret = "replicas-hook-secret";
constexpr const char* audit_key = "replicas-e2e-audit-key-0123456789abcdef";

const std::vector<std::string> requests{
    "request api-staging --duration 1d --reason \"replicas: staging checks\"",
    "request analytics-staging --duration 3d --reason \"replicas: dashboards\"",
    "request data-staging --duration 1d --reason \"replicas: pipeline test\"",
    "request api-production --duration 3d --reason \"replicas: latency debugging\"",
    "request data-warehouse --duration 3d --reason \"replicas: quarterly numbers\"",
};

std::string label_of(const json::object& event, const char* name)
{
    const auto* meta = event.if_contains("meta");
    const auto* labels = meta && meta->is_object() ? meta->get_object().if_contains("labels") : nullptr;
    const auto* v = labels && labels->is_object() ? labels->get_object().if_contains(name) : nullptr;
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

} // namespace

TEST_CASE("three replicas behind HAProxy, one SIGKILLed mid-load, lose nothing and double nothing", "[replicas]")
{
    REQUIRE(on_postgresql());
    const auto started = std::chrono::steady_clock::now();
    fake_webhook hook(hook_secret);
    temp_dir names;
    const auto database = database_for(names.file("replicas"));
    slack_story s(
        [&](const std::filesystem::path& manifests, std::map<std::string, std::string>& env) {
            point_integrations_at(manifests, hook.url());
            env["CHECKPOINT_E2E_HOOK_SECRET"] = hook_secret;
            env["CHECKPOINT_DB"] = database;
            env["CHECKPOINT_AUDIT_KEY"] = audit_key;
        },
        slack_transport::http, 3);

    std::vector<std::string> people;
    for (const char* id : {"u-0001", "u-1000", "u-1001", "u-1002", "u-2001", "u-2002", "u-2003", "u-3001", "u-3002",
                           "u-4000", "u-4001", "u-4002", "u-5000", "u-5001", "u-5002", "u-6000", "u-6001", "u-6002"})
        people.push_back(id);

    // Two Slack clients through HAProxy at once; replica 1 is SIGKILLed while they send, and started again.
    std::mutex m;
    std::map<std::string, std::size_t> sent, acknowledged, refused;
    std::atomic<std::size_t> failed{0};
    auto client = [&](unsigned seed) {
        std::mt19937 rng(seed);
        for (int i = 0; i < 40; ++i) {
            const auto& who = people[std::uniform_int_distribution<std::size_t>(0, people.size() - 1)(rng)];
            const auto& what = requests[std::uniform_int_distribution<std::size_t>(0, requests.size() - 1)(rng)];
            {
                std::lock_guard lock(m);
                ++sent[who];
            }
            try {
                const auto reply = json::serialize(s.command(s.slack_id_of(who), what));
                std::lock_guard lock(m);
                ++(reply.find("Nothing new was filed") == std::string::npos ? acknowledged : refused)[who];
            } catch (const std::exception&) {
                // The replica holding it was killed before it answered (HAProxy says 502): not acknowledged.
                ++failed;
            }
        }
    };
    auto a = std::async(std::launch::async, client, 1u);
    auto b = std::async(std::launch::async, client, 2u);
    // Killed once some requests are in: the instant is chosen by what has happened, not by a timer.
    REQUIRE(slack_story::eventually([&] {
        std::lock_guard lock(m);
        std::size_t n = 0;
        for (const auto& [p, c] : acknowledged)
            n += c;
        return n >= 15;
    }));
    s.kill_and_restart(1);
    a.get();
    b.get();

    std::size_t total_acknowledged = 0, total_sent = 0;
    for (const auto& p : people) {
        const auto n = std::stoul(s.rows("SELECT count(*) FROM petitions WHERE requester_id = '" + p + "'")[0][0]);
        INFO(p);
        CHECK(n >= acknowledged[p]);
        CHECK(n <= sent[p] - refused[p]);
        total_acknowledged += acknowledged[p];
        total_sent += sent[p];
    }
    for (const auto& row : s.rows("SELECT requester_id, target, count(*) FROM petitions WHERE state IN "
                                  "('pending', 'approved', 'provisioning', 'active') GROUP BY 1, 2 HAVING count(*) > 1"))
        FAIL_CHECK(row[0] << " has " << row[2] << " open requests for " << row[1]);

    // A long poll held by replica 0 answers when replica 2 decides: the API on one, the click on another.
    const auto pending = s.rows("SELECT id, requester_id FROM petitions WHERE state = 'pending' ORDER BY id LIMIT 1");
    REQUIRE(pending.size() == 1);
    const auto& watched = pending[0][0];
    // The requester's own token, as the CLI's `request --wait` holds it.
    const auto token = s.service_token("replicas-watcher", "requests", pending[0][1]);
    auto poll = std::async(std::launch::async, [&] {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = http_request(s.server(0).port(), http::verb::get, "/api/v1/petitions/" + watched + "/wait?timeout=30",
                              {}, {{"Authorization", "Bearer " + token}});
        return std::pair{r, std::chrono::steady_clock::now() - t0};
    });
    // Held open on replica 0 before the decision is sent: in flight there are the poll and this look at the metrics
    // (three looks in a row, so a health check that happened to be in flight is not taken for the poll).
    int held = 0;
    REQUIRE(slack_story::eventually([&] {
        const bool two = http_request(s.server(0).port(), http::verb::get, "/metrics").body().find(
                             "checkpoint_http_in_flight_requests 2") != std::string::npos;
        held = two ? held + 1 : 0;
        return held >= 3;
    }));

    // The reviewers approve what is pending, step by step, through HAProxy; the watched one's first click on
    // replica 2.
    std::size_t clicks = 0, clicks_answered = 0;
    auto approve_pending = [&](bool watched_only) {
        for (const auto& row : s.rows("SELECT id, requester_id FROM petitions WHERE state = 'pending'")) {
            if (watched_only != (row[0] == watched))
                continue;
            const auto step = s.step_of(row[0]);
            const auto eligible = s.eligible_reviewers(row[0], row[1]);
            const std::string reviewer = eligible.empty() ? std::string() : eligible.front();
            for (const auto& c : s.cards_of(row[0]))
                if (!reviewer.empty() && c.step == step) {
                    ++clicks;
                    clicks_answered +=
                        s.click(s.slack_id_of(reviewer), "checkpoint.approve", row[0], c.channel, c.ts).result_int() ==
                        200;
                    break;
                }
        }
    };
    s.pin(2);
    CHECK(slack_story::eventually([&] {
        approve_pending(true);
        return s.state_of(watched) != "pending";
    }));
    s.unpin();
    auto [answer, waited] = poll.get();
    CHECK(answer.result_int() == 200);
    CHECK(answer["X-Checkpoint-Waiting"] == "false");
    const auto waited_ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
    CHECK(waited_ms < 25'000);

    CHECK(slack_story::eventually(
        [&] {
            approve_pending(false);
            approve_pending(true);
            return s.rows("SELECT count(*) FROM petitions WHERE state = 'pending'")[0][0] == "0";
        },
        std::chrono::minutes(2)));

    // Every approved request becomes active; four days on, every grant has expired; nothing is left due.
    const auto quiet = [&](const std::string& states) {
        const auto horizon_ms = std::to_string((s.now_s() + 120) * 1000);
        return s.rows("SELECT count(*) FROM jobs WHERE status = 1 OR (status = 0 AND due_at <= " + horizon_ms + ")")[0][0] ==
                   "0" &&
               s.rows("SELECT count(*) FROM petitions WHERE state IN (" + states + ")")[0][0] == "0";
    };
    REQUIRE(slack_story::eventually([&] { return quiet("'approved', 'provisioning'"); }, std::chrono::minutes(3)));
    s.move_time(std::chrono::hours(24 * 4));
    REQUIRE(slack_story::eventually([&] { return quiet("'approved', 'provisioning', 'active'"); },
                                    std::chrono::minutes(3)));
    CHECK(s.dead_jobs() == 0);

    // Slack: no delivery key twice; every stored card copy is in Slack, each (request, step, destination) once.
    const auto tally = tally_deliveries(s.slack());
    for (const auto& [key, n] : tally.twice)
        UNSCOPED_INFO("posted " << n << " times: " << key);
    CHECK(tally.twice.empty());
    CHECK(tally.keyless == 0);
    std::size_t cards = 0, cards_missing = 0;
    for (const auto& row : s.rows("SELECT channel, ts FROM card_messages")) {
        ++cards;
        cards_missing += s.slack().message(row[0], row[1]) ? 0 : 1;
    }
    CHECK(cards_missing == 0);
    CHECK(s.rows("SELECT petition_id, step, destination FROM card_messages GROUP BY 1, 2, 3 HAVING count(*) > 1")
              .empty());

    // The receiver: each request's grant and its revoke each under one idempotency key.
    std::map<std::pair<std::string, std::string>, std::set<std::string>> keys_of;
    std::size_t deliveries = 0;
    for (const auto& r : hook.snapshot().requests) {
        if (r.answered < 200 || r.answered >= 300)
            continue;
        ++deliveries;
        for (const auto& e : r.events)
            if (e.event == "access/grant" || e.event == "access/revoke")
                keys_of[{label_of(e.raw, "petition"), e.event}].insert(r.idempotency_key);
    }
    std::size_t grants = 0, revokes = 0, split = 0;
    for (const auto& [what, keys] : keys_of) {
        ++(what.second == "access/grant" ? grants : revokes);
        if (keys.size() != 1) {
            ++split;
            UNSCOPED_INFO(what.second << " of " << what.first << " under " << keys.size() << " keys");
        }
    }
    CHECK(split == 0);
    CHECK(grants > 0);

    // Each expiry ran once across the replicas: one `expire` event per expired request.
    const auto expired = s.rows("SELECT count(*) FROM petitions WHERE state = 'expired'")[0][0];
    CHECK(s.rows("SELECT petition_id FROM audit_log WHERE action = 'expire' GROUP BY 1 HAVING count(*) > 1").empty());
    CHECK(s.rows("SELECT count(DISTINCT petition_id) FROM audit_log WHERE action = 'expire'")[0][0] == expired);

    // The audit chain: one line, every keyed hash holding, read after the replicas stop.
    for (std::size_t i = 0; i < s.replicas(); ++i)
        CHECK(s.server(i).stop() == 0);
    checkpoint::storage::database_options keyed;
    keyed.audit_key = checkpoint::storage::audit_key::make(audit_key).value();
    auto db = checkpoint::storage::database::open(database, keyed).value();
    auto chain = checkpoint::storage::audit_log(*db).verify();
    REQUIRE(chain.has_value());
    INFO(chain->problem);
    CHECK(chain->ok);
    CHECK(chain->keyed);

    std::cout << "replicas: 3 behind HAProxy, replica 1 SIGKILLed and restarted mid-load; " << total_acknowledged
              << " of " << total_sent << " Slack requests acknowledged (" << failed << " cut off by the kill), "
              << s.rows("SELECT count(*) FROM petitions")[0][0] << " stored, no open request twice; long poll on "
              << "replica 0 answered " << waited_ms << " ms after replica 2's decision was sent; " << clicks_answered
              << " of " << clicks << " clicks answered; Slack: " << tally.by_key.size() << " delivery keys, " << tally.twice.size()
              << " posted twice, " << cards << " card copies (" << cards_missing << " missing); receiver: " << grants
              << " grants and " << revokes << " revokes, " << split << " under a second key, " << deliveries
              << " deliveries; " << expired << " expiries, each run once; audit chain of " << chain->checked
              << " events verified; " << std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::steady_clock::now() - started).count()
              << " s" << std::endl;
}
