#include "cli/render.hpp"
#include "tests/cli/golden_text.hpp"
#include "tests/cli/petitions.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <functional>

using namespace checkpoint;
using namespace checkpoint::cli;
using namespace checkpoint::test;
namespace json = boost::json;

TEST_CASE("a petition's state maps to the contract's exit codes")
{
    auto [state, code] = GENERATE(table<std::string, int>({
        {"active", 0}, {"approved", 0}, {"provisioning", 0}, {"pending", 2},
        {"denied", 3}, {"cancelled", 3}, {"failed", 3}, {"expired", 3}, {"revoked", 3},
        {"", 1}, {"bogus", 1},
    }));
    INFO(state);
    CHECK(exit_code_for_state(state) == code);
    CHECK(is_waiting_state(state) == (state == "pending" || state == "approved" || state == "provisioning"));
}

TEST_CASE("times print in UTC minutes - anything unexpected prints as given")
{
    auto [in, out] = GENERATE(table<std::string, std::string>({
        {"2026-05-31T10:00:00Z", "2026-05-31 10:00 UTC"},
        {"2026-05-31T10:00:00.123Z", "2026-05-31 10:00 UTC"},
        {"2026-05-31", "2026-05-31"},
        {"", ""},
        {"2026-05-31T10:00:00+02:00", "2026-05-31T10:00:00+02:00"},
    }));
    CHECK(format_time(in) == out);
}

TEST_CASE("server text cannot drive the terminal")
{
    CHECK(clean("ok\x1b[31mred\x07") == "ok[31mred");
    CHECK(clean("two\nlines\tand tab") == "two lines and tab");
    CHECK(clean("Zoë Ångström") == "Zoë Ångström");
    auto p = petition_auto_active();
    p["reason"] = "\x1b]0;pwned\x07 reason";
    CHECK(status_text(p).find('\x1b') == std::string::npos);
}

TEST_CASE("the request output is the seed's lines for an auto-approved bundle")
{
    // Lee Lin's day of api-production as the server renders it (cli_api_e2e_test checks the real server prints
    // the same golden file).
    const std::string text = request_text(petition_auto_active());
    CHECK(text == "✓ Bundle found: api-production (owner api-team, risk High)\n"
                  "✓ Requesting access for 1 day\n"
                  "✓ Auto-approved: Lee Lin is on api-team, which owns api-production (high risk up to 1 day).\n"
                  "✓ Access granted (expires 2026-11-26 10:01 UTC)\n"
                  "\nYou can now access:\n"
                  "  - AWS permission set via IAM Identity Center (prod IAM role for S3)\n"
                  "  - Read-only on production API RDS (api-production cluster)\n"
                  "  - Vault paths for api-production secrets (read)\n");
    CHECK(compare_golden_text("cli_request_auto", text).empty());
}

