#include "tests/cli/cli_process.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>
#include <sstream>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

// The real checkpointd with the repository's manifests, an admin token minted on its database
// file by `checkpoint tokens create … --database`, and personal tokens made through the API.
struct api_server {
    temp_dir dir;
    server_process server{e2e_env(dir.path().string())};
    std::string url = "http://127.0.0.1:" + std::to_string(server.port());
    std::string admin;

    api_server()
    {
        auto r = run_cli({"tokens", "create", "bootstrap-admin", "--scopes", "admin", "--database",
                          dir.file("checkpoint.db"), "--json"},
                         {});
        INFO(r.err);
        REQUIRE(r.code == 0);
        admin = std::string(json::parse(r.out).at("token").as_string());
    }

    std::map<std::string, std::string> env(const std::string& token) const
    {
        return {{"CHECKPOINT_URL", url}, {"CHECKPOINT_TOKEN", token}, {"HOME", dir.path().string()}};
    }

    cli_result as(const std::string& token, const std::vector<std::string>& args) const
    {
        return run_cli(args, env(token));
    }

    // A personal token for `person`, made by the admin through POST /tokens.
    std::string personal(const std::string& name, const std::string& person, const std::string& scopes) const
    {
        auto r = as(admin, {"tokens", "create", name, "--kind", "personal", "--person", person, "--scopes", scopes,
                            "--json"});
        INFO(r.err);
        REQUIRE(r.code == 0);
        return std::string(json::parse(r.out).at("token").as_string());
    }
};

std::string id_of(const std::string& json_text) { return std::string(json::parse(json_text).at("id").as_string()); }

// tests/golden/<name>.json (the CLI's text as an array of lines, see golden_text.hpp) as the text it holds.
std::string golden_text(const std::string& name)
{
    std::ifstream in(std::filesystem::path(CHECKPOINT_SOURCE_DIR) / "tests" / "golden" / (name + ".json"));
    std::stringstream buf;
    buf << in.rdbuf();
    const auto lines = json::parse(buf.str());
    std::string out;
    for (const auto& line : lines.as_array())
        out += std::string(line.as_string()) + "\n";
    return out;
}

} // namespace

TEST_CASE("CLI e2e: an auto-approved request prints the seed's lines and exits 0 once access is active")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests");
    auto r = s.as(lee, {"request", "api-production", "--duration", "1d", "--reason", "debugging latency spike"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("✓ Bundle found: api-production (owner api-team, risk High)\n"
                                        "✓ Requesting access for 1 day\n"
                                        "✓ Auto-approved"));
    CHECK_THAT(r.out, Catch::Contains("✓ Access granted (expires "));
    // What the grant gives, in the words of manifests/bundles/api-production.yaml.
    CHECK_THAT(r.out, Catch::EndsWith("\nYou can now access:\n"
                                      "  - AWS permission set via IAM Identity Center (prod IAM role for S3)\n"
                                      "  - Read-only on production API RDS (api-production cluster)\n"
                                      "  - Vault paths for api-production secrets (read)\n"));
    // The golden file render_test compares with is what this server prints, but for the day it expires.
    const std::regex expires(R"(\(expires [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC\))");
    CHECK(std::regex_replace(r.out, expires, "(expires …)") ==
          std::regex_replace(golden_text("cli_request_auto"), expires, "(expires …)"));

    auto mine = s.as(lee, {"list", "--json"});
    CHECK(mine.code == 0);
    auto items = json::parse(mine.out).at("items").as_array();
    REQUIRE(items.size() == 1);
    CHECK(items[0].at("state") == "active");
}

