// The real checkpointd granting and revoking through a webhook receiver on loopback, with its clock
// moved by --clock-offset-file + SIGUSR1. Nothing sleeps to wait for work: every wait polls an
// observable condition (the receiver's log, the service's output) against a deadline.
#include "tests/e2e/server_process.hpp"
#include "tests/fakes/slack/fake_slack.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"
#include "tests/support/example_manifests.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace checkpoint::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* form = "application/x-www-form-urlencoded";
constexpr const char* hook_secret = "e2e-provisioning-hook-secret";
constexpr auto deadline = 15s;

// The example manifests at today's date, with staging-access turned into a webhook to `url`.
void write_manifests(const std::filesystem::path& dir, const std::string& url)
{
    write_example_manifests(dir, std::chrono::system_clock::now());
    std::string settings = read_text(dir / "checkpoint.yaml");
    const std::string log_entry = "  - name: staging-access\n    kind: log\n";
    const auto at = settings.find(log_entry);
    REQUIRE(at != std::string::npos);
    settings.replace(at, log_entry.size(),
                     "  - name: staging-access\n"
                     "    kind: webhook\n"
                     "    url: " + url + "\n"
                     "    secret_env: CHECKPOINT_E2E_HOOK_SECRET\n"
                     "    format: checkpoint\n"
                     // Long enough that a loaded CI machine never times a delivery out by accident: a
                     // delivery timed out has an unknown effect, and is rightly taken back if the access
                     // ended meanwhile (a late revoke, counted as a second revoke by these tests).
                     "    timeout: 10s\n");
    std::ofstream(dir / "checkpoint.yaml") << settings;
}

std::string command_body(const std::string& user, const std::string& text)
{
    return slash_command_form(user, boost::urls::encode(text, boost::urls::unreserved_chars));
}

// A receiver, a fake Slack, a temporary database and manifests, and the clock offset file: what a
// checkpointd under test runs against; servers come and go over the same state.
struct rig {
    rig()
    {
        env = e2e_env(dir.path().string());
        write_manifests(dir.path() / "manifests", hook.url());
        env["CHECKPOINT_MANIFESTS"] = (dir.path() / "manifests").string();
        env["CHECKPOINT_E2E_HOOK_SECRET"] = hook_secret;
        env["SLACK_API_URL"] = slack.api_url();
        env["SLACK_BOT_TOKEN"] = slack.token();
        set_offset(0s);
    }

    std::unique_ptr<server_process> start()
    {
        return std::make_unique<server_process>(env, std::vector<std::string>{"--clock-offset-file", offset_file});
    }

    void set_offset(std::chrono::seconds s)
    {
        offset = s;
        std::ofstream(offset_file, std::ios::trunc) << s.count() << "\n";
    }

    // Moves the running service's clock `by` further, once its workers are idle (busy_jobs), and waits
    // until it says it has re-read it.
    void advance(server_process& server, std::chrono::seconds by)
    {
        REQUIRE(poll([&] { return busy_jobs() == 0; }));
        const auto before = occurrences(server.output(), "clock: offset reloaded");
        set_offset(offset + by);
        server.signal(SIGUSR1);
        REQUIRE(poll([&] { return occurrences(server.output(), "clock: offset reloaded") > before; }));
    }

    // Jobs leased now, or due by the service's clock and not yet leased.
    int busy_jobs() const
    {
        return checkpoint::test::busy_jobs(
            env.at("CHECKPOINT_DB"),
            std::chrono::duration_cast<std::chrono::milliseconds>(
                (std::chrono::system_clock::now() + offset).time_since_epoch())
                .count());
    }

    // Files `/checkpoint request …` as `user`; returns the petition id from the reply.
    std::string request(server_process& server, const std::string& text, const std::string& user = "U01KOFI")
    {
        auto r = slack_post(server.port(), "/slack/commands", form, command_body(user, "request " + text), {},
                            slack_timestamp());
        REQUIRE(r.result() == http::status::ok);
        std::smatch m;
        const std::string body = r.body();
        INFO(body);
        REQUIRE(std::regex_search(body, m, std::regex("Request `(p-[0-9a-zA-Z-]+)`")));
        return m[1];
    }