TEST_CASE("rendered outputs match their golden files")
{
    using render = std::function<std::string()>;
    auto [name, fn] = GENERATE(table<std::string, render>({
        {"cli_request_pending", [] { return request_text(petition_pending()); }},
        {"cli_request_customer", [] { return request_text(petition_customer_provisioning()); }},
        {"cli_request_break_glass", [] { return request_text(petition_break_glass()); }},
        {"cli_outcome_denied", [] { return outcome_text(petition_denied()); }},
        {"cli_outcome_granted", [] { return outcome_text(petition_granted_after_approval()); }},
        {"cli_status_denied", [] { return status_text(petition_denied()); }},
        {"cli_status_extension", [] { return status_text(api_petition(extension_waiting())); }},
        {"cli_changed_approved", [] { return changed_text("Approved", petition_second_step()); }},
        {"cli_list", [] {
             json::array items{petition_pending(), petition_auto_active(), petition_customer_provisioning(),
                               petition_denied()};
             return petitions_table(items, "none");
         }},
        {"cli_catalog", [] {
             auto bundles = json::parse(R"([
               {"name":"api-production","title":"api-production","description":"Production API: RDS read, prod S3 via IAM role, Vault secrets read","owner_team":"api-team",
                "risk":"high","durations":["1h","4h","1d","7d"],"max_duration":"7d","entitlements":[],"channels":[]},
               {"name":"logs-read","title":"Read production logs","owner_team":"platform","risk":"low",
                "durations":["1d","7d","30d"],"max_duration":"30d"}])").as_array();
             return catalog_text(bundles, "");
         }},
        {"cli_catalog_history", [] {
             // As GET /bundles sends them: the example manifests' bundles with their history (api-production
             // granted for 1 to 3 days, approval after an hour at the median; api-staging never asked for).
             const auto& m = scenario::example();
             auto prod = bot::api::bundle_json(*m.catalog.find("api-production"));
             prod["history"] = bot::api::history_json(scenario::busy_history());
             auto staging = bot::api::bundle_json(*m.catalog.find("api-staging"));
             staging["history"] = bot::api::history_json({});
             return catalog_text(json::array{prod, staging}, "");
         }},
        {"cli_catalog_for_you", [] {
             auto bundles = json::parse(R"([
               {"name":"api-production","owner_team":"api-team","risk":"high","durations":["1d","7d"],
                "max_duration":"7d","instant_for_you":false,"description":"Production API"},
               {"name":"api-production-legacy","owner_team":"api-team","risk":"high","durations":["1d"],
                "max_duration":"7d","deprecated":true,"successor":"api-production"},
               {"name":"logs-read","owner_team":"platform","risk":"low","durations":["1d"],"max_duration":"30d",
                "instant_for_you":true,"description":"Read production logs"}])").as_array();
             return catalog_text(bundles, "");
         }},
        {"cli_explain", [] {
             auto e = json::parse(R"({"bundle":"api-production","duration":"7d","outcome":"approval_required",
               "why":"api-team approves: 7 days of high risk needs owner approval.",
               "steps":[{"name":"system-owner","kind":"owner","state":"waiting",
                         "reviewers":[{"id":"u-1002","name":"Henry Hill","why":"on call for api-team"}]}]})");
             return explain_text(e.as_object());
         }},
        {"cli_report", [] {
             auto r = json::parse(R"({"report":"time-to-access","from":"2026-05-01T00:00:00Z",
               "until":"2026-06-01T00:00:00Z",
               "rows":[{"bundle":"api-production","requests":12,"mean_seconds":900,"median_seconds":45,"p90_seconds":3600},
                       {"bundle":"logs-read","requests":40,"mean_seconds":2,"median_seconds":2,"p90_seconds":3,"note":null}],
               "summary":{"requests":52,"manual_median_seconds":1800,"rate":0.25,"none":0.0}})");
             return report_text(r.as_object());
         }},
        {"cli_tokens", [] {
             auto t = json::parse(R"([{"id":"t-1","name":"deploy-bot","kind":"service","person":null,
               "scopes":["requests"],"created_at":"2026-05-01T08:00:00Z"},
               {"id":"t-2","name":"lee","kind":"personal","person":{"id":"u-2001","name":"Lee Lin"},
               "scopes":["requests","review"],"created_at":"2026-05-02T08:00:00Z","revoked_at":"2026-05-03T08:00:00Z",
               "expires_at":"2026-07-31T08:00:00Z"}])");
             return tokens_table(t.as_array());
         }},
        {"cli_audit_events", [] {
             auto e = json::parse(R"([{"seq":1,"at":"2026-05-24T10:00:00Z","actor":"u-2001","action":"filed",
               "petition":"p-1kmv7b3q91c2rx","why":"api-team approves","rule":"owner","hash":"ab"},
               {"seq":2,"at":"2026-05-24T10:01:00Z","actor":"token:crm-sync","action":"resources.upsert",
               "petition":null,"why":"2 resources","rule":"","hash":"cd"}])");
             return audit_events_table(e.as_array());
         }},
        {"cli_manifests_bad", [] {
             auto c = json::parse(R"({"ok":false,"dir":"manifests","errors":[
               {"file":"manifests/bundles/x.yaml","line":7,"field":"durations.max","message":"\"3x\" is not a duration"},
               {"file":"manifests/checkpoint.yaml","line":0,"field":"","message":"missing"}]})");
             return manifests_check_text(c.as_object());
         }},
    }));
    INFO(name);
    CHECK(compare_golden_text(name, fn()) == "");
}

TEST_CASE("waiting shows one progress line per step, with the time only when asked")
{
    CHECK(progress_line(petition_pending(), std::chrono::seconds(0)) ==
          "⏳ Waiting for approval: step 1 of 3 (manager: Carla Soto)");
    CHECK(progress_line(petition_second_step(), std::chrono::seconds(65)) ==
          "⏳ Waiting for approval: step 2 of 3 (system-owner: Hank Ito, Dana Whitfield, Lee Lin, Alex Chen) · 1:05");
    CHECK(progress_key(petition_pending()) != progress_key(petition_second_step()));
    auto provisioning = petition_second_step();
    provisioning["state"] = "provisioning";
    CHECK(progress_key(provisioning) == "⚙ Approved; setting up access");
}

