#include "bot/http_app.hpp"
#include "bot/slack_signature.hpp"
#include "storage/database.hpp"
#include "storage/slack_event_store.hpp"
#include "tests/bot/service_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::bot;

namespace {

constexpr std::string_view secret = "test-signing-secret";

// The real app over a temporary database, with time held still.
struct fixture {
    test::service_fixture svc;
    std::unique_ptr<storage::database>& db = svc.db;
    workflow::manual_clock& clock = svc.clock;
    metrics m;
    storage::slack_event_store events{*db};
    slack_commands commands{svc.ctx};
    slack_endpoint slack{std::string(secret), clock, events, m, commands};
    bool manifests_ready = true;
    http_app app{m, slack, {{"database", [this] { return db->ping(); }}, {"manifests", [this] { return manifests_ready; }}}};

    std::string now_ts() const
    {
        return std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count());
    }

    response post(std::string target, std::string content_type, std::string body, bool sign = true,
                  std::vector<std::pair<std::string, std::string>> extra = {})
    {
        request req{http::verb::post, target, 11};
        req.set(http::field::content_type, content_type);
        if (sign) {
            req.set("X-Slack-Request-Timestamp", now_ts());
            req.set("X-Slack-Signature", sign_slack_request(secret, now_ts(), body));
        }
        for (auto& [k, v] : extra)
            req.set(k, v);
        req.body() = std::move(body);
        req.prepare_payload();
        return app.handle(req);
    }

    response get(std::string target)
    {
        request req{http::verb::get, target, 11};
        return app.handle(req);
    }
};

boost::json::value json_of(const response& r) { return boost::json::parse(r.body()); }

constexpr std::string_view form = "application/x-www-form-urlencoded";

std::string command(std::string_view text, std::string_view user = "U01LEE")
{
    return "token=x&team_id=T1&channel_id=C1&user_id=" + std::string(user) + "&command=%2Fcheckpoint&text=" +
           std::string(text) +
           "&trigger_id=1.2.3&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1";
}

} // namespace

TEST_CASE("health, readiness and metrics")
{
    fixture f;
    GIVEN("a running app")
    {
        THEN("/healthz answers ok") { CHECK(f.get("/healthz").result() == http::status::ok); }
        THEN("/readyz reports each check")
        {
            auto r = f.get("/readyz");
            CHECK(r.result() == http::status::ok);
            CHECK(json_of(r).at("checks").at("database") == "ok");
        }
        WHEN("manifests are not loaded")
        {
            f.manifests_ready = false;
            auto r = f.get("/readyz");
            THEN("/readyz is 503 and names the failing check")
            {
                CHECK(r.result() == http::status::service_unavailable);
                CHECK(json_of(r).at("checks").at("manifests") == "failing");
            }
        }
        THEN("/metrics is Prometheus text with per-route counters and latency")
        {
            f.get("/healthz");
            f.post("/slack/events", std::string(form), command("help"), false);
            auto r = f.get("/metrics");
            CHECK(r.result() == http::status::ok);
            CHECK_THAT(std::string(r[http::field::content_type]), Catch::StartsWith("text/plain; version=0.0.4"));
            CHECK_THAT(r.body(), Catch::Contains(R"(checkpoint_http_requests_total{code="2xx",route="/healthz"} 1)"));
            CHECK_THAT(r.body(), Catch::Contains("checkpoint_http_request_duration_seconds_bucket"));
            CHECK_THAT(r.body(),
                       Catch::Contains(R"(checkpoint_slack_signature_failures_total{reason="missing_timestamp"} 1)"));
            CHECK_THAT(r.body(), Catch::Contains("checkpoint_http_in_flight_requests"));
        }
    }
}

TEST_CASE("unknown paths are 404 and wrong methods 405, as JSON errors")
{
    fixture f;
    auto nf = f.get("/nope?x=1");
    CHECK(nf.result() == http::status::not_found);
    CHECK(json_of(nf).at("error").at("code") == "not_found");

    auto na = f.get("/slack/events");
    CHECK(na.result() == http::status::method_not_allowed);
    CHECK(na[http::field::allow] == "POST");
    CHECK(json_of(na).at("error").at("code") == "method_not_allowed");
}

TEST_CASE("a signed /checkpoint help answers ephemerally on every Slack path")
{
    fixture f;
    auto path = GENERATE(as<std::string>{}, "/slack/events", "/slack/commands", "/slack/interactions");
    auto r = f.post(path, std::string(form), command("help"));
    REQUIRE(r.result() == http::status::ok);
    auto v = json_of(r);
    CHECK(v.at("response_type") == "ephemeral");
    CHECK(v.at("blocks").as_array().size() > 3);
    CHECK_THAT(std::string(v.at("text").as_string()), Catch::Contains("/checkpoint request"));
}