TEST_CASE("CLI e2e: a request that needs approval waits, line by line, until a reviewer approves")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests,review");
    const auto alex = s.personal("alex", "u-2002", "review");

    cli_process waiting({"request", "api-production", "--duration", "7d", "--reason", "load test"}, s.env(lee));
    REQUIRE(waiting.wait_for_out("⏳ Waiting for approval"));
    CHECK_THAT(waiting.out(), Catch::Contains("✓ Requesting access for 7 days\n⏳ api-team approves"));

    // The reviewer finds it among the requests awaiting them, and the requester cannot approve it.
    auto awaiting = s.as(alex, {"list", "--awaiting", "--json"});
    REQUIRE(awaiting.code == 0);
    auto items = json::parse(awaiting.out).at("items").as_array();
    REQUIRE(items.size() == 1);
    const std::string id(items[0].at("id").as_string());
    auto self = s.as(lee, {"approve", id});
    CHECK(self.code == 1);
    CHECK_THAT(self.err, Catch::Contains("(refused, HTTP 422)"));

    auto approve = s.as(alex, {"approve", id, "--reason", "go ahead"});
    INFO(approve.err);
    CHECK(approve.code == 0);
    CHECK_THAT(approve.out, Catch::StartsWith("✓ Approved " + id));

    CHECK(waiting.wait_exit() == 0);
    CHECK_THAT(waiting.out(), Catch::Contains("✓ Access granted (expires "));
    CHECK(waiting.out().find('\r') == std::string::npos);

    auto status = s.as(lee, {"status", id});
    CHECK(status.code == 0);
    CHECK_THAT(status.out, Catch::Contains("Step 1 of 1 · owner [approved]: Alex Chen (on api-team"));
    CHECK_THAT(status.out, Catch::Contains(" UTC  Alex Chen · approve: go ahead\n"));
}

TEST_CASE("CLI e2e: --no-wait exits 2 - a denial exits 3 with who and why")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests");
    const auto alex = s.personal("alex", "u-2002", "review");

    auto filed = s.as(lee, {"request", "api-production", "-d", "7d", "-r", "load test", "--no-wait", "--json"});
    INFO(filed.err);
    REQUIRE(filed.code == 2);
    const auto id = id_of(filed.out);
    CHECK(json::parse(filed.out).at("state") == "pending");

    auto no_reason = s.as(alex, {"deny", id});
    CHECK(no_reason.code == 64);
    auto deny = s.as(alex, {"deny", id, "--reason", "use staging"});
    CHECK(deny.code == 0);

    auto status = s.as(lee, {"status", id});
    CHECK(status.code == 3);
    CHECK_THAT(status.out, Catch::EndsWith("✗ Denied by Alex Chen: use staging\n"));
    auto again = s.as(alex, {"approve", id, "--json"});
    CHECK(again.code == 1);
    CHECK_THAT(again.err, Catch::Contains("HTTP 409"));
    CHECK(json::parse(again.out).at("error").at("code") == "conflict");
}

TEST_CASE("CLI e2e: approve --duration grants less than was asked")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests");
    const auto alex = s.personal("alex", "u-2002", "review");
    auto filed = s.as(lee, {"request", "api-production", "-d", "7d", "-r", "load test", "--no-wait", "--json"});
    REQUIRE(filed.code == 2);
    const auto id = id_of(filed.out);

    auto too_long = s.as(alex, {"approve", id, "--duration", "14d"});
    CHECK(too_long.code == 1);
    CHECK_THAT(too_long.err, Catch::Contains("Approve for less than the 7 days asked"));
    auto approved = s.as(alex, {"approve", id, "--duration", "2d", "--json"});
    INFO(approved.err);
    CHECK(approved.code == 0);
    const auto p = json::parse(approved.out);
    CHECK(p.at("duration") == "2d");
    CHECK(p.at("asked_duration") == "7d");
}

