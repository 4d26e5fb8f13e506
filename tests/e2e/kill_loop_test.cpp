// The kill loop: the real checkpointd takes SIGKILLs at random instants while requests arrive by
// signed Slack commands and reviewers click, then runs to quiet with every grant expired. Nothing
// acknowledged may be lost, no Slack message may reach Slack twice, and every grant and revoke goes
// to the receiver under one idempotency key. CHECKPOINT_KILL_SEED=<n> replays a run.
#include "tests/e2e/slack_story.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"

#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

constexpr const char* hook_secret = "kill-loop-hook-secret";
constexpr std::size_t min_requests = 200;
constexpr int min_kills = 20;

// What a person files: instant for some, a card for reviewers for others.
const std::vector<std::string> requests{
    "request api-staging --duration 1d --reason \"kill loop: staging checks\"",
    "request analytics-staging --duration 3d --reason \"kill loop: dashboards\"",
    "request data-staging --duration 1d --reason \"kill loop: pipeline test\"",
    "request kubernetes-staging --duration 1d --reason \"kill loop: cluster debug\"",
    "request api-production --duration 3d --reason \"kill loop: latency debugging\"",
    "request data-warehouse --duration 3d --reason \"kill loop: quarterly numbers\"",
    "request kubernetes-prod-debug --duration 1d --reason \"kill loop: node pressure\"",
};

std::string str(const json::value* v) { return v && v->is_string() ? std::string(v->get_string()) : std::string(); }

// The job key inside a delivery key "<job key>[/<part>]@<life>".
bool belongs_to(const std::string& delivery_key, const std::string& job_key)
{
    return delivery_key.starts_with(job_key) &&
           (delivery_key.size() > job_key.size() &&
            (delivery_key[job_key.size()] == '@' || delivery_key[job_key.size()] == '/'));
}

long long seconds_since(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t).count();
}

struct person {
    std::string slack_id;
    std::string id;
};

} // namespace

