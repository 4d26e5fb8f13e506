#include "cli/app.hpp"
#include "cli/render.hpp"
#include "tests/cli/petitions.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <deque>
#include <fstream>
#include <map>
#include <sstream>

using namespace checkpoint;
using namespace checkpoint::test;
using checkpoint::cli::request_text;
namespace json = boost::json;

namespace {

// A scripted server: answers requests in order, recording each; an unexpected request fails the test.
struct scripted_http final : outbound::http_client {
    struct step {
        std::string method;
        std::string path; // the URL's path and query after the base URL
        unsigned status = 200;
        std::string body;
        std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    };
    std::deque<step>* script = nullptr;
    std::vector<outbound::outbound_request>* seen = nullptr;

    std::pair<std::optional<outbound::outbound_response>, std::optional<outbound::transport_failure>>
    send(const outbound::outbound_request& req) override
    {
        seen->push_back(req);
        if (script->empty())
            return {std::nullopt, outbound::transport_failure{outbound::transport_failure_kind::connect, "connection refused"}};
        auto s = script->front();
        script->pop_front();
        CHECK(req.method == s.method);
        CHECK(req.url == "https://cp.example.com/api/v1" + s.path);
        return {outbound::outbound_response{s.status, s.headers, s.body}, std::nullopt};
    }
};

struct cli_run {
    int code = -1;
    std::string out;
    std::string err;
};

struct harness {
    std::deque<scripted_http::step> script;
    std::vector<outbound::outbound_request> seen;
    std::map<std::string, std::string> vars{{"CHECKPOINT_URL", "https://cp.example.com"},
                                            {"CHECKPOINT_TOKEN", "cpt_secret"}};
    std::map<std::string, std::string> files;
    std::map<std::string, unsigned> modes;
    bool tty = false;

    cli_run run(std::vector<std::string> args)
    {
        std::ostringstream out, err;
        cli::environment env{
            .out = out,
            .err = err,
            .out_is_tty = tty,
            .env = [this](std::string_view k) -> std::optional<std::string> {
                auto it = vars.find(std::string(k));
                return it == vars.end() ? std::nullopt : std::optional(it->second);
            },
            .read_file = [this](const std::string& p) -> std::optional<std::string> {
                auto it = files.find(p);
                return it == files.end() ? std::nullopt : std::optional(it->second);
            },
            .file_mode = [this](const std::string& p) -> std::optional<unsigned> {
                auto it = modes.find(p);
                return it == modes.end() ? std::nullopt : std::optional(it->second);
            },
            .make_http = [this] {
                auto h = std::make_unique<scripted_http>();
                h->script = &script;
                h->seen = &seen;
                return std::unique_ptr<outbound::http_client>(std::move(h));
            },
        };
        cli_run r;
        r.code = cli::run(args, env);
        r.out = out.str();
        r.err = err.str();
        return r;
    }
};

std::string body_of(const json::object& o) { return json::serialize(o); }

} // namespace

