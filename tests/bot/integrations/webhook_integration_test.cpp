#include "bot/integrations/event_json.hpp"
#include "bot/integrations/webhook_integration.hpp"
#include "outbound/beast_http_client.hpp"
#include "tests/bot/integrations/sample_events.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace checkpoint;
using namespace checkpoint::bot;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret_env = "CHECKPOINT_TEST_WEBHOOK_SECRET";
constexpr const char* secret = "s3cr3t-0f-the-receiver";

struct rig {
    rig() { ::setenv(secret_env, secret, 1); }

    webhook_integration make(workflow::webhook_format format = workflow::webhook_format::checkpoint,
                             std::chrono::milliseconds timeout = 1000ms)
    {
        return webhook_integration("provisioner", webhook_settings{hook.url(), secret_env, format, timeout}, http,
                                   clock);
    }

    test::fake_webhook hook{secret};
    outbound::beast_http_client http;
    workflow::system_clock clock;
};

// `openssl dgst` over the same message: a check that shares no code with ours or the fake's.
std::string openssl_hmac_hex(const std::string& key, const std::string& message)
{
    test::temp_dir dir;
    const std::string path = dir.file("message");
    std::ofstream(path, std::ios::binary) << message;
    const std::string cmd = "openssl dgst -sha256 -hmac '" + key + "' -r < '" + path + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char out[256] = {};
    const bool read = std::fgets(out, sizeof out, p) != nullptr;
    ::pclose(p);
    REQUIRE(read);
    std::string line(out);
    return line.substr(0, line.find(' '));
}

} // namespace

TEST_CASE("format checkpoint: signed headers a receiver verifies independently")
{
    // given a receiver sharing the secret
    rig r;
    auto hook = r.make(workflow::webhook_format::checkpoint);
    const access_event e = test::sample_grant();
    // when a grant is delivered
    const auto out = hook.deliver(e);
    // then it is done, the receiver verified the signature, and openssl agrees
    CHECK(out.is_done());
    const auto log = r.hook.snapshot();
    REQUIRE(log.requests.size() == 1);
    const auto& req = log.requests[0];
    CHECK(req.method == "POST");
    CHECK(req.signature_format == "checkpoint");
    CHECK(req.signature_valid);
    CHECK(req.body == event_body(e));
    CHECK(req.header("Content-Type") == "application/json");
    CHECK(req.header("Idempotency-Key") == "job-17:grant");
    const std::string ts(*req.header("X-Checkpoint-Timestamp"));
    CHECK(std::abs(std::stoll(ts) - std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()) < 5);
    CHECK(req.header("X-Checkpoint-Signature") == "v0=" + openssl_hmac_hex(secret, "v0:" + ts + ":" + req.body));
    CHECK_FALSE(req.header("X-Indent-Signature"));
}

TEST_CASE("format indent: bare hex in X-Indent-Signature, as Indent's SDK expects")
{
    rig r;
    auto hook = r.make(workflow::webhook_format::indent);
    CHECK(hook.deliver(test::sample_grant()).is_done());
    const auto log = r.hook.snapshot();
    REQUIRE(log.requests.size() == 1);
    const auto& req = log.requests[0];
    CHECK(req.signature_format == "indent");
    CHECK(req.signature_valid);
    const std::string ts(*req.header("X-Indent-Timestamp"));
    CHECK(req.header("X-Indent-Signature") == openssl_hmac_hex(secret, "v0:" + ts + ":" + req.body));
    CHECK_FALSE(req.header("X-Checkpoint-Signature"));
}

TEST_CASE("a signature under the wrong secret is refused by the receiver, and that is permanent")
{
    rig r;
    ::setenv("CHECKPOINT_TEST_WRONG_SECRET", "not-the-secret", 1);
    webhook_integration hook("provisioner",
                             webhook_settings{r.hook.url(), "CHECKPOINT_TEST_WRONG_SECRET",
                                              workflow::webhook_format::checkpoint, 1000ms},
                             r.http, r.clock);
    const auto out = hook.deliver(test::sample_grant());
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("401"));
    CHECK(r.hook.snapshot().effects.empty());
}