TEST_CASE("CLI e2e: catalog, explain, log, tokens, audit and reports answer in text and --json")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests");

    auto catalog = s.as(lee, {"catalog", "production"});
    CHECK(catalog.code == 0);
    CHECK_THAT(catalog.out, Catch::StartsWith("BUNDLE ") && Catch::Contains("api-production") && Catch::Contains("High"));
    auto catalog_json = s.as(lee, {"catalog", "--json"});
    CHECK(catalog_json.code == 0);
    CHECK(json::parse(catalog_json.out).at("items").as_array().size() >= 5);

    auto explain = s.as(lee, {"explain", "api-production", "--duration", "7d"});
    CHECK(explain.code == 0);
    CHECK_THAT(explain.out, Catch::StartsWith("api-production for 7 days:\n⏳ api-team approves"));
    CHECK_THAT(explain.out, Catch::EndsWith("Nothing was filed; `checkpoint request` files it.\n"));

    REQUIRE(s.as(lee, {"request", "api-production", "-d", "1d", "-r", "incident"}).code == 0);
    auto log = s.as(lee, {"log", "--bundle", "api-production"});
    CHECK(log.code == 0);
    CHECK_THAT(log.out, Catch::Contains("api-production") && Catch::Contains("Lee Lin"));

    auto tokens = s.as(s.admin, {"tokens", "list"});
    CHECK(tokens.code == 0);
    CHECK_THAT(tokens.out, Catch::Contains("bootstrap-admin") && Catch::Contains("lee"));
    CHECK(tokens.out.find("cpt_") == std::string::npos);
    CHECK(s.as(lee, {"tokens", "list"}).code == 1);

    auto verify = s.as(s.admin, {"audit", "verify"});
    CHECK(verify.code == 0);
    CHECK_THAT(verify.out, Catch::StartsWith("✓ Audit log intact: "));

    auto events = s.as(s.admin, {"audit", "events", "--person", "u-2001"});
    CHECK(events.code == 0);
    CHECK_THAT(events.out, Catch::StartsWith("SEQ ") && Catch::Contains("u-2001"));
    CHECK(s.as(lee, {"audit", "events"}).code == 1);

    auto report = s.as(s.admin, {"report", "auto-approval-rate", "--json"});
    INFO(report.err);
    CHECK(report.code == 0);
    CHECK(json::parse(report.out).at("report") == "auto-approval-rate");
    auto csv = s.as(s.admin, {"report", "auto-approval-rate", "--csv"});
    CHECK(csv.code == 0);
    CHECK_FALSE(csv.out.empty());
}

TEST_CASE("CLI e2e: grant is an admin's override: at once, announced, in bypassed-approval, expiring as any grant")
{
    api_server s;
    const auto paula = s.personal("paula", "u-1000", "admin");
    const auto lee = s.personal("lee", "u-2001", "requests,review");
    const std::vector<std::string> args{"grant", "--person", "u-4001", "--bundle", "api-production", "--duration",
                                        "2d", "--reason", "customer escalation INC-7; the owners are offsite",
                                        "--ticket", "INC-7"};

    auto refused = s.as(lee, args);
    CHECK(refused.code == 1);
    CHECK_THAT(refused.err, Catch::Contains("`admin` scope"));
    CHECK(s.as(paula, {"grant", "--person", "u-4001", "--bundle", "customer:1", "--reason", "x"}).code == 64);
    CHECK(s.as(paula, {"grant", "--person", "u-4001", "--reason", "no target given"}).code == 64);
    auto self = s.as(paula, {"grant", "--person", "u-1000", "--bundle", "api-production", "--reason",
                             "I would like to skip the queue"});
    CHECK(self.code == 1);
    CHECK_THAT(self.err, Catch::Contains("another admin must grant it"));

    auto r = s.as(paula, args);
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("✓ Bundle found: api-production (owner api-team, risk High)\n"
                                        "✓ Granting Kofi Mensah (u-4001) access for 2 days\n"
                                        "🚨 Manual override: granted by Paula Reyes outside the approval flow, and "
                                        "recorded as an exception.\n"
                                        "ℹ The security channel is told; checkpoint report bypassed-approval lists it.\n"));

    auto report = s.as(paula, {"report", "bypassed-approval", "--json"});
    REQUIRE(report.code == 0);
    const auto rows = json::parse(report.out).at("rows").as_array();
    REQUIRE(rows.size() == 1);
    CHECK(rows.at(0).at("kind") == "override");
    CHECK(rows.at(0).at("granted_by") == "u-1000");
    CHECK(rows.at(0).at("reason") == "customer escalation INC-7; the owners are offsite");

    // The grant's log line names Paula as the approver.
    auto log = s.as(paula, {"log", "--bundle", "api-production"});
    CHECK_THAT(log.out, Catch::Contains("Kofi Mensah") && Catch::Contains("Paula Reyes"));
}