    std::string command(server_process& server, const std::string& text, const std::string& user = "U01KOFI")
    {
        auto r = slack_post(server.port(), "/slack/commands", form, command_body(user, text), {}, slack_timestamp());
        REQUIRE(r.result() == http::status::ok);
        return r.body();
    }

    // Now on the service's moved clock: Slack's signature is checked against it.
    long long slack_timestamp() const
    {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   (std::chrono::system_clock::now() + offset).time_since_epoch())
            .count();
    }

    // The petition's state as `/checkpoint status <id>` reports it ("active", "expired", …).
    std::string state(server_process& server, const std::string& id)
    {
        const auto body = command(server, "status " + id);
        boost::system::error_code ec;
        auto v = boost::json::parse(body, ec);
        if (ec || !v.is_object() || !v.as_object().contains("text") || !v.as_object().at("text").is_string())
            return "(unreadable: " + body + ")";
        const std::string text(v.as_object().at("text").as_string());
        std::smatch m;
        if (!std::regex_search(text, m, std::regex(R"(\): ([a-z_]+)$)")))
            return "(no state in: " + text + ")";
        return m[1];
    }

    static std::size_t occurrences(const std::string& hay, const std::string& needle)
    {
        std::size_t n = 0;
        for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1))
            ++n;
        return n;
    }

    static bool poll(const std::function<bool()>& pred, std::chrono::milliseconds within = deadline)
    {
        const auto end = std::chrono::steady_clock::now() + within;
        while (!pred()) {
            if (std::chrono::steady_clock::now() > end)
                return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }

    bool wait_effects(std::string_view event, std::size_t n, std::chrono::milliseconds within = deadline)
    {
        return hook.wait_for([&](const webhook_log& l) { return l.effects_of(event) >= n; }, within);
    }

    temp_dir dir;
    fake_webhook hook{hook_secret};
    fake_slack slack;
    std::string offset_file = dir.file("clock-offset");
    std::chrono::seconds offset{0};
    std::map<std::string, std::string> env;
};

// The petition id an event carries in meta.labels.petition.
std::string petition_of(const received_event& e)
{
    const auto* meta = e.raw.if_contains("meta");
    if (!meta || !meta->is_object())
        return {};
    const auto* labels = meta->as_object().if_contains("labels");
    if (!labels || !labels->is_object())
        return {};
    const auto* p = labels->as_object().if_contains("petition");
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
}

std::vector<received_event> events_of(const webhook_log& log, std::string_view event)
{
    std::vector<received_event> out;
    for (const auto& r : log.requests)
        for (const auto& e : r.events)
            if (e.event == event)
                out.push_back(e);
    return out;
}

// Every request signed correctly and carrying an idempotency key.
void check_signed(const webhook_log& log)
{
    for (const auto& r : log.requests) {
        INFO(r.body);
        CHECK(r.signature_format == "checkpoint");
        CHECK(r.signature_valid);
        CHECK_FALSE(r.idempotency_key.empty());
    }
}

} // namespace

TEST_CASE("e2e: a grant waits for a receiver that is down and is delivered once it comes back", "[e2e][provisioning]")
{
    rig r;
    r.hook.go_down();
    auto server = r.start();
    const auto id = r.request(*server, "analytics-staging --duration 1d --reason \"checking the nightly load\"");
    // The first attempt found nobody listening and was put off.
    REQUIRE(server->wait_for_output("jobs: provision", deadline));
    REQUIRE(server->wait_for_output("will retry", deadline));
    CHECK(r.hook.snapshot().requests.empty());

    r.hook.come_back();
    r.advance(*server, 15min);
    REQUIRE(r.wait_effects("access/grant", 1));
    const auto log = r.hook.snapshot();
    check_signed(log);
    const auto grants = events_of(log, "access/grant");
    REQUIRE(grants.size() == 1);
    CHECK(grants[0].person_id == "u-4001");
    CHECK(grants[0].resource_id == "analytics-staging");
    CHECK(petition_of(grants[0]) == id);
    CHECK(log.effects_of("access/revoke") == 0);
    CHECK(r.poll([&] { return r.state(*server, id) == "active"; }));
}