TEST_CASE("every outcome class, as MANIFESTS.md sets them")
{
    struct row {
        const char* name;
        test::webhook_reply reply;
        delivery_status expected;
        std::optional<std::chrono::seconds> retry_after;
    };
    using test::webhook_reply;
    const row c = GENERATE(values<row>({
        {"200", webhook_reply::ok(), delivery_status::done, {}},
        {"200 with an error object", webhook_reply::error_object("no such permission set"),
         delivery_status::permanent_failure, {}},
        {"201", webhook_reply::with_status(201), delivery_status::done, {}},
        {"204 empty", webhook_reply::with_status(204, ""), delivery_status::done, {}},
        {"400", webhook_reply::with_status(400, R"({"message":"bad"})"), delivery_status::permanent_failure, {}},
        {"401", webhook_reply::with_status(401), delivery_status::permanent_failure, {}},
        {"404", webhook_reply::with_status(404), delivery_status::permanent_failure, {}},
        {"408", webhook_reply::with_status(408), delivery_status::retry, {}},
        {"409", webhook_reply::with_status(409), delivery_status::permanent_failure, {}},
        {"429 with Retry-After", webhook_reply::too_many_requests("7"), delivery_status::retry, std::chrono::seconds{7}},
        {"500", webhook_reply::with_status(500), delivery_status::retry, {}},
        {"503", webhook_reply::with_status(503), delivery_status::retry, {}},
        {"hang up", webhook_reply::close_without_answer(), delivery_status::retry, {}},
        {"timeout", webhook_reply::slow(600ms), delivery_status::retry, {}},
    }));
    SECTION(c.name)
    {
        // given a receiver scripted to answer this way
        rig r;
        auto hook = r.make(workflow::webhook_format::checkpoint, 200ms);
        r.hook.queue(c.reply);
        // when a grant is delivered
        const auto out = hook.deliver(test::sample_grant());
        // then the outcome is the one the contract names
        CHECK(out.status == c.expected);
        CHECK(out.retry_after == c.retry_after);
        CHECK_FALSE(out.message.empty());
    }
}

TEST_CASE("a refused connection is retried")
{
    rig r;
    auto hook = r.make();
    r.hook.go_down();
    const auto out = hook.deliver(test::sample_grant());
    CHECK(out.is_retry());
    CHECK(r.hook.snapshot().requests.empty());

    // and once the receiver is back, the same event goes through
    r.hook.come_back();
    CHECK(hook.deliver(test::sample_grant()).is_done());
}

TEST_CASE("the Idempotency-Key is the same on every retry, and the effect applies once")
{
    // given a receiver that fails twice, then times out after doing the work, then answers
    rig r;
    auto hook = r.make(workflow::webhook_format::indent, 200ms);
    r.hook.queue(test::webhook_reply::with_status(503), 2);
    r.hook.queue(test::webhook_reply::slow(600ms));
    const access_event e = test::sample_grant();
    // when the worker retries until done
    std::vector<delivery_status> outcomes;
    for (int i = 0; i < 6; ++i) {
        outcomes.push_back(hook.deliver(e).status);
        if (outcomes.back() == delivery_status::done)
            break;
    }
    // then every attempt carried the same key, and the grant counts once
    CHECK(outcomes == std::vector{delivery_status::retry, delivery_status::retry, delivery_status::retry,
                                  delivery_status::done});
    const auto log = r.hook.snapshot();
    REQUIRE(log.requests.size() == 4);
    for (const auto& req : log.requests)
        CHECK(req.idempotency_key == "job-17:grant");
    REQUIRE(log.effects.size() == 1);
    CHECK(log.effects.at("job-17:grant").event == "access/grant");
    CHECK(log.effects.at("job-17:grant").person_id == "u-2001");
    CHECK(log.effects.at("job-17:grant").resource_id == "api-production");
    CHECK(log.effects.at("job-17:grant").deliveries == 2);
    CHECK(log.effects_of("access/grant") == 1);
}