TEST_CASE("CLI e2e: customers uploaded from CSV can be requested one at a time")
{
    api_server s;
    std::ofstream(s.dir.file("customers.csv")) << "id,displayName,label.tier\n123,Acme Corp,gold\n456,Globex,silver\n";
    const auto uploader = [&] {
        auto r = s.as(s.admin, {"tokens", "create", "crm-sync", "--scopes", "resources:write", "--json"});
        REQUIRE(r.code == 0);
        return std::string(json::parse(r.out).at("token").as_string());
    }();
    auto up = s.as(uploader, {"resources", "upload", s.dir.file("customers.csv"), "--kind", "customer"});
    INFO(up.err);
    CHECK(up.code == 0);
    CHECK(up.out == "✓ Uploaded 2 resources (2 created or updated)\n");

    auto found = s.as(uploader, {"resources", "list", "acme", "--kind", "customer", "--json"});
    CHECK(found.code == 0);
    auto items = json::parse(found.out).at("items").as_array();
    REQUIRE(items.size() == 1);
    CHECK(items[0].at("id") == "123");

    const auto sam = s.personal("sam", "u-6001", "requests");
    auto r = s.as(sam, {"request", "customer:123", "-d", "4h", "-r", "BUG-482", "--no-wait"});
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::StartsWith("✓ Resource found: customer:123 (Acme Corp), owner support, risk High\n"));
}

TEST_CASE("CLI e2e: a bad or revoked token is refused with exit 1")
{
    api_server s;
    auto r = s.as("cpt_0000000000000000000000000000000000000000", {"list"});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("(unauthenticated, HTTP 401)"));

    auto made = s.as(s.admin, {"tokens", "create", "temp", "--scopes", "requests", "--json"});
    REQUIRE(made.code == 0);
    const std::string token(json::parse(made.out).at("token").as_string());
    const auto id = json::serialize(json::parse(made.out).at("id"));
    CHECK(s.as(token, {"catalog"}).code == 0);
    CHECK(s.as(s.admin, {"tokens", "revoke", id}).code == 0);
    r = s.as(token, {"catalog"});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("HTTP 401"));
}

TEST_CASE("CLI e2e: extend, revoke and cancel change the state - status exits by it")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests");

    auto granted = s.as(lee, {"request", "api-production", "-d", "1d", "-r", "incident", "--json"});
    REQUIRE(granted.code == 0);
    const auto id = id_of(granted.out);
    auto extend = s.as(lee, {"extend", id, "--duration", "1d", "--reason", "still on it"});
    INFO(extend.err);
    CHECK(extend.code == 0);
    CHECK_THAT(extend.out, Catch::StartsWith("✓ Extension asked for " + id));
    auto revoke = s.as(lee, {"revoke", id, "--reason", "done early"});
    INFO(revoke.err);
    CHECK(revoke.code == 0);
    auto status = s.as(lee, {"status", id});
    CHECK(status.code == 3);
    CHECK_THAT(status.out, Catch::EndsWith("✗ Revoked by Lee Lin: done early\n"));

    auto pending = s.as(lee, {"request", "api-production", "-d", "7d", "-r", "x", "--no-wait", "--json"});
    REQUIRE(pending.code == 2);
    const auto open_id = id_of(pending.out);
    CHECK(s.as(lee, {"cancel", open_id}).code == 0);
    auto cancelled = s.as(lee, {"status", open_id, "--json"});
    CHECK(cancelled.code == 3);
    CHECK(json::parse(cancelled.out).at("state") == "cancelled");
    auto twice = s.as(lee, {"cancel", open_id});
    CHECK(twice.code == 1);
    CHECK_THAT(twice.err, Catch::Contains("HTTP 409"));
}