// Whether the fake Slack got a message with an Extend button.
bool extend_offered(const std::vector<fake_slack_call>& calls)
{
    for (const auto& c : calls)
        if (c.method == "chat.postMessage" && boost::json::serialize(c.args).find("\"Extend\"") != std::string::npos)
            return true;
    return false;
}

TEST_CASE("e2e: a reminder with Extend comes a day before the end - access is revoked at expiry, not before",
          "[e2e][provisioning]")
{
    rig r;
    auto server = r.start();
    const auto id = r.request(*server, "analytics-staging --duration 3d --reason \"checking the nightly load\"");
    REQUIRE(r.wait_effects("access/grant", 1));
    REQUIRE(r.poll([&] { return r.state(*server, id) == "active"; }));
    CHECK_FALSE(extend_offered(r.slack.calls()));

    // A day before the end: the expiry reminder, with its Extend button, and nothing revoked.
    r.advance(*server, 48h + 1min);
    REQUIRE(r.slack.wait_for(extend_offered, deadline));
    CHECK(r.state(*server, id) == "active");
    CHECK(r.hook.snapshot().count("access/revoke") == 0);

    r.advance(*server, 24h);
    REQUIRE(r.wait_effects("access/revoke", 1));
    const auto log = r.hook.snapshot();
    check_signed(log);
    const auto revokes = events_of(log, "access/revoke");
    REQUIRE(revokes.size() == 1);
    CHECK(revokes[0].person_id == "u-4001");
    CHECK(revokes[0].resource_id == "analytics-staging");
    CHECK(petition_of(revokes[0]) == id);
    CHECK(revokes[0].raw.at("actor").at("kind") == "system");
    CHECK(r.poll([&] { return r.state(*server, id) == "expired"; }));
}

namespace {

// "2026-12-07T05:42:25Z" (or with milliseconds) as Unix seconds.
long long unix_time(const std::string& utc)
{
    std::tm tm{};
    if (!strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &tm))
        return -1;
    return static_cast<long long>(timegm(&tm));
}

} // namespace

TEST_CASE("e2e: an extension moves the revoke with no gap in access", "[e2e][provisioning]")
{
    rig r;
    auto server = r.start();
    const auto id = r.request(*server, "analytics-staging --duration 1d --reason \"checking the nightly load\"");
    REQUIRE(r.wait_effects("access/grant", 1));
    REQUIRE(r.poll([&] { return r.state(*server, id) == "active"; }));
    // 1 day more on a low-risk bundle (2 days in all) is approved at once.
    INFO(r.command(*server, "extend " + id + " 1d --reason \"the load test runs late\""));
    // The receiver is sent the live grant again with its new end, a day after the first one's.
    REQUIRE(r.wait_effects("access/grant", 2));
    std::vector<std::string> ends, lengths;
    for (const auto& req : r.hook.snapshot().requests)
        for (const auto& e : req.events)
            if (e.event == "access/grant" && e.resource_id == "analytics-staging") {
                const auto& labels = e.raw.at("meta").at("labels").as_object();
                ends.emplace_back(labels.at("expiresAt").as_string());
                lengths.emplace_back(labels.at("duration").as_string());
            }
    REQUIRE(ends.size() >= 2);
    CHECK(unix_time(ends.back()) - unix_time(ends.front()) == 24 * 3600);
    CHECK(lengths.front() == "1d");
    CHECK(lengths.back() == "2d");

    // Past the original end: still active, nothing revoked. A later grant of another bundle is the
    // barrier: its provision job falls due after the original expiry, so that expiry has run by then.
    r.advance(*server, 24h + 1min);
    r.request(*server, "data-staging --duration 1d --reason \"compare the pipelines\"");
    REQUIRE(r.wait_effects("access/grant", 3));
    CHECK(r.state(*server, id) == "active");

    // Past the extended end: revoked once, after it.
    r.advance(*server, 24h);
    REQUIRE(r.hook.wait_for(
        [](const webhook_log& l) {
            for (const auto& e : l.effects)
                if (e.second.event == "access/revoke" && e.second.resource_id == "analytics-staging")
                    return true;
            return false;
        },
        deadline));
    const auto log = r.hook.snapshot();
    std::size_t grants = 0, revokes = 0;
    std::string keys;
    for (const auto& e : log.effects)
        if (e.second.resource_id == "analytics-staging") {
            grants += e.second.event == "access/grant";
            revokes += e.second.event == "access/revoke";
            keys += e.second.event + " " + e.first + "\n";
        }
    INFO(keys);
    INFO((revokes == 1 ? std::string() : server->output()));
    CHECK(grants == 2);
    CHECK(revokes == 1);
    CHECK(r.poll([&] { return r.state(*server, id) == "expired"; }));
}