TEST_CASE("pull/update reads the receiver's resources")
{
    rig r;
    r.hook.set_resources(boost::json::array{
        boost::json::object{{"kind", "customer"}, {"id", "123"}, {"displayName", "Acme Corp"},
                            {"labels", boost::json::object{{"plan", "enterprise"}}}},
        boost::json::object{{"kind", "customer"}, {"id", "456"}},
    });
    auto hook = r.make();
    access_event e;
    e.kind = event_kind::pull_update;
    e.resource.kind = "customer";
    e.timestamp = std::chrono::system_clock::now();
    e.idempotency_key = "sync-customer-1";

    const auto out = hook.deliver(e);
    REQUIRE(out.is_done());
    REQUIRE(out.resources.size() == 2);
    CHECK(out.resources[0].id == "123");
    CHECK(out.resources[0].display_name == "Acme Corp");
    CHECK(out.resources[0].labels == label_list{{"plan", "enterprise"}});
    CHECK(out.resources[1].id == "456");
    // a listing is not an effect
    CHECK(r.hook.snapshot().effects.empty());

    SECTION("an invalid listing is a permanent failure naming the field")
    {
        r.hook.queue(test::webhook_reply::with_status(200, R"({"resources":[{"kind":"customer"}]})"));
        const auto bad = hook.deliver(e);
        CHECK(bad.is_permanent_failure());
        CHECK_THAT(bad.message, Catch::Contains("resources[0].id"));
    }
}

TEST_CASE("a missing secret is a permanent failure that names the variable, and nothing is sent")
{
    test::scripted_client http;
    workflow::system_clock clock;
    ::unsetenv("CHECKPOINT_TEST_UNSET_SECRET");
    webhook_integration hook("provisioner",
                             webhook_settings{"https://provisioner.example.com/hook", "CHECKPOINT_TEST_UNSET_SECRET",
                                              workflow::webhook_format::checkpoint, 1000ms},
                             http, clock);
    const auto out = hook.deliver(test::sample_grant());
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("CHECKPOINT_TEST_UNSET_SECRET"));
    CHECK(http.sent().empty());
}

TEST_CASE("plain http:// to a public host is refused before anything is sent")
{
    ::setenv(secret_env, secret, 1);
    test::scripted_client http;
    workflow::system_clock clock;
    webhook_integration hook("provisioner",
                             webhook_settings{"http://provisioner.example.com/hook", secret_env,
                                              workflow::webhook_format::checkpoint, 1000ms},
                             http, clock);
    const auto out = hook.deliver(test::sample_grant());
    CHECK(out.is_permanent_failure());
    CHECK_THAT(out.message, Catch::Contains("https://"));
    CHECK(http.sent().empty());
}

TEST_CASE("transport failures: a bad URL and a failed certificate are permanent, the rest retry")
{
    struct row {
        outbound::transport_failure_kind kind;
        delivery_status expected;
    };
    const row c = GENERATE(values<row>({
        {outbound::transport_failure_kind::bad_url, delivery_status::permanent_failure},
        {outbound::transport_failure_kind::tls, delivery_status::permanent_failure},
        {outbound::transport_failure_kind::resolve, delivery_status::retry},
        {outbound::transport_failure_kind::connect, delivery_status::retry},
        {outbound::transport_failure_kind::timeout, delivery_status::retry},
        {outbound::transport_failure_kind::io, delivery_status::retry},
    }));
    ::setenv(secret_env, secret, 1);
    test::scripted_client http;
    http.push({std::nullopt, outbound::transport_failure{c.kind, "what happened"}});
    workflow::system_clock clock;
    webhook_integration hook("provisioner",
                             webhook_settings{"https://provisioner.example.com/hook", secret_env,
                                              workflow::webhook_format::checkpoint, 1000ms},
                             http, clock);
    const auto out = hook.deliver(test::sample_grant());
    CHECK(out.status == c.expected);
    CHECK_THAT(out.message, Catch::Contains("what happened"));
}

TEST_CASE("the signature timestamp comes from the injected clock")
{
    ::setenv(secret_env, secret, 1);
    test::scripted_client http;
    workflow::manual_clock clock(test::utc(2026, 11, 22, 10));
    webhook_integration hook("provisioner",
                             webhook_settings{"https://provisioner.example.com/hook", secret_env,
                                              workflow::webhook_format::checkpoint, 1000ms},
                             http, clock);
    CHECK(hook.deliver(test::sample_grant()).is_done());
    const auto sent = http.sent();
    REQUIRE(sent.size() == 1);
    const auto& h = sent[0].headers;
    const auto ts = std::find_if(h.begin(), h.end(), [](const auto& kv) { return kv.first == "X-Checkpoint-Timestamp"; });
    REQUIRE(ts != h.end());
    CHECK(ts->second == "1795341600");
    CHECK(sent[0].timeout == 1000ms);
}