TEST_CASE("CLI e2e: waiting stops at --timeout with exit 2, and status --wait picks it up again")
{
    api_server s;
    const auto lee = s.personal("lee", "u-2001", "requests");
    auto r = s.as(lee, {"request", "api-production", "-d", "7d", "-r", "x", "--timeout", "1s"});
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("⏳ Still pending after 1 second; follow it with: checkpoint status "));
    auto mine = s.as(lee, {"list", "--state", "pending", "--json"});
    REQUIRE(mine.code == 0);
    const std::string id(json::parse(mine.out).at("items").at(0).at("id").as_string());
    auto again = s.as(lee, {"status", id, "--wait", "--timeout", "1s"});
    CHECK(again.code == 2);
}

TEST_CASE("CLI e2e: the config file supplies URL and token - a service token files for a person")
{
    api_server s;
    const auto filer = [&] {
        auto r = s.as(s.admin, {"tokens", "create", "portal", "--scopes", "requests", "--json"});
        REQUIRE(r.code == 0);
        return std::string(json::parse(r.out).at("token").as_string());
    }();
    std::filesystem::create_directories(s.dir.path() / "xdg" / "checkpoint");
    std::ofstream(s.dir.path() / "xdg" / "checkpoint" / "config") << "# test\nurl = " << s.url << "\ntoken = " << filer
                                                                  << "\n";
    auto r = run_cli({"request", "api-production", "-d", "1d", "-r", "from the portal", "--for", "u-2001"},
                     {{"XDG_CONFIG_HOME", (s.dir.path() / "xdg").string()}});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("✓ Auto-approved: Lee Lin is on api-team"));
}

TEST_CASE("CLI e2e: tokens create --database refuses bad scopes and unknown people with 64")
{
    api_server s;
    const auto db = s.dir.file("checkpoint.db");
    const std::map<std::string, std::string> env{{"CHECKPOINT_MANIFESTS", std::string(CHECKPOINT_SOURCE_DIR) + "/manifests"}};
    auto r = run_cli({"tokens", "create", "x", "--scopes", "admin,root", "--database", db}, env);
    CHECK(r.code == 64);
    CHECK_THAT(r.err, Catch::Contains("\"root\" is not a scope"));
    r = run_cli({"tokens", "create", "x", "--scopes", "requests", "--person", "u-9999", "--database", db}, env);
    CHECK(r.code == 64);
    CHECK_THAT(r.err, Catch::Contains("\"u-9999\" is not in the directory"));
    r = run_cli({"tokens", "create", "lee", "--scopes", "requests", "--person", "lee@example.com", "--database", db}, env);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("(personal for u-2001, scopes requests, expires "));
    r = run_cli({"tokens", "create", "lee", "--scopes", "requests", "--person", "u-2001", "--expires", "never",
                 "--database", db},
                env);
    CHECK(r.code == 64);
    CHECK_THAT(r.err, Catch::Contains("--expires: a personal token cannot live forever"));
    auto audit = s.as(s.admin, {"audit", "verify"});
    CHECK(audit.code == 0);
}

namespace {

// Replaces the first `from` in the file with `to`.
void edit_file(const std::filesystem::path& p, const std::string& from, const std::string& to)
{
    REQUIRE(edit_text(p, from, to));
}

} // namespace