TEST_CASE("closed requests say who closed them and why")
{
    auto [state, verdict, want] = GENERATE(table<std::string, std::string, std::string>({
        {"denied", "deny", "✗ Denied by Henry Hill: no\n"},
        {"cancelled", "cancel", "✗ Cancelled by Henry Hill: no\n"},
        {"revoked", "revoke", "✗ Revoked by Henry Hill: no\n"},
    }));
    auto p = petition_pending();
    p["state"] = state;
    p["decisions"] = json::array{json::object{{"by", json::object{{"id", "u-1002"}, {"name", "Henry Hill"}}},
                                              {"verdict", verdict}, {"reason", "no"}, {"at", "2026-05-24T10:00:00Z"}}};
    CHECK(outcome_text(p) == want);
    auto expired = petition_auto_active();
    expired["state"] = "expired";
    CHECK(outcome_text(expired) == "✗ Expired at 2026-11-26 10:01 UTC\n");
}

TEST_CASE("a petition missing fields still renders, without crashing")
{
    const json::object empty;
    CHECK_NOTHROW(request_text(empty));
    CHECK_NOTHROW(status_text(empty));
    CHECK_NOTHROW(progress_line(empty, std::chrono::seconds(3)));
    auto odd = json::parse(R"({"state":7,"steps":"x","decisions":[1,2],"target":[],"requester":null})").as_object();
    CHECK_NOTHROW(status_text(odd));
    CHECK(outcome_text(odd).starts_with("? Request"));
}

TEST_CASE("API errors print the server's sentence, or say there was none")
{
    CHECK(api_error_text(422, R"({"error":{"code":"refused","message":"You cannot approve your own request."}})") ==
          "error: You cannot approve your own request. (refused, HTTP 422)");
    CHECK(api_error_text(502, "<html>bad gateway</html>") ==
          "error: the server answered HTTP 502 without an error message");
    CHECK(api_error_text(500, R"({"error":{}})") == "error: the server answered HTTP 500 without an error message");
}

TEST_CASE("audit verification reads as intact or names the first bad event")
{
    CHECK(audit_verify_text(json::parse(R"({"ok":true,"events":12})").as_object()) ==
          "✓ Audit log intact: 12 events, every hash links to the one before.\n");
    CHECK(audit_verify_text(json::parse(R"({"ok":false,"first_bad":5,"problem":"hash mismatch"})").as_object()) ==
          "✗ Audit log broken at event 5: hash mismatch\n");
    CHECK(audit_verify_text(json::parse(R"({"ok":false,"first_bad":null,"problem":"the key check is missing"})")
                                .as_object()) == "✗ Audit log broken: the key check is missing\n");
    CHECK(audit_verify_text(json::parse(R"({"ok":true,"events":12,"keyed":true,"sealed_before_key":5,
        "anchor":{"seq":10,"at":"2026-11-25T00:00:00Z","posted_to":"C0SECURITY"}})")
                                .as_object()) ==
          "✓ Audit log intact: 12 events, every keyed hash links to the one before.\n"
          "  Events 1 to 5 were written before the key and sealed with it.\n"
          "  It holds its last anchor: event 10 at 2026-11-25 00:00 UTC, posted to C0SECURITY.\n");
    CHECK(audit_verify_text(json::parse(R"({"ok":true,"events":3,"keyed":false,"sealed_before_key":0,"anchor":null})")
                                .as_object()) ==
          "✓ Audit log intact: 3 events, every hash links to the one before.\n"
          "  Not keyed yet: checkpointd seals it with its audit key when it next starts.\n");
}

TEST_CASE("an anchor reads with where it went and the command that checks it later")
{
    const std::string mac(64, 'c');
    CHECK(audit_anchor_text(json::parse(R"({"anchor":{"id":1,"seq":42,"keyed_hash":")" + mac +
                                        R"(","hash":"x","at":"2026-11-25T10:00:00Z","posted_to":"C0SECURITY"}})")
                                .as_object()) ==
          "✓ Audit log anchored at event 42, 2026-11-25 10:00 UTC; posting to C0SECURITY.\n"
          "  Keyed hash: " + mac + "\n"
          "  Later, `checkpoint audit verify --anchor 42:" + mac + "` checks the log still holds it.\n");
    CHECK_THAT(audit_anchor_text(json::parse(R"({"anchor":{"seq":1,"keyed_hash":null,"hash":"h","posted_to":"log"}})")
                                     .as_object()),
               Catch::Contains("recorded and logged (checkpoint.yaml names no security channel)") &&
                   Catch::Contains("  Hash: h\n"));
}

TEST_CASE("a reviewer's reason that repeats the name says it once")
{
    auto p = petition_pending();
    p["steps"].as_array()[0].as_object()["reviewers"].as_array()[0].as_object()["why"] = "Carla Soto: Sam's manager";
    CHECK_THAT(request_text(p), Catch::Contains("  Step 1 of 3 · manager: Carla Soto (Sam's manager)\n"));
}

TEST_CASE("a resource without a display name is named once")
{
    auto p = petition_customer_provisioning();
    p["target"].as_object()["display_name"] = "customer:123";
    CHECK_THAT(request_text(p), Catch::StartsWith("✓ Resource found: customer:123 (owner support, risk High)\n"));
}