TEST_CASE("request: auto-approved and active prints the seed's lines and exits 0")
{
    harness h;
    h.script.push_back({"POST", "/petitions", 201, body_of(petition_auto_active())});
    auto r = h.run({"request", "api-production", "--duration", "1d", "--reason", "debugging latency spike"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("✓ Bundle found: api-production (owner api-team, risk High)\n"
                                        "✓ Requesting access for 1 day\n"));
    CHECK_THAT(r.out, Catch::Contains("✓ Access granted (expires 2026-11-26 10:01 UTC)"));
    CHECK_THAT(r.out, Catch::Contains("  - AWS permission set via IAM Identity Center (prod IAM role for S3)\n"));
    REQUIRE(h.seen.size() == 1);
    CHECK(json::parse(h.seen[0].body) ==
          json::parse(R"({"bundle":"api-production","duration":"1d","reason":"debugging latency spike"})"));
    bool bearer = false;
    for (auto& [k, v] : h.seen[0].headers)
        bearer = bearer || (k == "Authorization" && v == "Bearer cpt_secret");
    CHECK(bearer);
    CHECK(r.out.find("cpt_secret") == std::string::npos);
    CHECK(r.err.find("cpt_secret") == std::string::npos);
}

TEST_CASE("request: a customer resource with ticket and break-glass sends the contract's body")
{
    harness h;
    h.script.push_back({"POST", "/petitions", 201, body_of(petition_auto_active())});
    auto r = h.run({"request", "customer:123", "-d", "4h", "-r", "BUG-482", "--ticket", "BUG-482", "--break-glass",
                    "--no-wait"});
    CHECK(r.code == 0);
    REQUIRE(h.seen.size() == 1);
    CHECK(json::parse(h.seen[0].body) == json::parse(R"({"resource":{"kind":"customer","id":"123"},"duration":"4h",
        "reason":"BUG-482","ticket":"BUG-482","break_glass":true})"));
}

TEST_CASE("request: waiting prints one line per state change when not a terminal, then the outcome")
{
    harness h;
    auto [final_petition, code, last_line] = GENERATE(table<json::object, int, std::string>({
        {petition_denied(), 3, "✗ Denied by Hank Ito: use the read replica instead\n"},
        {petition_granted_after_approval(), 0, "  - Deploy overrides for the production API pipeline\n"},
    }));
    h.script.push_back({"POST", "/petitions", 201, body_of(petition_pending())});
    h.script.push_back({"GET", "/petitions/p-1kmv7b3q91c2rx/wait?timeout=30", 200, body_of(petition_pending())});
    h.script.push_back({"GET", "/petitions/p-1kmv7b3q91c2rx/wait?timeout=30", 200, body_of(petition_second_step())});
    h.script.push_back({"GET", "/petitions/p-1kmv7b3q91c2rx/wait?timeout=30", 200, body_of(final_petition)});
    auto r = h.run({"request", "api-production-admin", "--duration", "1d", "--reason", "debugging latency spike"});
    CHECK(r.code == code);
    CHECK_THAT(r.out, Catch::Contains("⏳ The manager, then system-owner, then api-team approve: critical risk up to 1 day "
                                      "needs owner approval.\n"
                                      "  Step 1 of 3 · manager: Carla Soto (Sam Support's manager)\n"));
    CHECK_THAT(r.out, Catch::Contains("⏳ Waiting for approval: step 1 of 3 (manager: Carla Soto)\n"
                                      "⏳ Waiting for approval: step 2 of 3 (system-owner: Hank Ito, Dana Whitfield, Lee Lin, "
                                      "Alex Chen)\n"));
    CHECK_THAT(r.out, Catch::EndsWith(last_line));
    CHECK(r.out.find('\r') == std::string::npos);
    CHECK(h.script.empty());
}

TEST_CASE("request: on a terminal the progress line is redrawn in place")
{
    harness h;
    h.tty = true;
    h.script.push_back({"POST", "/petitions", 201, body_of(petition_pending())});
    h.script.push_back({"GET", "/petitions/p-1kmv7b3q91c2rx/wait?timeout=5", 200, body_of(petition_denied())});
    auto r = h.run({"request", "api-production-admin", "--duration", "1d", "--reason", "x"});
    CHECK(r.code == 3);
    CHECK_THAT(r.out, Catch::Contains("\r⏳ Waiting for approval: step 1 of 3 (manager: Carla Soto)\x1b[K"));
    CHECK_THAT(r.out, Catch::Contains("\r\x1b[K✗ Denied by Hank Ito"));
}

TEST_CASE("request --no-wait on a pending request exits 2 and says how to follow it")
{
    harness h;
    h.script.push_back({"POST", "/petitions", 201, body_of(petition_pending())});
    auto r = h.run({"request", "api-production-admin", "--duration", "1d", "--reason", "x", "--no-wait"});
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::EndsWith("⏳ Request p-1kmv7b3q91c2rx is waiting for approval. Follow it with: checkpoint status p-1kmv7b3q91c2rx --wait\n"));
}

TEST_CASE("request: an automatic approval waits quietly for access to be set up")
{
    harness h;
    auto approved = petition_auto_active();
    approved["state"] = "provisioning";
    approved["ends_at"] = nullptr;
    h.script.push_back({"POST", "/petitions", 201, body_of(approved)});
    h.script.push_back({"GET", "/petitions/p-1kmv7a0k27f3ah/wait?timeout=30", 200, body_of(petition_auto_active())});
    auto r = h.run({"request", "api-production", "--duration", "1d", "--reason", "debugging latency spike"});
    CHECK(r.code == 0);
    CHECK(r.out == request_text(petition_auto_active()));
}