TEST_CASE("CLI e2e: policy diff says what a reorg would do, and a reload under load does exactly that")
{
    api_server s;
    const auto kofi = s.personal("kofi", "u-4001", "requests");
    // Kofi (analytics-eng) waits on api-team for api-production.
    auto filed = s.as(kofi, {"request", "api-production", "-d", "1d", "-r", "debugging latency", "--no-wait", "--json"});
    INFO(filed.err);
    REQUIRE(filed.code == 2);
    const auto id = id_of(filed.out);

    // The reorg, in a copy of the manifests: api-production moves to data-platform.
    const auto live = s.dir.path() / "manifests";
    const auto next = s.dir.path() / "next";
    std::filesystem::copy(live, next, std::filesystem::copy_options::recursive);
    edit_file(next / "bundles" / "api-production.yaml", "owner_team: api-team", "owner_team: data-platform");

    // The preview: nothing changes yet.
    auto preview = s.as(s.admin, {"policy", "diff", next.string(), "--json"});
    INFO(preview.out << preview.err);
    REQUIRE(preview.code == 0);
    const auto p = json::parse(preview.out);
    CHECK(p.at("changes").at("summary") == "1 bundle changed (api-production: owner_team)");
    REQUIRE(p.at("waiting").as_array().size() == 1);
    const auto& w = p.at("waiting").as_array()[0];
    CHECK(w.at("petition") == id.c_str());
    CHECK(w.at("outcome") == "rerouted");
    json::array after_ids;
    for (const auto& v : w.at("waiting_after").as_array())
        after_ids.push_back(v.at("id"));
    CHECK(json::serialize(after_ids).find("u-3001") != std::string::npos);
    CHECK(p.at("replayed").as_int64() >= 1);
    auto text = s.as(s.admin, {"policy", "diff", next.string()});
    CHECK(text.code == 0);
    CHECK_THAT(text.out, Catch::Contains("api-production  owner_team: api-team → data-platform"));
    CHECK_THAT(text.out, Catch::Contains(id));
    CHECK_THAT(text.out, Catch::Contains("Mia Jones"));
    // Previewing is not applying.
    auto still = s.as(kofi, {"status", id, "--json"});
    CHECK(still.out.find("u-3001") == std::string::npos);
    // Bad manifests to preview: every problem, at its file and line.
    const auto broken = s.dir.path() / "broken";
    std::filesystem::copy(live, broken, std::filesystem::copy_options::recursive);
    edit_file(broken / "bundles" / "api-production.yaml", "risk: high", "risk: extreme");
    auto bad = s.as(s.admin, {"policy", "diff", broken.string()});
    CHECK(bad.code == 1);
    CHECK_THAT(bad.err, Catch::Contains("bundles/api-production.yaml:4: risk"));
    // A requester's token may not preview or reload.
    CHECK(s.as(kofi, {"policy", "diff", next.string()}).code == 1);
    CHECK(s.as(kofi, {"manifests", "reload"}).code == 1);

    // Under load (Slack commands asking who would approve), the new manifests go in with SIGHUP.
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0}, failed{0}, saw_new{0}, old_after_new{0};
    std::mutex last_mutex;
    std::string last;
    // Each client asks one question at a time: once it has seen the new manifests, it never sees the old again.
    const auto ask_who_approves = [&] {
        bool seen_new = false;
        while (!stop) {
            auto r = slack_post(s.server.port(), "/slack/events", "application/x-www-form-urlencoded",
                                slash_command_form("U01KOFI", "explain+api-production+--duration+1d"));
            if (r.result_int() != 200) {
                ++failed;
                continue;
            }
            ++answered;
            {
                std::lock_guard lock(last_mutex);
                last = r.body();
            }
            const bool is_new = r.body().find("Mia Jones") != std::string::npos;
            if (is_new) {
                ++saw_new;
                seen_new = true;
            } else if (seen_new) {
                ++old_after_new;
            }
        }
    };
    // Two clients at once, so requests are in flight while the manifests swap.
    std::thread load(ask_who_approves), load2(ask_who_approves);
    const auto answers = [&](int n) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (answered < n && failed == 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    answers(50);
    std::filesystem::copy(next / "bundles" / "api-production.yaml", live / "bundles" / "api-production.yaml",
                          std::filesystem::copy_options::overwrite_existing);
    s.server.signal(SIGHUP);
    REQUIRE(s.server.wait_for_output("waiting request(s) re-routed", std::chrono::seconds(20)));
    const int at_reload = answered;
    answers(at_reload + 50);
    stop = true;
    load.join();
    load2.join();
    INFO("the last answer: " << last);
    CHECK(failed == 0);
    CHECK(saw_new > 0);
    CHECK(old_after_new == 0);

    // Exactly what the preview said: Kofi's request now waits on data-platform.
    auto status = s.as(kofi, {"status", id, "--json"});
    CHECK(status.out.find("u-3001") != std::string::npos);
    CHECK(s.server.output().find("1 bundle changed (api-production: owner_team); 1 waiting request(s) re-routed") !=
          std::string::npos);
    // Reloading the same files again changes nothing; invalid ones are refused and the service goes on.
    auto again = s.as(s.admin, {"manifests", "reload"});
    INFO(again.err);
    CHECK(again.code == 0);
    CHECK_THAT(again.out, Catch::Contains("in force already; nothing changed"));
    std::filesystem::copy(broken / "bundles" / "api-production.yaml", live / "bundles" / "api-production.yaml",
                          std::filesystem::copy_options::overwrite_existing);
    auto refused = s.as(s.admin, {"manifests", "reload", "--json"});
    CHECK(refused.code == 1);
    CHECK(json::parse(refused.out).at("error").at("code") == "invalid_manifests");
    CHECK(json::parse(refused.out).at("error").at("problems").as_array().size() >= 1);
    auto audit = s.as(s.admin, {"audit", "events", "--json", "--limit", "200"});
    CHECK(audit.out.find("manifests.reloaded") != std::string::npos);
}