TEST_CASE("slash command text is answered by what it asks")
{
    fixture f;
    SECTION("empty text is help")
    {
        CHECK_THAT(std::string(json_of(f.post("/slack/events", std::string(form), command(""))).at("text").as_string()),
                   Catch::StartsWith("Checkpoint commands"));
    }
    SECTION("an unknown subcommand suggests the closest")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("reqest+api-production")));
        CHECK_THAT(std::string(v.at("text").as_string()), Catch::Contains("Did you mean `request`?"));
    }
    SECTION("explain shows the route and why, for the person behind the Slack user")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("explain+api-production+--duration+7d")));
        const std::string text = boost::json::serialize(v);
        CHECK_THAT(text, Catch::Contains("api-team"));
        CHECK_THAT(text, Catch::Contains("Alex Chen"));
    }
    SECTION("explain for a Slack user not in the directory says what an admin must add")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("explain+api-production", "U0NOBODY")));
        CHECK_THAT(boost::json::serialize(v), Catch::Contains("U0NOBODY"));
    }
    SECTION("explain of a mistyped bundle suggests the closest")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("explain+api-prodution")));
        CHECK_THAT(boost::json::serialize(v), Catch::Contains("api-production"));
    }
    SECTION("catalog lists matching bundles with owner and risk")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("catalog+warehouse")));
        const std::string text = boost::json::serialize(v);
        CHECK_THAT(text, Catch::Contains("data-warehouse"));
        CHECK_THAT(text, Catch::Contains("data-platform"));
        CHECK(text.find("api-production") == std::string::npos);
    }
    SECTION("a bad option says what is allowed")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("explain+x+--colour+red")));
        CHECK_THAT(boost::json::serialize(v), Catch::Contains("--duration"));
    }
    SECTION("an unclosed quote is explained")
    {
        auto v = json_of(f.post("/slack/events", std::string(form), command("request+x+--reason+%22oops")));
        CHECK_THAT(std::string(v.at("text").as_string()), Catch::Contains("never closed"));
    }
}

TEST_CASE("unsigned, forged and stale requests are 401 and change nothing")
{
    fixture f;
    const std::string body = R"({"type":"event_callback","event_id":"Ev1","event":{"type":"app_home_opened"}})";
    SECTION("no signature")
    {
        CHECK(f.post("/slack/events", "application/json", body, false).result() == http::status::unauthorized);
    }
    SECTION("forged signature")
    {
        auto r = f.post("/slack/events", "application/json", body, false,
                        {{"X-Slack-Request-Timestamp", f.now_ts()},
                         {"X-Slack-Signature", sign_slack_request("wrong", f.now_ts(), body)}});
        CHECK(r.result() == http::status::unauthorized);
        CHECK(json_of(r).at("error").at("code") == "invalid_signature");
    }
    SECTION("stale timestamp")
    {
        const auto old = std::to_string(std::stoll(f.now_ts()) - 301);
        auto r = f.post("/slack/events", "application/json", body, false,
                        {{"X-Slack-Request-Timestamp", old}, {"X-Slack-Signature", sign_slack_request(secret, old, body)}});
        CHECK(r.result() == http::status::unauthorized);
    }
    // Nothing was stored: the event is still new.
    CHECK(f.events.first_delivery("Ev1", f.clock.now()));
}

TEST_CASE("malformed Slack payloads are 400 with a reason")
{
    fixture f;
    auto r = f.post("/slack/events", std::string(form), "payload=%7Bnot-json");
    CHECK(r.result() == http::status::bad_request);
    CHECK_THAT(std::string(json_of(r).at("error").at("message").as_string()), Catch::Contains("payload is not JSON"));
}

TEST_CASE("url_verification echoes the challenge")
{
    fixture f;
    auto r = f.post("/slack/events", "application/json",
                    R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})");
    REQUIRE(r.result() == http::status::ok);
    CHECK(json_of(r).at("challenge") == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

TEST_CASE("a retried event is acknowledged and not processed again")
{
    fixture f;
    const std::string body = R"({"type":"event_callback","event_id":"Ev42","event":{"type":"app_home_opened","user":"U1"}})";
    CHECK(f.post("/slack/events", "application/json", body).result() == http::status::ok);
    CHECK(f.post("/slack/events", "application/json", body, true, {{"X-Slack-Retry-Num", "1"}}).result() ==
          http::status::ok);
    CHECK_FALSE(f.events.first_delivery("Ev42", f.clock.now()));
    CHECK(f.events.purge_before(f.clock.now() + std::chrono::seconds(1)) == 1);
}

TEST_CASE("ssl_check is acknowledged without a signature")
{
    fixture f;
    CHECK(f.post("/slack/commands", std::string(form), "ssl_check=1&token=abc", false).result() == http::status::ok);
    CHECK(f.post("/slack/commands", std::string(form), "ssl_check=0&token=abc", false).result() ==
          http::status::unauthorized);
}

TEST_CASE("interactions are acknowledged, and option requests get an empty list")
{
    fixture f;
    auto ack = f.post("/slack/interactions", std::string(form),
                      "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D");
    CHECK(ack.result() == http::status::ok);
    CHECK(ack.body().empty());
    auto opts = f.post("/slack/interactions", std::string(form),
                       "payload=%7B%22type%22%3A%22block_suggestion%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D");
    CHECK(json_of(opts).at("options").as_array().empty());
}