TEST_CASE("e2e: a manual override is granted at once by the admin, announced in the security channel, and revoked "
          "at its end",
          "[e2e][provisioning]")
{
    rig r;
    auto server = r.start();
    const auto paula = mint_token(r.env, "paula", "admin", "u-1000");
    const boost::json::object body{{"person", "u-4001"},
                                   {"bundle", "analytics-staging"},
                                   {"duration", "1d"},
                                   {"reason", "the nightly load failed and the owners are asleep"},
                                   {"ticket", "INC-42"}};
    auto res = http_request(server->port(), http::verb::post, "/api/v1/overrides", boost::json::serialize(body),
                            {{"Authorization", "Bearer " + paula}, {"Content-Type", "application/json"}});
    INFO(res.body());
    REQUIRE(res.result() == http::status::created);
    const std::string id(boost::json::parse(res.body()).at("id").as_string());

    // Granted at once, with the admin as the one who let it through.
    REQUIRE(r.wait_effects("access/grant", 1));
    const auto grants = events_of(r.hook.snapshot(), "access/grant");
    REQUIRE(grants.size() == 1);
    CHECK(grants[0].person_id == "u-4001");
    CHECK(petition_of(grants[0]) == id);
    CHECK(grants[0].raw.at("actor").at("id") == "u-1000");
    REQUIRE(r.poll([&] { return r.state(*server, id) == "active"; }));

    // The security channel reads the exception and its justification; Kofi hears who granted what.
    const auto posted_to = [&](const std::string& channel, const std::string& words) {
        return r.slack.wait_for(
            [&](const std::vector<fake_slack_call>& calls) {
                for (const auto& c : calls)
                    if (c.method == "chat.postMessage" && c.args.contains("channel") &&
                        c.args.at("channel").as_string() == channel &&
                        boost::json::serialize(c.args).find(words) != std::string::npos)
                        return true;
                return false;
            },
            deadline);
    };
    CHECK(posted_to("C0SECURITY", "*Manual override:* Paula Reyes granted Kofi Mensah *analytics-staging* for 1 day"));
    CHECK(posted_to("C0SECURITY", "the nightly load failed and the owners are asleep"));
    CHECK(posted_to("U01KOFI", "Paula Reyes granted you *analytics-staging* for 1 day"));

    // It ends like any grant: revoked once at its end.
    r.advance(*server, 24h + 1min);
    REQUIRE(r.wait_effects("access/revoke", 1));
    CHECK(events_of(r.hook.snapshot(), "access/revoke").size() == 1);
    CHECK(r.poll([&] { return r.state(*server, id) == "expired"; }));
}