TEST_CASE("CLI e2e: a manager move through SCIM and a deactivation through an import do what their previews said")
{
    api_server s;
    const auto kofi = s.personal("kofi", "u-4001", "requests");
    const auto eve = s.personal("eve", "u-4002", "requests");
    // Kofi holds analytics-staging (granted at once); Eve waits on her manager, Nina, for api-production-admin.
    auto held = s.as(kofi, {"request", "analytics-staging", "-d", "1d", "-r", "checking the nightly load", "--json"});
    INFO(held.out << held.err);
    REQUIRE(held.code == 0);
    const auto held_id = id_of(held.out);
    auto waiting = s.as(eve, {"request", "api-production-admin", "-d", "4h", "-r", "rotating keys", "--no-wait", "--json"});
    REQUIRE(waiting.code == 2);
    const auto eve_id = id_of(waiting.out);
    const auto status = [&](const std::string& id) {
        auto st = s.as(s.admin, {"status", id, "--json"});
        INFO(st.err);
        REQUIRE(st.out.find("\"id\"") != std::string::npos);
        return json::parse(st.out);
    };
    // Who the manager step asks.
    const auto manager_step = [&](const std::string& id) {
        std::string ids;
        const auto petition = status(id);
        for (const auto& step : petition.at("steps").as_array())
            if (step.at("kind") == "manager")
                for (const auto& r : step.at("reviewers").as_array())
                    ids += std::string(ids.empty() ? "" : ",") + std::string(r.at("id").as_string());
        return ids;
    };
    REQUIRE(manager_step(eve_id) == "u-4000");

    // 1. Eve moves to Hank. The preview first (the same move as a one-line export).
    const auto move = s.dir.file("move.csv");
    std::ofstream(move) << "id,manager\nu-4002,hank@example.com\n";
    auto preview = s.as(s.admin, {"directory", "import", move, "--dry-run", "--json"});
    INFO(preview.out << preview.err);
    REQUIRE(preview.code == 0);
    const auto p = json::parse(preview.out);
    CHECK(p.at("changes").at("summary") == "1 person moved team or manager (u-4002)");
    REQUIRE(p.at("waiting").as_array().size() == 1);
    CHECK(p.at("waiting").as_array()[0].at("petition") == eve_id.c_str());
    CHECK(p.at("waiting").as_array()[0].at("waiting_after").as_array()[0].at("id") == "u-5000");
    auto text = s.as(s.admin, {"directory", "import", move, "--dry-run"});
    CHECK_THAT(text.out, Catch::Contains("Directory import preview of " + move));
    CHECK_THAT(text.out, Catch::Contains("u-4002 Eve Moreau  manager: u-4000 → u-5000"));
    CHECK(manager_step(eve_id) == "u-4000");
    // Then the move arrives from the identity provider, through SCIM.
    auto okta_token = s.as(s.admin, {"tokens", "create", "okta", "--scopes", "scim", "--json"});
    REQUIRE(okta_token.code == 0);
    const std::string okta(json::parse(okta_token.out).at("token").as_string());
    const auto scim = [&](http::verb method, const std::string& target, const json::object& body) {
        auto res = http_request(s.server.port(), method, target, json::serialize(body),
                                {{"Authorization", "Bearer " + okta}, {"Content-Type", "application/scim+json"}});
        INFO(res.body());
        REQUIRE(res.result_int() < 300);
        return json::parse(res.body());
    };
    const auto eve_user = scim(http::verb::post, "/scim/v2/Users", {{"userName", "eve@example.com"}}).at("id");
    const auto hank_user = scim(http::verb::post, "/scim/v2/Users", {{"userName", "hank@example.com"}}).at("id");
    scim(http::verb::patch, "/scim/v2/Users/" + std::string(eve_user.as_string()),
         {{"Operations", json::array{json::object{
                             {"op", "replace"},
                             {"value", json::object{{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                                                     json::object{{"manager", json::object{{"value", hank_user}}}}}}}}}}});
    // Exactly what the preview said: Eve's request waits on Hank.
    CHECK(manager_step(eve_id) == "u-5000");

    // 2. Kofi leaves, in the HR export. The preview: his grant would end.
    const auto leavers = s.dir.file("leavers.json");
    std::ofstream(leavers) << R"({"people": [{"id": "u-4001", "active": false}]})";
    auto ending = s.as(s.admin, {"directory", "import", leavers, "--dry-run", "--json"});
    INFO(ending.out << ending.err);
    REQUIRE(ending.code == 0);
    const auto e = json::parse(ending.out);
    REQUIRE(e.at("access_ending").as_array().size() == 1);
    CHECK(e.at("access_ending").as_array()[0].at("petition") == held_id.c_str());
    CHECK_THAT(s.as(s.admin, {"directory", "import", leavers, "--dry-run"}).out,
               Catch::Contains("Access that would end (its holder leaves the directory)"));
    CHECK(status(held_id).at("state") == "active");
    // Applied: the grant revoked, as previewed, and Kofi's token no longer works.
    auto applied = s.as(s.admin, {"directory", "import", leavers});
    INFO(applied.out << applied.err);
    REQUIRE(applied.code == 0);
    CHECK_THAT(applied.out, Catch::Contains("1 grant(s) revoked, their holders no longer in the directory: " + held_id));
    CHECK(status(held_id).at("state") == "revoked");
    CHECK(s.as(kofi, {"list"}).code == 1);
    // A bad export is refused with where and why, and changes nothing.
    const auto bad = s.dir.file("bad.csv");
    std::ofstream(bad) << "id,title\nu-4002,CEO\n";
    auto refused = s.as(s.admin, {"directory", "import", bad});
    CHECK(refused.code != 0);
    CHECK_THAT(refused.err, Catch::Contains("unknown column \"title\""));
    auto audit = s.as(s.admin, {"audit", "events", "--json", "--limit", "200"});
    CHECK(audit.out.find("directory.imported") != std::string::npos);
    CHECK(audit.out.find("directory.scim") != std::string::npos);
}
