#include "bot/integrations/event_json.hpp"
#include "tests/bot/integrations/sample_events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "workflow/text.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::bot;

TEST_CASE("the grant body is byte for byte MANIFESTS.md's example")
{
    // given the example's grant
    const access_event e = test::sample_grant();
    // when it is serialised
    const std::string body = event_body(e);
    // then the bytes match, key order included
    CHECK(body ==
          R"({"events":[{"event":"access/grant",)"
          R"("actor":{"kind":"user","id":"u-1001","email":"mary@example.com","displayName":"Mary Major"},)"
          R"("resources":[{"kind":"user","id":"u-2001","email":"sam@example.com","displayName":"Sam Support"},)"
          R"({"kind":"bundle","id":"api-production","displayName":"api-production",)"
          R"("labels":{"permission_set":"api-production"}}],)"
          R"("reason":"debugging latency spike",)"
          R"("meta":{"labels":{"petition":"p-42","expiresAt":"2026-11-29T10:00:00Z","duration":"7d"}},)"
          R"("timestamp":"2026-11-22T10:00:00Z"}]})");
}

TEST_CASE("an automatic revoke names the system actor and leaves out what is unknown")
{
    access_event e = test::sample_grant();
    e.kind = event_kind::revoke;
    e.actor = event_actor::system();
    e.reason = "expired";
    e.duration.reset();
    const auto v = boost::json::parse(event_body(e));
    const auto& ev = v.at("events").at(0);
    CHECK(ev.at("event") == "access/revoke");
    CHECK(boost::json::serialize(ev.at("actor")) == R"({"kind":"system","id":"checkpoint"})");
    CHECK(ev.at("meta").at("labels").as_object().size() == 2);
    CHECK_FALSE(ev.at("meta").at("labels").as_object().contains("duration"));
}

TEST_CASE("pull/update asks for one kind of resource and names no person")
{
    access_event e;
    e.kind = event_kind::pull_update;
    e.resource.kind = "customer";
    e.timestamp = test::utc(2026, 11, 22, 10);
    CHECK(event_body(e) ==
          R"({"events":[{"event":"pull/update","actor":{"kind":"system","id":"checkpoint"},)"
          R"("resources":[{"kind":"customer"}],"timestamp":"2026-11-22T10:00:00Z"}]})");
}

TEST_CASE("a bundle's provision params become string labels, lists joined by commas")
{
    workflow::bundle b;
    b.name = "api-production";
    b.provision.integration = "aws-identity-center";
    b.provision.params = {{"permission_set", {"api-production"}, false},
                          {"policies", {"api-prod-s3-read", "api-rds-connect"}, true}};
    const event_resource r = resource_from(b);
    CHECK(r.kind == "bundle");
    CHECK(r.id == "api-production");
    CHECK(r.display_name == "api-production");
    CHECK(r.labels == label_list{{"permission_set", "api-production"}, {"policies", "api-prod-s3-read,api-rds-connect"}});
}

TEST_CASE("timestamps are UTC with whole seconds")
{
    using namespace std::chrono;
    CHECK(workflow::format_utc(test::utc(2026, 1, 2, 3) + minutes{4} + seconds{5} + milliseconds{678}) == "2026-01-02T03:04:05Z");
    CHECK(workflow::format_utc(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
}

TEST_CASE("strings are escaped as JSON")
{
    access_event e = test::sample_grant();
    e.reason = "quote \" backslash \\ newline \n tab \t é";
    const auto v = boost::json::parse(event_body(e));
    CHECK(v.at("events").at(0).at("reason").as_string() == e.reason.c_str());
}
