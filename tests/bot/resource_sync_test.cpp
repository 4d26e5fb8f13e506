#include "tests/bot/service_fixture.hpp"

#include "bot/integrations/webhook_integration.hpp"
#include "bot/resource_sync.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>

using namespace checkpoint;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret_env = "CHECKPOINT_TEST_SYNC_SECRET";
constexpr const char* secret = "resource-sync-test-secret";

boost::json::object customer(std::string id, std::string name, boost::json::object labels = {})
{
    boost::json::object o{{"kind", "customer"}, {"id", std::move(id)}, {"displayName", std::move(name)}};
    if (!labels.empty())
        o["labels"] = std::move(labels);
    return o;
}

// The service with the `customer` kind's integration (customer-acl) turned into a webhook to a fake.
struct rig {
    explicit rig(bool webhook = true)
    {
        ::setenv(secret_env, secret, 1);
        if (webhook) {
            auto m = *svc.live.now();
            for (auto& i : m.settings.integrations)
                if (i.name == "customer-acl") {
                    i.kind = workflow::integration_kind::webhook;
                    i.url = hook.url();
                    i.secret_env = secret_env;
                }
            svc.live.replace(std::move(m), {});
            svc.integrations["customer-acl"] = std::make_unique<bot::webhook_integration>(
                "customer-acl",
                bot::webhook_settings{hook.url(), secret_env, workflow::webhook_format::checkpoint, 2000ms}, svc.http,
                svc.clock);
        }
        bot::register_resource_sync(svc.runner, svc.ctx);
    }

    std::optional<workflow::resource> find(const std::string& id) { return svc.resources.find("customer", id).value(); }

    test::service_fixture svc;
    test::fake_webhook hook{secret};
};

} // namespace

TEST_CASE("an on-demand sync sends pull/update and upserts what the receiver lists", "[resources]")
{
    rig r;
    r.hook.set_resources({customer("123", "Acme Corp", {{"plan", "enterprise"}}), customer("456", "Globex")});
    auto keys = bot::request_resource_sync(r.svc.ctx, "customer");
    REQUIRE(keys.has_value());
    REQUIRE(keys->size() == 1);
    r.svc.runner.run_until_idle();

    auto log = r.hook.snapshot();
    REQUIRE(log.count("pull/update") == 1);
    const auto& req = log.requests.front();
    CHECK(req.signature_valid);
    CHECK(req.idempotency_key == keys->front());
    CHECK(req.events.front().resource_kind == "customer");
    CHECK(req.events.front().person_id.empty());

    auto acme = r.find("123");
    REQUIRE(acme.has_value());
    CHECK(acme->display_name == "Acme Corp");
    CHECK(boost::json::parse(acme->labels).at("plan") == "enterprise");
    REQUIRE(r.find("456").has_value());
    CHECK(r.find("456")->display_name == "Globex");

    WHEN("a later sync lists Acme renamed and no longer Globex")
    {
        r.hook.set_resources({customer("123", "Acme Corporation")});
        r.svc.clock.advance(1s);
        REQUIRE(bot::request_resource_sync(r.svc.ctx).has_value());
        r.svc.runner.run_until_idle();
        THEN("Acme is updated and Globex forgotten, and the sync is audited")
        {
            CHECK(r.find("123")->display_name == "Acme Corporation");
            CHECK(boost::json::parse(r.find("123")->labels).as_object().empty());
            CHECK_FALSE(r.find("456").has_value());
            CHECK(r.hook.snapshot().count("pull/update") == 2);
        }
    }
}

TEST_CASE("a receiver's bad answer or refusal changes nothing in the catalog", "[resources]")
{
    rig r;
    r.hook.set_resources({customer("123", "Acme Corp")});
    REQUIRE(bot::request_resource_sync(r.svc.ctx, "customer").has_value());
    r.svc.runner.run_until_idle();
    REQUIRE(r.find("123").has_value());

    SECTION("a resource without an id")
    {
        r.hook.queue(test::webhook_reply::with_status(200, R"({"resources":[{"kind":"customer"}]})"));
    }
    SECTION("a 403") { r.hook.queue(test::webhook_reply::with_status(403)); }
    SECTION("a 200 with an error object") { r.hook.queue(test::webhook_reply::error_object("no such kind")); }
    r.svc.clock.advance(1s);
    REQUIRE(bot::request_resource_sync(r.svc.ctx, "customer").has_value());
    r.svc.runner.run_until_idle();
    CHECK(r.hook.snapshot().count("pull/update") == 2);
    CHECK(r.find("123").has_value());
}

TEST_CASE("the schedule: one sync per kind and hour, keyed per period, surviving failures and restarts",
          "[resources]")
{
    rig r;
    r.hook.set_resources({customer("123", "Acme Corp")});
    bot::schedule_resource_sync(r.svc.ctx);
    r.svc.runner.run_until_idle();
    REQUIRE(r.hook.snapshot().count("pull/update") == 1);
    REQUIRE(r.find("123").has_value());

    // A restart within the hour queues nothing new.
    bot::schedule_resource_sync(r.svc.ctx);
    r.svc.runner.run_until_idle();
    CHECK(r.hook.snapshot().count("pull/update") == 1);

    // The next hour's run, refused with a 500, is retried; the one after still comes.
    r.hook.queue(test::webhook_reply::with_status(500));
    r.svc.clock.advance(1h);
    r.svc.runner.run_until_idle();
    CHECK(r.hook.snapshot().count("pull/update") == 2);
    r.svc.clock.advance(1min);
    r.svc.runner.run_until_idle();
    CHECK(r.hook.snapshot().count("pull/update") == 3);
    r.svc.clock.advance(1h);
    r.svc.runner.run_until_idle();
    const auto log = r.hook.snapshot();
    REQUIRE(log.count("pull/update") == 4);
    // The retry kept its period's key; each period has its own.
    CHECK(log.requests[1].idempotency_key == log.requests[2].idempotency_key);
    CHECK(log.requests[0].idempotency_key != log.requests[1].idempotency_key);
    CHECK(log.requests[2].idempotency_key != log.requests[3].idempotency_key);
    CHECK(log.requests[3].idempotency_key.starts_with("sync/customer/"));
}

TEST_CASE("on demand: unknown kinds and kinds whose integration cannot list are refused, naming them", "[resources]")
{
    rig webhook;
    auto unknown = bot::request_resource_sync(webhook.svc.ctx, "custmer");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().code == "unknown_kind");
    CHECK_THAT(unknown.error().message, Catch::Contains("custmer"));

    // The example manifests: customer-acl is a log integration.
    rig logging(false);
    auto refused = bot::request_resource_sync(logging.svc.ctx, "customer");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == "not_syncable");
    CHECK_THAT(refused.error().message, Catch::Contains("customer-acl"));
    // Nothing is scheduled for it either, so nothing empties its uploaded resources.
    bot::schedule_resource_sync(logging.svc.ctx);
    CHECK(logging.svc.runner.run_until_idle() == 0);
    auto all = bot::request_resource_sync(logging.svc.ctx);
    REQUIRE(all.has_value());
    CHECK(all->empty());
}