TEST_CASE("e2e: a second request for access held is refused, points at Extend, and grants nothing",
          "[e2e][provisioning]")
{
    rig r;
    auto server = r.start();
    const auto first = r.request(*server, "analytics-staging --duration 1d --reason \"a quick look\"");
    REQUIRE(r.wait_effects("access/grant", 1));
    REQUIRE(r.poll([&] { return r.state(*server, first) == "active"; }));

    const auto again = r.command(*server, "request analytics-staging --duration 3d --reason \"the longer study\"");
    CHECK_THAT(again, Catch::Contains("You already have access to analytics-staging (request " + first) &&
                          Catch::Contains("/checkpoint extend " + first));
    CHECK_THAT(again, Catch::Contains("Nothing new was filed"));
    // The receiver got one grant; the refused request left nothing behind.
    CHECK(r.hook.snapshot().count("access/grant") == 1);
    CHECK(r.state(*server, first) == "active");
}

TEST_CASE("e2e: killed with SIGKILL while granting and while revoking: every effect lands, once per key",
          "[e2e][provisioning]")
{
    rig r;
    std::vector<std::string> ids;
    {
        auto server = r.start();
        // The first grant is received (and applied) but answered too late: the process dies first.
        r.hook.queue(webhook_reply::slow(30s));
        ids.push_back(r.request(*server, "analytics-staging --duration 1d --reason \"checking the nightly load\""));
        REQUIRE(r.hook.wait_for_requests(1, deadline));
        ids.push_back(r.request(*server, "api-staging --duration 1d --reason \"reproduce a bug\""));
        ids.push_back(r.request(*server, "data-staging --duration 1d --reason \"compare the pipelines\""));
        CHECK(server->stop(SIGKILL) == 128 + SIGKILL);
    }
    {
        auto server = r.start();
        REQUIRE(r.wait_effects("access/grant", 3));
        for (const auto& id : ids)
            CHECK(r.poll([&] { return r.state(*server, id) == "active"; }));
        // At the expiry the first revoke hangs, and the process dies again.
        r.hook.queue(webhook_reply::slow(30s));
        r.advance(*server, 24h + 1min);
        REQUIRE(r.hook.wait_for([](const webhook_log& l) { return l.count("access/revoke") >= 1; }, deadline));
        CHECK(server->stop(SIGKILL) == 128 + SIGKILL);
    }
    auto server = r.start();
    REQUIRE(r.wait_effects("access/revoke", 3));
    for (const auto& id : ids)
        CHECK(r.poll([&] { return r.state(*server, id) == "expired"; }));

    const auto log = r.hook.snapshot();
    check_signed(log);
    CHECK(log.effects_of("access/grant") == 3);
    CHECK(log.effects_of("access/revoke") == 3);
    // The effects are one per (event, bundle); the repeats came with the key of the first attempt.
    std::set<std::pair<std::string, std::string>> distinct;
    for (const auto& [key, e] : log.effects) {
        INFO(key);
        CHECK(e.person_id == "u-4001");
        CHECK(distinct.emplace(e.event, e.resource_id).second);
    }
    CHECK(distinct.size() == 6);
    // Some delivery was repeated (the killed ones) and still applied once.
    std::size_t repeated = 0;
    for (const auto& [key, e] : log.effects)
        repeated += e.deliveries > 1;
    CHECK(repeated >= 1);
    CHECK(log.requests.size() > 6);
}