TEST_CASE("kill loop: 200 requests and 20 SIGKILLs lose nothing acknowledged and deliver every effect once",
          "[crash]")
{
    std::uint64_t seed = std::random_device{}();
    if (const char* s = std::getenv("CHECKPOINT_KILL_SEED"))
        seed = std::strtoull(s, nullptr, 10);
    std::cout << "kill loop: seed " << seed << " (CHECKPOINT_KILL_SEED=" << seed << " replays it)" << std::endl;
    std::mt19937_64 rng(seed);

    const auto started = std::chrono::steady_clock::now();
    fake_webhook hook(hook_secret);
    slack_story s([&](const std::filesystem::path& manifests, std::map<std::string, std::string>& env) {
        point_integrations_at(manifests, hook.url());
        env["CHECKPOINT_E2E_HOOK_SECRET"] = hook_secret;
    });

    std::vector<person> people;
    for (const char* id : {"u-0001", "u-1000", "u-1001", "u-1002", "u-2001", "u-2002", "u-2003", "u-3001", "u-3002",
                           "u-4000", "u-4001", "u-4002", "u-5000", "u-5001", "u-5002", "u-6000", "u-6001", "u-6002"})
        people.push_back({s.slack_id_of(id), id});

    // Acknowledged requests are filed, or refused because the person already asked for or holds it.
    std::map<std::string, std::size_t> sent, acknowledged, refused;
    std::size_t total_acknowledged = 0, clicks = 0, clicks_answered = 0;
    int kills = 0;

    // Reviewers' next clicks: pending requests (each with chance `share`) whose current step has a
    // card and a reviewer who is not the requester.
    struct click {
        std::string user, id, channel, ts;
    };
    const auto plan_clicks = [&](double share) {
        std::vector<click> planned;
        try {
            for (const auto& row : s.rows("SELECT id, requester_id FROM petitions WHERE state = 'pending'")) {
                if (std::uniform_real_distribution<double>(0, 1)(rng) >= share)
                    continue;
                const auto step = s.step_of(row[0]);
                const auto eligible = s.eligible_reviewers(row[0], row[1]);
                const std::string reviewer =
                    eligible.empty() ? std::string()
                                     : eligible[std::uniform_int_distribution<std::size_t>(0, eligible.size() - 1)(rng)];
                for (const auto& c : s.cards_of(row[0]))
                    if (!reviewer.empty() && c.step == step) {
                        planned.push_back({s.slack_id_of(reviewer), row[0], c.channel, c.ts});
                        break;
                    }
            }
        } catch (const std::exception&) {
            // The server held the write lock past the busy timeout: click another time.
        }
        return planned;
    };

    while (total_acknowledged < min_requests || kills < min_kills) {
        const auto planned = plan_clicks(1.0 / 3);

        // One burst of commands and clicks, and a SIGKILL at a random instant during or after it.
        const int burst = std::uniform_int_distribution<int>(8, 14)(rng);
        std::vector<std::pair<std::size_t, std::size_t>> picks; // (person, request)
        for (int i = 0; i < burst; ++i)
            picks.emplace_back(std::uniform_int_distribution<std::size_t>(0, people.size() - 1)(rng),
                               std::uniform_int_distribution<std::size_t>(0, requests.size() - 1)(rng));
        const auto kill_at = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 600)(rng));
        auto killer = std::async(std::launch::async, [&] {
            // Choosing the instant of the kill, not waiting for work.
            std::this_thread::sleep_for(kill_at);
            s.server().signal(SIGKILL);
        });
        std::size_t next_click = 0;
        for (const auto& [who, what] : picks) {
            ++sent[people[who].id];
            try {
                const auto reply = json::serialize(s.command(people[who].slack_id, requests[what]));
                ++(reply.find("Nothing new was filed") == std::string::npos ? acknowledged : refused)[people[who].id];
                ++total_acknowledged;
            } catch (const std::exception&) {
                // Killed before it answered: not acknowledged, so it may or may not be stored.
            }
            if (next_click < planned.size()) {
                const auto& c = planned[next_click++];
                ++clicks;
                try {
                    if (s.click(c.user, "checkpoint.approve", c.id, c.channel, c.ts).result_int() == 200)
                        ++clicks_answered;
                } catch (const std::exception&) {
                }
            }
        }
        killer.get();
        s.kill_and_restart();
        ++kills;
    }

    // Every acknowledged request is stored (one per requester at least as many as were acknowledged).
    std::size_t stored = 0;
    for (const auto& p : people) {
        const auto n = std::stoul(s.rows("SELECT count(*) FROM petitions WHERE requester_id = '" + p.id + "'")[0][0]);
        INFO(p.id);
        CHECK(n >= acknowledged[p.id]);
        CHECK(n <= sent[p.id] - refused[p.id]);
        stored += n;
    }
    // Requests sent at once, and around kills, filed one open request per person and target.
    for (const auto& row : s.rows("SELECT requester_id, target, count(*) FROM petitions WHERE state IN "
                                  "('pending', 'approved', 'provisioning', 'active') GROUP BY 1, 2 HAVING count(*) > 1"))
        FAIL_CHECK(row[0] << " has " << row[2] << " open requests for " << row[1]);

    // The reviewers approve what is still pending, step by step, with no more kills.
    const bool all_decided = slack_story::eventually(
        [&] {
            for (const auto& c : plan_clicks(1.0)) {
                ++clicks;
                clicks_answered += s.click(c.user, "checkpoint.approve", c.id, c.channel, c.ts).result_int() == 200;
            }
            return s.rows("SELECT count(*) FROM petitions WHERE state = 'pending'")[0][0] == "0";
        },
        std::chrono::minutes(2));
    CHECK(all_decided);

    const auto drained_at = std::chrono::steady_clock::now();
    // Nothing due (jobs running, or due within two minutes of the server's clock), and no request in
    // one of `states`.
    const auto quiet = [&](const std::string& states) {
        const auto horizon_ms = std::to_string((s.now_s() + 120) * 1000);
        return s.rows("SELECT count(*) FROM jobs WHERE status = 1 OR (status = 0 AND due_at <= " + horizon_ms + ")")[0][0] ==
                   "0" &&
               s.rows("SELECT count(*) FROM petitions WHERE state IN (" + states + ")")[0][0] == "0";
    };
    const auto settle = [&](const std::string& states) {
        const bool settled = slack_story::eventually([&] { return quiet(states); }, std::chrono::minutes(3));
        if (!settled) {
            const auto horizon_ms = std::to_string((s.now_s() + 120) * 1000);
            for (const auto& row : s.rows("SELECT kind, key, status, attempts, last_error, due_at FROM jobs WHERE "
                                          "status = 1 OR (status = 0 AND due_at <= " + horizon_ms + ") LIMIT 20"))
                UNSCOPED_INFO("due: " << row[0] << " " << row[1] << " status " << row[2] << " attempts " << row[3]
                                      << " due " << row[5] << " (" << row[4] << ")");
            for (const auto& row : s.rows("SELECT id, state, ends_at FROM petitions WHERE state IN (" + states +
                                          ") LIMIT 20"))
                UNSCOPED_INFO("not settled: " << row[0] << " " << row[1] << " ends " << row[2]);
            UNSCOPED_INFO("server now " << s.now_s() * 1000);
        }
        return settled;
    };
    // Every approved request becomes active (its clock starts then); then, four days on, every grant
    // has expired, and the service runs until nothing is due.
    REQUIRE(settle("'approved', 'provisioning'"));
    s.move_time(std::chrono::hours(24 * 4));
    REQUIRE(settle("'approved', 'provisioning', 'active'"));
    CHECK(s.dead_jobs() == 0);

    // Slack: every message carries a delivery key, no key twice, and every finished posting job has
    // exactly one message.
    const auto messages = s.slack().messages();
    const auto tally = tally_deliveries(s.slack());
    const auto& by_key = tally.by_key;
    const std::size_t twice = tally.twice.size();
    for (const auto& [key, n] : tally.twice)
        UNSCOPED_INFO("posted " << n << " times: " << key);
    CHECK(tally.keyless == 0);
    CHECK(twice == 0);

    std::map<std::string, std::size_t> posted_by_kind;
    std::size_t jobs_without_message = 0;
    const auto posting_jobs = s.rows("SELECT key, kind, payload FROM jobs WHERE status = 2 AND kind IN "
                                     "('post_card', 'notify_person', 'notify_channel')");
    // A finished job may rightly leave no message of its own: a notice of a state the request had left
    // when its turn came (dropped), or a channel's card carried on to the next step (its message updated).
    const auto may_leave_none = [&](const std::vector<std::string>& row) {
        const auto payload = json::parse(row[2]).as_object();
        const auto notice = str(payload.if_contains("notice"));
        if (row[1] == "notify_person")
            return notice != "approved" && notice != "auto_approved" && notice != "denied" && notice != "revoked" &&
                   notice != "expired" && notice != "failed" && notice != "extended";
        if (row[1] != "post_card")
            return false;
        const auto petition = row[0].substr(0, row[0].find('/'));
        const auto copy = s.rows("SELECT channel, ts FROM card_messages WHERE petition_id = '" + petition +
                                 "' AND step = " + std::to_string(payload.at("step").to_number<std::int64_t>()) +
                                 " AND destination = '" + str(payload.if_contains("to")) + "'");
        return !copy.empty() && s.slack().message(copy[0][0], copy[0][1]).has_value();
    };
    std::set<std::string> keys;
    for (const auto& [key, n] : by_key)
        keys.insert(key);
    for (const auto& row : posting_jobs) {
        std::size_t found = 0;
        for (auto it = keys.lower_bound(row[0]); it != keys.end() && it->starts_with(row[0]); ++it)
            found += belongs_to(*it, row[0]) ? 1 : 0;
        if (found == 0 && may_leave_none(row))
            continue;
        if (found != 1) {
            ++jobs_without_message;
            UNSCOPED_INFO(row[1] << " " << row[0] << " left " << found << " messages");
        }
        ++posted_by_kind[row[1]];
    }
    CHECK(jobs_without_message == 0);

    // Cards: every stored copy is in Slack, and each card reached each channel once.
    std::size_t cards = 0, cards_missing = 0;
    for (const auto& row : s.rows("SELECT DISTINCT channel, ts FROM card_messages")) {
        ++cards;
        if (!s.slack().message(row[0], row[1]))
            ++cards_missing;
    }
    CHECK(cards_missing == 0);
    CHECK(cards == posted_by_kind["post_card"]);

    // The receiver: one idempotency key per grant and per revoke of each request; every request that
    // became active was granted; and for every person and entitlement the last word was a revoke
    // (overlapping grants share one revoke, sent when the last of them ends).
    const auto log = hook.snapshot();
    std::map<std::pair<std::string, std::string>, std::set<std::string>> keys_of;
    std::map<std::pair<std::string, std::string>, std::string> last_word;
    std::size_t grants = 0, revokes = 0;
    for (const auto& r : log.requests) {
        if (r.answered < 200 || r.answered >= 300)
            continue;
        for (const auto& e : r.events) {
            if (e.event != "access/grant" && e.event != "access/revoke")
                continue;
            const auto* meta = e.raw.if_contains("meta");
            const auto* labels = meta && meta->is_object() ? meta->get_object().if_contains("labels") : nullptr;
            const auto petition = labels && labels->is_object() ? str(labels->get_object().if_contains("petition")) : "";
            if (keys_of[{petition, e.event}].insert(r.idempotency_key).second)
                ++(e.event == "access/grant" ? grants : revokes);
            last_word[{e.person_id, e.resource_id}] = e.event;
        }
    }
    std::size_t split_keys = 0;
    for (const auto& [what, ks] : keys_of)
        if (ks.size() != 1) {
            ++split_keys;
            UNSCOPED_INFO(what.second << " of " << what.first << " under " << ks.size() << " keys");
        }
    CHECK(split_keys == 0);
    std::size_t not_granted = 0, left_granted = 0;
    for (const auto& row : s.rows("SELECT id FROM petitions WHERE state IN ('expired', 'revoked')"))
        not_granted += keys_of.count({row[0], "access/grant"}) == 1 ? 0 : 1;
    for (const auto& [who, event] : last_word)
        if (event != "access/revoke") {
            ++left_granted;
            UNSCOPED_INFO(who.first << " still holds " << who.second);
        }
    CHECK(not_granted == 0);
    CHECK(left_granted == 0);

    // The audit chain, read by the storage layer once the service has stopped, with the key the service made
    // beside the database at its first start: every keyed hash and every anchor (one a day) holds.
    REQUIRE(s.server().stop() == 0);
    std::ifstream key_file(s.database_path() + ".audit-key");
    std::string key;
    std::getline(key_file, key);
    checkpoint::storage::database_options keyed;
    keyed.audit_key = checkpoint::storage::audit_key::make(key).value();
    auto db = checkpoint::storage::database::open(s.database_path(), keyed).value();
    auto chain = checkpoint::storage::audit_log(*db).verify();
    REQUIRE(chain.has_value());
    INFO(chain->problem);
    CHECK(chain->ok);
    CHECK(chain->keyed);
    CHECK(chain->anchor.has_value());

    std::cout << "kill loop: seed " << seed << ": " << kills << " SIGKILLs; " << total_acknowledged << " of "
              << [&] {
                     std::size_t n = 0;
                     for (const auto& [p, c] : sent)
                         n += c;
                     return n;
                 }()
              << " requests acknowledged ("
              << [&] {
                     std::size_t n = 0;
                     for (const auto& [p, c] : refused)
                         n += c;
                     return n;
                 }()
              << " refused as asked already or held), " << stored << " stored (every one filed); " << clicks_answered
              << " of " << clicks << " approve clicks answered; Slack: " << messages.size() << " messages, "
              << by_key.size() << " delivery keys, " << twice << " posted twice, " << posted_by_kind["post_card"]
              << " cards (" << cards << " stored, " << cards_missing << " missing), " << posted_by_kind["notify_person"]
              << " DMs and " << posted_by_kind["notify_channel"] << " channel notices each posted once; receiver: "
              << grants << " grants and " << revokes << " revokes, " << split_keys << " under a second key, "
              << last_word.size() << " people and entitlements all revoked at the end, "
              << log.requests.size() << " deliveries; audit chain of " << chain->checked << " events verified; "
              << seconds_since(started) << " s in all, " << seconds_since(drained_at) << " s to run to quiet"
              << std::endl;
}