TEST_CASE("long table cells are cut with an ellipsis")
{
    auto p = petition_pending();
    p["reason"] = std::string(80, 'x');
    const auto text = petitions_table(json::array{p}, "none");
    CHECK(text.find(std::string(47, 'x') + "…") != std::string::npos);
    CHECK(text.find(std::string(48, 'x')) == std::string::npos);
}

TEST_CASE("a decision on live access speaks of its extension, not of access granted again")
{
    using checkpoint::cli::changed_text;
    const auto waiting = api_petition(extension_waiting());
    const auto asked = changed_text("Extension asked for", waiting);
    CHECK_THAT(asked, Catch::Contains("the extension of 1d waits for approval; access stays until 2026-11-26 10:01 UTC"));
    CHECK_THAT(asked, Catch::Contains("Alex Chen"));
    CHECK_THAT(asked, !Catch::Contains("Access granted"));

    const auto settled = checkpoint::test::petition_auto_active();
    const auto denied = changed_text("Denied", settled);
    CHECK_THAT(denied, Catch::Contains("the extension was denied; access stays until 2026-11-26 10:01 UTC"));
    CHECK_THAT(denied, !Catch::Contains("Access granted") && !Catch::Contains("it is now active"));
    CHECK_THAT(changed_text("Approved", settled), Catch::EndsWith("access now lasts until 2026-11-26 10:01 UTC.\n"));
    CHECK_THAT(changed_text("Cancelled", settled), Catch::Contains("the extension was withdrawn"));
}

TEST_CASE("the history says which decisions were about an extension, with the reason")
{
    const auto p = api_petition(
        scenario::after(extension_waiting(), workflow::deny_by("u-2002", "one day is enough", scenario::nov(25, 16))));
    CHECK_THAT(checkpoint::cli::status_text(p),
               Catch::Contains("Alex Chen · deny (extension): one day is enough"));
}

TEST_CASE("JSON output writes numbers as numbers people read, not in exponent form")
{
    const auto v = json::parse(R"({"rate":0.5,"third":0.6666666666666666,"seconds":3600.0,"tiny":1e-7,
      "id":42,"neg":-2.5,"text":"5E-1 stays \"5E-1\" in a string"})");
    const auto line = checkpoint::cli::json_line(v);
    CHECK(line ==
          R"({"rate":0.5,"third":0.6666666666666666,"seconds":3600,"tiny":0.0000001,"id":42,"neg":-2.5,"text":"5E-1 stays \"5E-1\" in a string"})"
          "\n");
    // The same numbers: 3600.0 reads back as 3600, which JSON does not tell apart.
    const auto back = json::parse(line).as_object();
    for (const auto& [key, value] : v.as_object())
        if (value.is_number())
            CHECK(back.at(key).to_number<double>() == value.to_number<double>());
}

TEST_CASE("granted access lists what it gives as the server words it")
{
    auto bare = *scenario::example().catalog.find("api-production");
    bare.entitlements.clear();
    const auto granted = auto_active();
    struct row {
        const char* name;
        json::object petition;
        std::string tail;
    };
    auto r = GENERATE_COPY(values<row>({
        {"the bundle manifest's descriptions", api_petition(granted),
         "\nYou can now access:\n"
         "  - AWS permission set via IAM Identity Center (prod IAM role for S3)\n"
         "  - Read-only on production API RDS (api-production cluster)\n"
         "  - Vault paths for api-production secrets (read)\n"},
        {"a bundle without descriptions: its provision params",
         bot::api::petition_json(granted, scenario::example().directory, {}, &bare),
         "\nYou can now access:\n"
         "  - permission_set: api-production\n"
         "  - policies: api-prod-s3-read\n"
         "  - policies: api-rds-connect\n"},
        {"a bundle the server no longer knows: its name",
         bot::api::petition_json(granted, scenario::example().directory, {}, nullptr),
         "\nYou can now access:\n  - api-production\n"},
        {"terminal escapes are cleaned", [&] {
             auto p = api_petition(granted);
             p["entitlements"] = json::array{"Read \x1b[31mprod\x1b[0m logs\nand metrics"};
             return p;
         }(),
         "\nYou can now access:\n  - Read [31mprod[0m logs and metrics\n"},
        {"nothing listed, no heading", [&] {
             auto p = api_petition(granted);
             p["entitlements"] = json::array{};
             return p;
         }(),
         "UTC)\n"},
    }));
    INFO(r.name);
    CHECK_THAT(outcome_text(r.petition), Catch::EndsWith(r.tail));
    CHECK_THAT(outcome_text(r.petition), Catch::StartsWith("✓ Access granted (expires 2026-11-26 10:01 UTC)\n"));
}