TEST_CASE("e2e: an expiry that passed while the service was down is revoked within 5 s of start", "[e2e][provisioning]")
{
    rig r;
    std::string id;
    {
        auto server = r.start();
        id = r.request(*server, "analytics-staging --duration 1d --reason \"checking the nightly load\"");
        REQUIRE(r.wait_effects("access/grant", 1));
        REQUIRE(r.poll([&] { return r.state(*server, id) == "active"; }));
        CHECK(server->stop() == 0);
    }
    // Down for two days.
    r.set_offset(48h);
    const auto started = std::chrono::steady_clock::now();
    auto server = r.start();
    REQUIRE(r.wait_effects("access/revoke", 1, 5s));
    const auto took = std::chrono::steady_clock::now() - started;
    INFO("revoked " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms after start");
    CHECK(took < 5s);
    CHECK(r.poll([&] { return r.state(*server, id) == "expired"; }));
}

TEST_CASE("e2e: a person Okta deactivates loses their access: the grant revoked through the webhook, once, across a "
          "restart",
          "[e2e][provisioning][scim]")
{
    rig r;
    std::string id;
    const auto okta = mint_token(r.env, "okta", "scim");
    const auto auditor = mint_token(r.env, "auditor", "audit:read");
    const auto petition_state = [&](server_process& server) {
        auto res = http_request(server.port(), http::verb::get, "/api/v1/petitions/" + id, {},
                                {{"Authorization", "Bearer " + auditor}});
        return res.result() == http::status::ok
                   ? std::string(boost::json::parse(res.body()).at("state").as_string())
                   : std::string("(") + std::to_string(res.result_int()) + ")";
    };
    {
        auto server = r.start();
        id = r.request(*server, "analytics-staging --duration 1d --reason \"checking the nightly load\"");
        REQUIRE(r.wait_effects("access/grant", 1));
        REQUIRE(r.poll([&] { return petition_state(*server) == "active"; }));

        const auto scim = [&](http::verb method, const std::string& target, const boost::json::object& body) {
            auto res = http_request(server->port(), method, target, boost::json::serialize(body),
                                    {{"Authorization", "Bearer " + okta}, {"Content-Type", "application/scim+json"}});
            INFO(res.body());
            return res;
        };
        // Okta pushes Kofi, then deactivates him.
        auto created = scim(http::verb::post, "/scim/v2/Users",
                            {{"schemas", boost::json::array{"urn:ietf:params:scim:schemas:core:2.0:User"}},
                             {"userName", "kofi@example.com"},
                             {"name", boost::json::object{{"givenName", "Kofi"}, {"familyName", "Mensah"}}},
                             {"emails", boost::json::array{boost::json::object{{"primary", true}, {"value", "kofi@example.com"}}}},
                             {"active", true}});
        REQUIRE(created.result() == http::status::created);
        const std::string user(boost::json::parse(created.body()).at("id").as_string());
        auto off = scim(http::verb::patch, "/scim/v2/Users/" + user,
                        {{"schemas", boost::json::array{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                         {"Operations", boost::json::array{boost::json::object{
                                            {"op", "replace"}, {"value", boost::json::object{{"active", false}}}}}}});
        REQUIRE(off.result() == http::status::ok);

        REQUIRE(r.wait_effects("access/revoke", 1));
        const auto revokes = events_of(r.hook.snapshot(), "access/revoke");
        REQUIRE(revokes.size() == 1);
        CHECK(revokes[0].person_id == "u-4001");
        CHECK(petition_of(revokes[0]) == id);
        CHECK(r.poll([&] { return petition_state(*server) == "revoked"; }));
        // Kofi's Slack commands stop too: he is no longer anyone Checkpoint knows.
        const auto refused = r.command(*server, "request analytics-staging --duration 1d --reason \"again\"");
        INFO(refused);
        CHECK(refused.find("Checkpoint does not know you") != std::string::npos);
        REQUIRE(r.poll([&] { return r.busy_jobs() == 0; }));
        server->signal(SIGKILL);
        server->wait_exit();
    }
    // After a restart the records are laid over again: nothing is revoked twice, nothing granted back.
    auto server = r.start();
    REQUIRE(r.poll([&] { return petition_state(*server) == "revoked"; }));
    REQUIRE(server->wait_for_output("directory: 1 record(s) from SCIM and imports", deadline));
    REQUIRE(r.poll([&] { return r.busy_jobs() == 0; }));
    const auto log = r.hook.snapshot();
    CHECK(log.effects_of("access/revoke") == 1);
    CHECK(log.effects_of("access/grant") == 1);
    check_signed(log);
}