TEST_CASE("request with --json prints the API's petition and keeps the exit code")
{
    harness h;
    h.script.push_back({"POST", "/petitions", 201, body_of(petition_pending())});
    h.script.push_back({"GET", "/petitions/p-1kmv7b3q91c2rx/wait?timeout=30", 200, body_of(petition_denied())});
    auto r = h.run({"request", "api-production-admin", "--duration", "1d", "--reason", "x", "--json"});
    CHECK(r.code == 3);
    CHECK(json::parse(r.out) == petition_denied());
}

TEST_CASE("API and network errors print a sentence and exit 1 - --json adds the error object")
{
    harness h;
    h.script.push_back({"POST", "/petitions/p-1/approve", 422,
                        R"({"error":{"code":"refused","message":"You cannot approve your own request."}})"});
    auto r = h.run({"approve", "p-1", "--json"});
    CHECK(r.code == 1);
    CHECK(r.err == "error: You cannot approve your own request. (refused, HTTP 422)\n");
    // The server's error object, exactly as it sent it.
    CHECK(json::parse(r.out) ==
          json::parse(R"({"error":{"code":"refused","message":"You cannot approve your own request."}})"));

    r = h.run({"status", "p-1"});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot reach https://cp.example.com: connect: connection refused. Is checkpointd "
                                      "running there, and is CHECKPOINT_URL (or --url) right?"));
}

TEST_CASE("usage errors exit 64 - --help exits 0 everywhere")
{
    harness h;
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {}, {"nope"}, {"request", "api-production"}, {"deny", "p-1"}, {"tokens"}, {"list", "--limit", "500"},
             {"request", ":5", "-d", "1h", "-r", "x"}, {"resources", "upload", "f", "--format", "xml"}}) {
        INFO(args.size());
        CHECK(h.run(args).code == 64);
    }
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {"--help"}, {"request", "--help"}, {"tokens", "create", "--help"}, {"db", "backup", "--help"}}) {
        auto r = h.run(args);
        CHECK(r.code == 0);
        CHECK_THAT(r.out, Catch::Contains("Usage:") || Catch::Contains("OPTIONS"));
    }
    CHECK(h.seen.empty());
}

TEST_CASE("with --json a usage error is a JSON error object too")
{
    harness h;
    auto r = h.run({"request", "api-production", "--json"});
    CHECK(r.code == 64);
    auto v = json::parse(r.out);
    CHECK(v.at("error").at("code") == "usage");
    CHECK_THAT(std::string(v.at("error").at("message").as_string()), Catch::Contains("--duration"));
    CHECK_THAT(r.err, Catch::StartsWith("error: "));
    CHECK(h.seen.empty());
}

TEST_CASE("a missing token or URL is explained, without calling anything")
{
    harness h;
    h.vars.erase("CHECKPOINT_TOKEN");
    auto r = h.run({"list"});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("no API token: set CHECKPOINT_TOKEN"));
    h.vars.erase("CHECKPOINT_URL");
    h.vars["HOME"] = "/home/lee";
    h.files["/home/lee/.config/checkpoint/config"] = "url = https://cp.example.com\ntoken = cpt_from_file\n";
    h.script.push_back({"GET", "/petitions?limit=50&mine=true", 200, R"({"items":[],"next_cursor":null})"});
    r = h.run({"list"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("You have no requests."));
    CHECK(r.err.empty());

    // Readable by others: still used, with a warning that names the fix.
    h.modes["/home/lee/.config/checkpoint/config"] = 0100644;
    h.script.push_back({"GET", "/petitions?limit=50&mine=true", 200, R"({"items":[],"next_cursor":null})"});
    r = h.run({"list"});
    CHECK(r.code == 0);
    CHECK_THAT(r.err, Catch::Contains("others can read it; run: chmod 600 /home/lee/.config/checkpoint/config"));
}

TEST_CASE("commands call the contract's endpoints")
{
    harness h;
    const std::string p = body_of(petition_second_step());
    struct row {
        std::vector<std::string> args;
        scripted_http::step step;
        std::string body;
        std::string out;
    };
    auto c = GENERATE_COPY(values<row>({
        {{"approve", "p-1kmv7b3q91c2rx", "-r", "ok"}, {"POST", "/petitions/p-1kmv7b3q91c2rx/approve", 200, p}, R"({"reason":"ok"})",
         "✓ Approved p-1kmv7b3q91c2rx (api-production-admin for Sam Support); it is now pending."},
        {{"deny", "p-1kmv7b3q91c2rx", "--reason", "no"}, {"POST", "/petitions/p-1kmv7b3q91c2rx/deny", 200, p}, R"({"reason":"no"})", "✓ Denied"},
        {{"cancel", "p-1kmv7b3q91c2rx"}, {"POST", "/petitions/p-1kmv7b3q91c2rx/cancel", 200, p}, "{}", "✓ Cancelled"},
        {{"revoke", "p-1kmv7b3q91c2rx"}, {"POST", "/petitions/p-1kmv7b3q91c2rx/revoke", 200, p}, "{}", "✓ Revoked"},
        {{"extend", "p-1kmv7b3q91c2rx", "-d", "1d"}, {"POST", "/petitions/p-1kmv7b3q91c2rx/extend", 200, p}, R"({"duration":"1d"})",
         "✓ Extension asked for"},
        {{"list", "--awaiting"}, {"GET", "/petitions?limit=50&awaiting=me", 200, R"({"items":[)" + p + R"(],"next_cursor":null})"},
         "", "p-1kmv7b3q91c2rx  pending"},
        {{"log", "--bundle", "api-production", "--limit", "5"},
         {"GET", "/petitions?limit=5&bundle=api-production", 200, R"({"items":[],"next_cursor":null})"}, "", "No requests match."},
        {{"catalog", "prod", "api"}, {"GET", "/bundles?limit=50&q=prod%20api", 200, R"({"items":[],"next_cursor":null})"},
         "", "No bundle matches \"prod api\"."},
        {{"explain", "api-production", "-d", "7d"},
         {"GET", "/explain?bundle=api-production&duration=7d", 200,
          R"({"bundle":"api-production","duration":"7d","outcome":"auto_approved","why":"Auto-approved: x.","steps":[]})"},
         "", "✓ Auto-approved: x."},
        {{"report", "long-lived-grants", "--min", "30d"},
         {"GET", "/reports/long-lived-grants?min=30d&format=json", 200,
          R"({"report":"long-lived-grants","rows":[],"summary":{}})"}, "", "Report long-lived-grants\nNo rows."},
        {{"report", "auto-approval-rate", "--csv"},
         {"GET", "/reports/auto-approval-rate?format=csv", 200, "bundle,rate\nx,0.5\n", {{"Content-Type", "text/csv"}}},
         "", "bundle,rate\nx,0.5\n"},
        {{"tokens", "list"}, {"GET", "/tokens?limit=50", 200, R"({"items":[],"next_cursor":null})"}, "", "No tokens."},
        {{"tokens", "revoke", "t-1"}, {"DELETE", "/tokens/t-1", 204, "", {}}, "", "✓ Token t-1 revoked"},
        {{"tokens", "create", "bot", "--scopes", "requests,review"},
         {"POST", "/tokens", 201,
          R"({"id":"t-9","name":"bot","kind":"service","person":null,"scopes":["requests","review"],"token":"cpt_NEW"})"},
         R"({"name":"bot","kind":"service","scopes":["requests","review"]})", "\n  cpt_NEW\n"},
        {{"audit", "events", "--petition", "p-1"}, {"GET", "/audit?limit=50&petition=p-1", 200,
          R"({"items":[],"next_cursor":null})"}, "", "No audit events match."},
        {{"resources", "list", "acme", "--kind", "customer"},
         {"GET", "/resources?limit=50&kind=customer&q=acme", 200,
          R"({"items":[{"kind":"customer","id":"123","display_name":"Acme Corp","labels":{"tier":"gold"}}],"next_cursor":null})"},
         "", "customer  123  Acme Corp  tier=gold"},
        {{"resources", "sync", "--kind", "customer"},
         {"POST", "/resources/sync?kind=customer", 202, R"({"queued":true,"jobs":1})"}, "",
         "✓ Sync queued for customer (1 job)"},
        {{"audit", "verify"}, {"GET", "/audit/verify", 200, R"({"ok":true,"events":3})"}, "", "✓ Audit log intact: 3 events"},
        {{"status", "p/1"}, {"GET", "/petitions/p%2F1", 200, p}, "", "Request p-1kmv7b3q91c2rx · api-production"},
    }));
    h.script.push_back(c.step);
    auto r = h.run(c.args);
    INFO(r.err);
    CHECK(r.code == (c.args[0] == "status" ? 2 : 0));
    REQUIRE(h.seen.size() == 1);
    if (!c.body.empty())
        CHECK(json::parse(h.seen[0].body) == json::parse(c.body));
    CHECK_THAT(r.out, Catch::Contains(c.out));
}

TEST_CASE("resources upload sends the file as the bulk shape and reports the count")
{
    harness h;
    h.files["customers.csv"] = "id,displayName,label.tier\n123,Acme,gold\n456,Globex,silver\n";
    h.script.push_back({"PUT", "/resources", 200, R"({"upserted":2})"});
    auto r = h.run({"resources", "upload", "customers.csv", "--kind", "customer"});
    CHECK(r.code == 0);
    CHECK(r.out == "✓ Uploaded 2 resources (2 created or updated)\n");
    REQUIRE(h.seen.size() == 1);
    CHECK(json::parse(h.seen[0].body) == json::parse(R"({"resources":[
      {"kind":"customer","id":"123","displayName":"Acme","labels":{"tier":"gold"}},
      {"kind":"customer","id":"456","displayName":"Globex","labels":{"tier":"silver"}}]})"));

    h.files["bad.csv"] = "id,displayName\n1\n";
    r = h.run({"resources", "upload", "bad.csv", "--kind", "customer"});
    CHECK(r.code == 1);
    CHECK(r.err == "error: bad.csv: line 2: 1 fields, but the header has 2.\n");
    r = h.run({"resources", "upload", "missing.json"});
    CHECK(r.code == 1);
    CHECK(r.err == "error: cannot read missing.json.\n");
    CHECK(h.seen.size() == 1);
}

TEST_CASE("manifests check works without a server")
{
    harness h;
    h.vars.clear();
    auto r = h.run({"manifests", "check", std::string(CHECKPOINT_SOURCE_DIR) + "/manifests"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("✓ Manifests in "));
    temp_dir dir;
    r = h.run({"manifests", "check", dir.file("none"), "--json"});
    CHECK(r.code == 1);
    CHECK(json::parse(r.out).at("ok") == false);
    CHECK(h.seen.empty());
}

TEST_CASE("a mistyped command is answered with the one meant, and a URL copied with /api/v1 still works")
{
    harness h;
    auto r = h.run({"reqest", "api-production"});
    CHECK(r.code == 64);
    CHECK(r.err == "error: `reqest` is not a checkpoint command. Did you mean `checkpoint request`?\n");

    h.vars["CHECKPOINT_URL"] = "https://cp.example.com/api/v1/";
    h.script.push_back({"GET", "/petitions/p-1kmv7a0k27f3ah", 200, body_of(petition_auto_active())});
    r = h.run({"status", "p-1kmv7a0k27f3ah"});
    INFO(r.err);
    CHECK(r.code == 0);
    REQUIRE(h.seen.size() == 1);
    CHECK(h.seen[0].url == "https://cp.example.com/api/v1/petitions/p-1kmv7a0k27f3ah");
}

TEST_CASE("every command's --help lists --json and --url, which work after the command too")
{
    harness h;
    for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
             {"status", "--help"}, {"tokens", "create", "--help"}, {"report", "--help"}}) {
        auto r = h.run(args);
        CHECK(r.code == 0);
        CHECK_THAT(r.out, Catch::Contains("--json") && Catch::Contains("--url"));
    }
    h.script.push_back({"GET", "/petitions/p-1kmv7a0k27f3ah", 200, body_of(petition_auto_active())});
    h.vars["CHECKPOINT_URL"] = "https://elsewhere.example.com";
    auto r = h.run({"status", "p-1kmv7a0k27f3ah", "--json", "--url", "https://cp.example.com"});
    CHECK(r.code == 0);
    CHECK(json::parse(r.out) == petition_auto_active());
    REQUIRE(h.seen.size() == 1);
}
