#include "tests/api/api_fixture.hpp"
#include "app/audit_anchors.hpp"
#include "app/jobs.hpp"
#include "workflow/text.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using test::body_of;
using test::error_code_of;
namespace json = boost::json;
using verb = bot::http::verb;
using status = bot::http::status;

namespace {

json::object request_body(std::string bundle, std::string duration, std::string reason = "debugging latency")
{
    return {{"bundle", std::move(bundle)}, {"duration", std::move(duration)}, {"reason", std::move(reason)}};
}

std::string id_of(const bot::response& r) { return std::string(body_of(r).at("id").as_string()); }
std::string state_of(const bot::response& r) { return std::string(body_of(r).at("state").as_string()); }

} // namespace

TEST_CASE("api: a request without a valid token is refused with 401 unauthenticated", "[api][auth]")
{
    test::api_fixture f;
    SECTION("no Authorization header")
    {
        auto r = f.get("/api/v1/me", "");
        CHECK(r.result() == status::unauthorized);
        CHECK(error_code_of(r) == "unauthenticated");
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()), Catch::Contains("Bearer"));
    }
    SECTION("a token Checkpoint never issued")
    {
        auto r = f.get("/api/v1/me", "cpt_" + std::string(40, 'A'));
        CHECK(r.result() == status::unauthorized);
        CHECK(error_code_of(r) == "unauthenticated");
    }
    SECTION("a personal token of someone who left the directory")
    {
        // Made while u-9999 was in the directory; the manifests no longer list them.
        const auto gone = f.made({"requests"}, "u-9999", "leaver-cli").secret;
        auto r = f.get("/api/v1/me", gone);
        CHECK(r.result() == status::unauthorized);
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()),
                   Catch::Contains("u-9999, who is no longer in the directory"));
    }
    SECTION("a revoked token")
    {
        auto t = f.token({"requests"});
        auto listed = f.tokens.list().value();
        REQUIRE(f.tokens.revoke(listed.back().id, f.clock.now(), {"test", "token.revoke", f.clock.now(), "", "", "", ""}).value());
        auto r = f.get("/api/v1/me", t);
        CHECK(r.result() == status::unauthorized);
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()), Catch::Contains("revoked"));
    }
}

TEST_CASE("api: GET /me names the token's kind, person and scopes", "[api][auth]")
{
    test::api_fixture f;
    auto personal = f.get("/api/v1/me", f.token({"requests", "review"}, "u-2002", "alex-laptop"));
    REQUIRE(personal.result() == status::ok);
    auto me = body_of(personal);
    CHECK(me.at("kind") == "personal");
    CHECK(me.at("name") == "alex-laptop");
    CHECK(me.at("person").at("id") == "u-2002");
    CHECK(me.at("person").at("name") == "Alex Chen");
    CHECK(me.at("scopes").as_array().size() == 2);
    auto service = body_of(f.get("/api/v1/me", f.token({"audit:read"}, "", "auditor")));
    CHECK(service.at("kind") == "service");
    CHECK(service.at("person").is_null());
}

TEST_CASE("api: unknown endpoints, wrong methods and bad JSON are specific errors", "[api][errors]")
{
    test::api_fixture f;
    auto t = f.token({"requests"}, "u-2001");
    auto missing = f.get("/api/v1/nothing-here", t);
    CHECK(missing.result() == status::not_found);
    CHECK(error_code_of(missing) == "not_found");
    auto wrong = f.call(verb::delete_, "/api/v1/bundles", t);
    CHECK(wrong.result() == status::method_not_allowed);
    CHECK(error_code_of(wrong) == "method_not_allowed");
    CHECK(wrong[bot::http::field::allow] == "GET");
    auto bad_json = f.call(verb::post, "/api/v1/petitions", t, "{\"bundle\": ");
    CHECK(bad_json.result() == status::bad_request);
    CHECK(error_code_of(bad_json) == "invalid_request");
    auto not_an_id = f.get("/api/v1/petitions/" + std::string(500, 'x'), t);
    CHECK(not_an_id.result() == status::not_found);
    CHECK(not_an_id.body().size() < 300);
    CHECK(f.get("/api/v1/petitions/p-0000000000000", t).result() == status::not_found);
    auto bad_limit = f.get("/api/v1/bundles?limit=500", t);
    CHECK(bad_limit.result() == status::bad_request);
    CHECK_THAT(std::string(body_of(bad_limit).at("error").at("message").as_string()), Catch::Contains("limit"));
}

TEST_CASE("api: bundles are listed, searched, paged and fetched by name", "[api][bundles]")
{
    test::api_fixture f;
    auto t = f.token({"requests"}, "u-2001");
    auto all = body_of(f.get("/api/v1/bundles?limit=200", t));
    CHECK(all.at("items").as_array().size() == f.manifests.catalog.bundles().size());
    CHECK(all.at("next_cursor").is_null());

    auto first = body_of(f.get("/api/v1/bundles?limit=2", t));
    REQUIRE(first.at("items").as_array().size() == 2);
    const auto cursor = std::string(first.at("next_cursor").as_string());
    auto second = body_of(f.get("/api/v1/bundles?limit=2&cursor=" + cursor, t));
    CHECK(second.at("items").at(0).at("name") != first.at("items").at(1).at("name"));

    auto found = body_of(f.get("/api/v1/bundles?q=production%20api", t));
    for (const auto& b : found.at("items").as_array())
        CHECK_THAT(std::string(b.at("name").as_string()), Catch::Contains("api"));

    auto one = f.get("/api/v1/bundles/api-production", t);
    REQUIRE(one.result() == status::ok);
    auto b = body_of(one);
    CHECK(b.at("owner_team") == "api-team");
    CHECK(b.at("risk") == "high");
    CHECK(b.at("max_duration") == "30d");

    // For a personal token: whether the default duration would be instant for its person.
    const auto instant_for = [&](const std::string& token, const std::string& name) -> std::optional<bool> {
        const auto listed = body_of(f.get("/api/v1/bundles?limit=200", token));
        for (const auto& item : listed.at("items").as_array())
            if (item.at("name").as_string() == name)
                if (const auto* v = item.as_object().if_contains("instant_for_you"))
                    return v->as_bool();
        return std::nullopt;
    };
    CHECK(instant_for(t, "api-production") == std::optional<bool>(true));                      // Lee is on api-team
    CHECK(instant_for(f.token({"requests"}, "u-4001", "kofi"), "api-production") == std::optional<bool>(false));
    CHECK_FALSE(instant_for(f.token({"requests"}, "", "portal"), "api-production").has_value()); // a service token

    auto typo = f.get("/api/v1/bundles/api-prodution", t);
    CHECK(typo.result() == status::not_found);
    CHECK_THAT(std::string(body_of(typo).at("error").at("message").as_string()), Catch::Contains("api-production"));
}

TEST_CASE("api: explain gives the decision and its steps without filing anything", "[api][explain]")
{
    test::api_fixture f;
    auto t = f.token({"requests"}, "u-4001");
    auto r = f.get("/api/v1/explain?bundle=api-production&duration=7d", t);
    REQUIRE(r.result() == status::ok);
    auto e = body_of(r);
    CHECK(e.at("outcome") == "approval_required");
    CHECK(e.at("requester").at("id") == "u-4001");
    CHECK(e.at("steps").as_array().size() == 1);
    CHECK(e.at("steps").at(0).at("kind") == "owner");
    CHECK(f.petitions.request_log({}).value().petitions.empty());

    auto too_long = f.get("/api/v1/explain?bundle=api-production&duration=60d", t);
    CHECK(too_long.result() == status::unprocessable_entity);
    CHECK(error_code_of(too_long) == "refused");
    auto service = f.get("/api/v1/explain?bundle=api-production", f.token({"requests"}));
    CHECK(service.result() == status::bad_request);
    CHECK_THAT(std::string(body_of(service).at("error").at("message").as_string()), Catch::Contains("requester"));
}

TEST_CASE("api: a petition is filed, read and decided under the rules Slack clicks follow", "[api][petitions]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests", "review"}, "u-2001", "lee");
    const auto alex = f.token({"requests", "review"}, "u-2002", "alex");
    const auto kofi = f.token({"requests"}, "u-4001", "kofi");

    auto filed = f.post("/api/v1/petitions", lee, request_body("api-production", "7d"));
    REQUIRE(filed.result() == status::created);
    const auto id = id_of(filed);
    auto p = body_of(filed);
    CHECK(p.at("state") == "pending");
    CHECK(p.at("requester").at("id") == "u-2001");
    CHECK(p.at("target").at("type") == "bundle");
    CHECK(p.at("duration") == "7d");
    CHECK(p.at("duration_seconds") == 604800);
    CHECK(p.at("decision").at("outcome") == "approval_required");
    CHECK(p.at("steps").at(0).at("state") == "waiting");
    // What the grant gives, in the manifest's words; the raw provision params beside them.
    CHECK(json::serialize(p.at("entitlements")) ==
          R"J(["AWS permission set via IAM Identity Center (prod IAM role for S3)",)J"
          R"J("Read-only on production API RDS (api-production cluster)","Vault paths for api-production secrets (read)"])J");
    CHECK(json::serialize(p.at("provision_params")) ==
          R"(["permission_set: api-production","policies: api-prod-s3-read","policies: api-rds-connect"])");

    SECTION("the requester cannot approve their own request")
    {
        auto r = f.post("/api/v1/petitions/" + id + "/approve", lee, json::object{});
        CHECK(r.result() == status::unprocessable_entity);
        CHECK(error_code_of(r) == "refused");
        CHECK(f.access.get(id)->state == workflow::petition_state::pending);
    }
    SECTION("a token without the review scope cannot approve")
    {
        auto r = f.post("/api/v1/petitions/" + id + "/approve", kofi, json::object{});
        CHECK(r.result() == status::forbidden);
        CHECK(error_code_of(r) == "forbidden");
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()), Catch::Contains("`review`"));
    }
    SECTION("someone who is not a reviewer is refused")
    {
        auto r = f.post("/api/v1/petitions/" + id + "/approve", f.token({"review"}, "u-4000"), json::object{});
        CHECK(r.result() == status::unprocessable_entity);
    }
    SECTION("a service token cannot approve, even with review")
    {
        auto r = f.post("/api/v1/petitions/" + id + "/approve", f.token({"review"}), json::object{});
        CHECK(r.result() == status::forbidden);
    }
    SECTION("a reviewer approves; a second approval is a conflict")
    {
        auto r = f.post("/api/v1/petitions/" + id + "/approve", alex, json::object{{"reason", "looks fine"}});
        REQUIRE(r.result() == status::ok);
        CHECK(state_of(r) == "approved");
        CHECK(body_of(r).at("decisions").at(0).at("by").at("id") == "u-2002");
        CHECK(body_of(r).at("decisions").at(0).at("verdict") == "approve");
        auto again = f.post("/api/v1/petitions/" + id + "/approve", f.token({"review"}, "u-2003"), json::object{});
        CHECK(again.result() == status::conflict);
        CHECK(error_code_of(again) == "conflict");
    }
    SECTION("a denial needs a reason, and is final")
    {
        auto no_reason = f.post("/api/v1/petitions/" + id + "/deny", alex, json::object{});
        CHECK(no_reason.result() == status::bad_request);
        CHECK_THAT(std::string(body_of(no_reason).at("error").at("message").as_string()), Catch::Contains("`reason`"));
        auto r = f.post("/api/v1/petitions/" + id + "/deny", alex, json::object{{"reason", "use staging"}});
        REQUIRE(r.result() == status::ok);
        CHECK(state_of(r) == "denied");
        CHECK(body_of(r).at("steps").at(0).at("state") == "denied");
        CHECK(body_of(r).at("decisions").at(0).at("reason") == "use staging");
        auto cancel = f.post("/api/v1/petitions/" + id + "/cancel", lee, json::object{});
        CHECK(cancel.result() == status::conflict);
    }
    SECTION("only the requester cancels")
    {
        auto other = f.post("/api/v1/petitions/" + id + "/cancel", alex, json::object{});
        CHECK(other.result() == status::unprocessable_entity);
        auto r = f.post("/api/v1/petitions/" + id + "/cancel", lee, json::object{});
        REQUIRE(r.result() == status::ok);
        CHECK(state_of(r) == "cancelled");
    }
    SECTION("it is visible to its requester and reviewers, not to others")
    {
        CHECK(f.get("/api/v1/petitions/" + id, lee).result() == status::ok);
        CHECK(f.get("/api/v1/petitions/" + id, alex).result() == status::ok);
        auto other = f.get("/api/v1/petitions/" + id, kofi);
        CHECK(other.result() == status::not_found);
        CHECK(f.get("/api/v1/petitions/" + id, f.token({"audit:read"})).result() == status::ok);
    }
    SECTION("it shows in the lists: mine, awaiting, and the public log")
    {
        auto mine = body_of(f.get("/api/v1/petitions?mine=true", lee));
        REQUIRE(mine.at("items").as_array().size() == 1);
        CHECK(mine.at("items").at(0).at("id").as_string() == id);
        auto awaiting = body_of(f.get("/api/v1/petitions?awaiting=me", alex));
        REQUIRE(awaiting.at("items").as_array().size() == 1);
        CHECK(body_of(f.get("/api/v1/petitions?awaiting=me", lee)).at("items").as_array().empty());
        // Without `review` nothing can await the token's person: the answer names the missing scope.
        auto unscoped = f.get("/api/v1/petitions?awaiting=me", f.token({"requests"}, "u-2002", "alex-phone"));
        CHECK(unscoped.result() == status::forbidden);
        CHECK_THAT(unscoped.body(), Catch::Contains("lacks the `review` scope"));
        auto log = body_of(f.get("/api/v1/petitions?bundle=api-production&state=pending", kofi));
        CHECK(log.at("items").as_array().size() == 1);
        auto bad_state = f.get("/api/v1/petitions?state=sleeping", kofi);
        CHECK(bad_state.result() == status::bad_request);
    }
}

TEST_CASE("api: filing validates its fields and who it is for", "[api][petitions]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001");
    auto no_reason = f.post("/api/v1/petitions", lee, json::object{{"bundle", "api-production"}});
    CHECK(no_reason.result() == status::bad_request);
    CHECK_THAT(std::string(body_of(no_reason).at("error").at("message").as_string()), Catch::Contains("`reason`"));
    auto bad_duration = f.post("/api/v1/petitions", lee, request_body("api-production", "7 days"));
    CHECK(bad_duration.result() == status::bad_request);
    CHECK_THAT(std::string(body_of(bad_duration).at("error").at("message").as_string()), Catch::Contains("`duration`"));
    auto unknown = f.post("/api/v1/petitions", lee, request_body("api-prod", "1d"));
    CHECK(unknown.result() == status::not_found);
    auto too_long = f.post("/api/v1/petitions", lee, request_body("api-production", "60d"));
    CHECK(too_long.result() == status::unprocessable_entity);
    CHECK(error_code_of(too_long) == "refused");
    auto for_other = f.post("/api/v1/petitions", lee,
                            json::object{{"bundle", "api-staging"}, {"reason", "x"}, {"requester", "u-2002"}});
    CHECK(for_other.result() == status::forbidden);
    auto no_scope = f.post("/api/v1/petitions", f.token({"review"}, "u-2001"), request_body("api-staging", "1d"));
    CHECK(no_scope.result() == status::forbidden);

    SECTION("a service token files for the person it names")
    {
        const auto ci = f.token({"requests"}, "", "ci");
        auto missing = f.post("/api/v1/petitions", ci, request_body("api-staging", "1d"));
        CHECK(missing.result() == status::bad_request);
        auto body = request_body("api-staging", "1d");
        body["requester"] = "u-2002";
        auto r = f.post("/api/v1/petitions", ci, body);
        REQUIRE(r.result() == status::created);
        CHECK(body_of(r).at("requester").at("id") == "u-2002");
        auto events = f.audit.for_petition(id_of(r)).value();
        REQUIRE(events.size() >= 2);
        // Written with the filing, in its transaction: the event right after it.
        CHECK(events[0].event.action == "file");
        CHECK(events[1].event.action == "api.file_for");
        CHECK(events[1].event.actor == "token:ci");
        CHECK(events[1].seq == events[0].seq + 1);
    }
}

TEST_CASE("api: resources are bulk uploaded, listed and requested one at a time", "[api][resources]")
{
    test::api_fixture f;
    const auto writer = f.token({"resources:write"}, "", "crm-sync");
    const auto sam = f.token({"requests"}, "u-6001", "sam");
    json::array items;
    items.push_back(json::object{{"kind", "customer"}, {"id", "123"}, {"displayName", "Acme"},
                                 {"labels", json::object{{"tier", "gold"}}}});
    items.push_back(json::object{{"kind", "customer"}, {"id", "456"}, {"displayName", "Globex"}});

    SECTION("one bad item names its index and field, and nothing is written")
    {
        auto bad = items;
        bad.push_back(json::object{{"kind", "customer"}, {"displayName", "No id"}});
        auto r = f.call(verb::put, "/api/v1/resources", writer, json::serialize(json::object{{"resources", bad}}));
        CHECK(r.result() == status::bad_request);
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()), Catch::Contains("resources[2].id"));
        CHECK(f.resources.of_kind("customer")->empty());
        auto kind = json::array{json::object{{"kind", "planet"}, {"id", "1"}}};
        auto r2 = f.call(verb::put, "/api/v1/resources", writer, json::serialize(json::object{{"resources", kind}}));
        CHECK(r2.result() == status::bad_request);
        CHECK_THAT(std::string(body_of(r2).at("error").at("message").as_string()), Catch::Contains("resources[0].kind"));
    }
    SECTION("rows without a kind are of the only kind checkpoint.yaml defines")
    {
        auto plain = json::array{json::object{{"id", "789"}, {"displayName", "Initech"}}};
        auto r = f.call(verb::put, "/api/v1/resources", writer, json::serialize(json::object{{"resources", plain}}));
        REQUIRE(r.result() == status::ok);
        auto stored = f.resources.of_kind("customer").value();
        REQUIRE(stored.size() == 1);
        CHECK(stored[0].id == "789");
    }
    SECTION("uploading needs resources:write")
    {
        auto r = f.call(verb::put, "/api/v1/resources", sam, json::serialize(json::object{{"resources", items}}));
        CHECK(r.result() == status::forbidden);
    }
    SECTION("uploaded, listed, and a customer is requested by kind and id")
    {
        auto r = f.call(verb::put, "/api/v1/resources", writer, json::serialize(json::object{{"resources", items}}));
        REQUIRE(r.result() == status::ok);
        CHECK(body_of(r).at("upserted") == 2);
        auto listed = body_of(f.get("/api/v1/resources?kind=customer&q=acm", sam));
        REQUIRE(listed.at("items").as_array().size() == 1);
        CHECK(listed.at("items").at(0).at("display_name") == "Acme");
        CHECK(listed.at("items").at(0).at("labels").at("tier") == "gold");

        auto filed = f.post("/api/v1/petitions", sam,
                            json::object{{"resource", json::object{{"kind", "customer"}, {"id", "123"}}},
                                         {"duration", "4h"},
                                         {"reason", "BUG-482"}});
        REQUIRE(filed.result() == status::created);
        auto p = body_of(filed);
        CHECK(p.at("target").at("type") == "resource");
        CHECK(p.at("target").at("kind") == "customer");
        CHECK(p.at("target").at("id") == "123");
        CHECK(p.at("target").at("display_name") == "Acme");
        CHECK(p.at("steps").at(0).at("name") == "support-lead");

        auto unknown = f.post("/api/v1/petitions", sam,
                              json::object{{"resource", json::object{{"kind", "customer"}, {"id", "999"}}},
                                           {"reason", "BUG-482"}});
        CHECK(unknown.result() == status::not_found);
        auto audit = f.reports.audit_events({std::string("token:crm-sync"), {}, {}, {}, 50, {}}).value();
        REQUIRE(audit.records.size() == 1);
        CHECK(audit.records[0].event.action == "resources.upsert");
        CHECK(json::parse(audit.records[0].event.details).at("channel") == "api");
    }
}

TEST_CASE("api: extend and revoke act for the token's person", "[api][petitions]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001", "lee");
    // api-staging for a day is automatic for its owners.
    auto filed = f.post("/api/v1/petitions", lee, request_body("api-staging", "1d"));
    REQUIRE(filed.result() == status::created);
    const auto id = id_of(filed);
    REQUIRE(f.access.act(id, workflow::provisioning_started(f.clock.now())).has_value());
    REQUIRE(f.access.act(id, workflow::provisioned_at(f.clock.now())).has_value());

    auto no_duration = f.post("/api/v1/petitions/" + id + "/extend", lee, json::object{});
    CHECK(no_duration.result() == status::bad_request);
    auto extended = f.post("/api/v1/petitions/" + id + "/extend", lee, json::object{{"duration", "4h"}});
    REQUIRE(extended.result() == status::ok);
    auto stranger = f.post("/api/v1/petitions/" + id + "/revoke", f.token({"requests"}, "u-4001"), json::object{});
    CHECK(stranger.result() == status::unprocessable_entity);
    auto revoked = f.post("/api/v1/petitions/" + id + "/revoke", lee, json::object{{"reason", "done"}});
    REQUIRE(revoked.result() == status::ok);
    CHECK(state_of(revoked) == "revoked");
}

TEST_CASE("api: audit events are listed and verified for audit:read only", "[api][audit]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001");
    const auto auditor = f.token({"audit:read"}, "", "auditor");
    auto filed = f.post("/api/v1/petitions", lee, request_body("api-production", "7d"));
    REQUIRE(filed.result() == status::created);
    CHECK(f.get("/api/v1/audit", lee).result() == status::forbidden);
    auto events = body_of(f.get("/api/v1/audit?petition=" + id_of(filed), auditor));
    REQUIRE(events.at("items").as_array().size() == 1);
    CHECK(events.at("items").at(0).at("action") == "file");
    CHECK(events.at("items").at(0).at("actor") == "u-2001");
    CHECK(events.at("items").at(0).at("hash").as_string().size() == 64);
    auto verified = body_of(f.get("/api/v1/audit/verify", auditor));
    CHECK(verified.at("ok") == true);
    // The two tokens' creation (each audited with the token) and the filing.
    CHECK(verified.at("events") == 3);
}

TEST_CASE("api: an admin anchors the audit log in the security channel - verify checks keyed hashes and anchors",
          "[api][audit]")
{
    test::api_fixture f;
    const auto admin = f.token({"admin"}, "", "root");
    const auto auditor = f.token({"audit:read"}, "", "auditor");
    CHECK(f.call(verb::post, "/api/v1/audit/anchor", auditor).result() == status::forbidden);
    CHECK(f.get("/api/v1/audit/anchor", admin).result() == status::method_not_allowed);

    auto anchored = f.call(verb::post, "/api/v1/audit/anchor", admin);

    REQUIRE(anchored.result() == status::created);
    const auto a = body_of(anchored).at("anchor").as_object();
    // The two tokens' creation, each audited.
    CHECK(a.at("seq") == 2);
    CHECK(a.at("posted_to") == "C0SECURITY");
    CHECK(a.at("trigger") == "demand");
    CHECK(a.at("by") == "token:root");
    const std::string mac(a.at("keyed_hash").as_string());
    CHECK(mac.size() == 64);
    CHECK(mac != a.at("hash").as_string());
    // Its post to the security channel waits in the outbox, in that channel's lane.
    auto post = f.jobs.find(app::anchor_post_key(a.at("id").as_int64())).value();
    REQUIRE(post);
    CHECK(post->kind == "post_audit_anchor");
    auto payload = app::anchor_of(*post).value();
    CHECK(payload.channel == "C0SECURITY");
    CHECK(payload.seq == 2);
    CHECK(payload.mac == mac);
    // Who asked is audited after it.
    CHECK(f.audit.verify().value().checked == 3);

    auto verified = body_of(f.get("/api/v1/audit/verify", auditor));
    CHECK(verified.at("ok") == true);
    CHECK(verified.at("keyed") == true);
    CHECK(verified.at("anchor").at("seq") == 2);
    CHECK(body_of(f.get("/api/v1/audit/verify?anchor=2:" + mac, auditor)).at("ok") == true);
    auto other = body_of(f.get("/api/v1/audit/verify?anchor=2:" + std::string(64, 'a'), auditor));
    CHECK(other.at("ok") == false);
    CHECK(other.at("first_bad") == 2);
    CHECK_THAT(std::string(other.at("problem").as_string()), Catch::Contains("the anchor given"));
    auto malformed = f.get("/api/v1/audit/verify?anchor=two", auditor);
    CHECK(malformed.result() == status::bad_request);
    CHECK_THAT(malformed.body(), Catch::Contains("SEQ:HASH"));
}

TEST_CASE("api: tokens are created, listed and revoked by admins - the secret is shown once", "[api][tokens]")
{
    test::api_fixture f;
    const auto admin = f.token({"admin"}, "", "root");
    CHECK(f.get("/api/v1/tokens", f.token({"requests"}, "u-2001")).result() == status::forbidden);

    auto made = f.post("/api/v1/tokens", admin,
                       json::object{{"name", "lee-cli"}, {"kind", "personal"}, {"person", "lee@example.com"},
                                    {"scopes", json::array{"requests", "review"}}});
    REQUIRE(made.result() == status::created);
    auto t = body_of(made);
    CHECK(t.at("person") == "u-2001");
    const auto secret = std::string(t.at("token").as_string());
    CHECK(storage::token_store::looks_like_token(secret));
    CHECK(body_of(f.get("/api/v1/me", secret)).at("person").at("id") == "u-2001");

    auto listed = f.get("/api/v1/tokens", admin);
    CHECK(listed.body().find(secret) == std::string::npos);
    CHECK(listed.body().find(storage::token_store::hash_of(secret)) == std::string::npos);
    CHECK(body_of(listed).at("items").as_array().size() == 3);

    auto bad_scope = f.post("/api/v1/tokens", admin,
                            json::object{{"name", "x"}, {"kind", "service"}, {"scopes", json::array{"root"}}});
    CHECK(bad_scope.result() == status::bad_request);
    auto no_person = f.post("/api/v1/tokens", admin,
                            json::object{{"name", "x"}, {"kind", "personal"}, {"scopes", json::array{"requests"}}});
    CHECK(no_person.result() == status::bad_request);

    const auto id = std::to_string(t.at("id").as_int64());
    auto gone = f.call(verb::delete_, "/api/v1/tokens/" + id, admin);
    CHECK(gone.result() == status::no_content);
    CHECK(f.get("/api/v1/me", secret).result() == status::unauthorized);
    CHECK(f.call(verb::delete_, "/api/v1/tokens/" + id, admin).result() == status::not_found);
}

TEST_CASE("api: tokens expire - personal ones after 90 days unless asked, and never beyond a year", "[api][tokens]")
{
    test::api_fixture f;
    const auto admin = f.token({"admin"}, "", "root");
    const auto start = f.clock.now();
    auto lee = f.post("/api/v1/tokens", admin,
                      json::object{{"name", "lee-cli"}, {"kind", "personal"}, {"person", "u-2001"},
                                   {"scopes", json::array{"requests"}}});
    REQUIRE(lee.result() == status::created);
    CHECK(body_of(lee).at("expires_at").as_string() == workflow::format_utc(start + std::chrono::days{90}));
    const auto lee_secret = std::string(body_of(lee).at("token").as_string());

    auto ci = f.post("/api/v1/tokens", admin,
                     json::object{{"name", "ci"}, {"kind", "service"}, {"scopes", json::array{"requests"}},
                                  {"expires", "30d"}});
    REQUIRE(ci.result() == status::created);
    CHECK(body_of(ci).at("expires_at").as_string() == workflow::format_utc(start + std::chrono::days{30}));
    const auto ci_secret = std::string(body_of(ci).at("token").as_string());
    auto forever = f.post("/api/v1/tokens", admin,
                          json::object{{"name", "sync"}, {"kind", "service"}, {"scopes", json::array{"requests"}}});
    CHECK(body_of(forever).at("expires_at").is_null());

    auto too_long = f.post("/api/v1/tokens", admin,
                           json::object{{"name", "lee2"}, {"kind", "personal"}, {"person", "u-2001"},
                                        {"scopes", json::array{"requests"}}, {"expires", "never"}});
    CHECK(too_long.result() == status::bad_request);
    CHECK_THAT(std::string(body_of(too_long).at("error").at("message").as_string()),
               Catch::Contains("`expires`: a personal token cannot live forever"));

    f.clock.advance(std::chrono::days{30} - std::chrono::seconds{1});
    CHECK(f.get("/api/v1/me", ci_secret).result() == status::ok);
    f.clock.advance(std::chrono::seconds{1});
    auto expired = f.get("/api/v1/me", ci_secret);
    CHECK(expired.result() == status::unauthorized);
    CHECK_THAT(std::string(body_of(expired).at("error").at("message").as_string()), Catch::Contains("expired at"));
    CHECK(f.get("/api/v1/me", lee_secret).result() == status::ok);
    f.clock.advance(std::chrono::days{60});
    CHECK(f.get("/api/v1/me", lee_secret).result() == status::unauthorized);
}

TEST_CASE("api: a personal token for someone else is told in the security channel and audited with them as subject",
          "[api][tokens]")
{
    test::api_fixture f;
    const auto admin = f.made({"admin"}, "u-2003", "jordan-laptop");
    auto made = f.post("/api/v1/tokens", admin.secret,
                       json::object{{"name", "lee-cli"}, {"kind", "personal"}, {"person", "u-2001"},
                                    {"scopes", json::array{"requests", "review"}}});
    REQUIRE(made.result() == status::created);
    const auto id = body_of(made).at("id").as_int64();
    auto job = f.jobs.find("token/" + std::to_string(id) + "/notice").value();
    REQUIRE(job);
    CHECK(app::token_notice_of(*job)->channel == f.manifests.settings.security_channel);

    auto about_lee = f.get("/api/v1/audit?subject=u-2001", f.token({"audit:read"}));
    REQUIRE(about_lee.result() == status::ok);
    const auto items = body_of(about_lee).at("items").as_array();
    REQUIRE(items.size() == 1);
    CHECK(items.at(0).at("actor") == "u-2003");
    CHECK(items.at(0).at("action") == "token.create");
}

TEST_CASE("api: every change's audit record names its channel and the token it came with", "[api][audit]")
{
    test::api_fixture f;
    const auto lee = f.made({"requests", "review"}, "u-2001", "lee");
    const auto alex = f.made({"requests", "review"}, "u-2002", "alex");
    auto filed = f.post("/api/v1/petitions", lee.secret, request_body("api-production", "7d"));
    REQUIRE(filed.result() == status::created);
    const auto id = id_of(filed);

    // The CLI says who it is in its User-Agent; the record says "cli" then.
    bot::request req{verb::post, "/api/v1/petitions/" + id + "/approve", 11};
    req.set(bot::http::field::authorization, "Bearer " + alex.secret);
    req.set(bot::http::field::user_agent, "checkpoint-cli/0.1");
    req.body() = "{}";
    req.prepare_payload();
    REQUIRE(f.api.handle(req).result() == status::ok);

    auto events = f.audit.for_petition(id).value();
    REQUIRE(events.size() >= 2);
    auto details_of = [&](const std::string& action) {
        for (const auto& r : events)
            if (r.event.action == action)
                return json::parse(r.event.details).as_object();
        FAIL("no " << action << " event");
        return json::object{};
    };
    auto file = details_of("file");
    CHECK(file.at("channel") == "api");
    CHECK(file.at("caller_token") == lee.token.id);
    auto approve = details_of("approve");
    CHECK(approve.at("channel") == "cli");
    CHECK(approve.at("caller_token") == alex.token.id);
}

TEST_CASE("api: the approver grants less than was asked, and the petition says both", "[api][petitions]")
{
    test::api_fixture f;
    const auto kofi = f.token({"requests"}, "u-4001", "kofi");
    const auto alex = f.token({"review"}, "u-2002", "alex");
    auto filed = f.post("/api/v1/petitions", kofi, request_body("api-production", "7d"));
    REQUIRE(filed.result() == status::created);
    const auto id = id_of(filed);
    auto too_long = f.post("/api/v1/petitions/" + id + "/approve", alex, json::object{{"duration", "7d"}});
    CHECK(too_long.result() == status::bad_request);
    CHECK_THAT(too_long.body(), Catch::Contains("Approve for less than the 7 days asked"));
    auto bad = f.post("/api/v1/petitions/" + id + "/approve", alex, json::object{{"duration", "soon"}});
    CHECK(bad.result() == status::bad_request);

    auto approved = f.post("/api/v1/petitions/" + id + "/approve", alex, json::object{{"duration", "2d"}});
    INFO(approved.body());
    REQUIRE(approved.result() == status::ok);
    const auto p = body_of(approved);
    CHECK(p.at("state") == "approved");
    CHECK(p.at("duration") == "2d");
    CHECK(p.at("asked_duration") == "7d");
    CHECK(p.at("decisions").at(0).at("granted_duration") == "2d");
}

TEST_CASE("api: an admin grants access outside the approval flow as an audited exception", "[api][overrides]")
{
    test::api_fixture f;
    const auto admin = f.made({"admin"}, "u-1000", "paula");
    const auto lee = f.token({"requests", "review"}, "u-2001", "lee");
    auto body = [](std::string person, std::string reason) {
        return json::object{{"person", std::move(person)}, {"bundle", "api-production"}, {"duration", "2d"},
                            {"reason", std::move(reason)}, {"ticket", "INC-7"}};
    };
    const std::string why = "customer escalation INC-7; the owners are all at the offsite";

    struct refusal {
        const char* name;
        std::string token;
        json::object body;
        status want;
        std::string code, says;
    };
    const std::vector<refusal> refusals{
        {"without admin", lee, body("u-4001", why), status::forbidden, "forbidden", "`admin` scope"},
        {"with a service token", f.token({"admin"}, "", "robot"), body("u-4001", why), status::forbidden, "forbidden",
         "granted by a person"},
        {"without a justification", admin.secret, json::object{{"person", "u-4001"}, {"bundle", "api-production"}},
         status::bad_request, "invalid_request", "`reason` is required"},
        {"with a token of a justification", admin.secret, body("u-4001", "because"), status::bad_request,
         "invalid_request", "at least 10 characters"},
        {"without a person", admin.secret, json::object{{"bundle", "api-production"}, {"reason", why}},
         status::bad_request, "invalid_request", "`person` is required"},
        {"for the admin themselves", admin.secret, body("u-1000", why), status::unprocessable_entity, "refused",
         "another admin must grant it"},
        {"past the bundle's maximum", admin.secret,
         json::object{{"person", "u-4001"}, {"bundle", "api-production"}, {"duration", "400d"}, {"reason", why}},
         status::unprocessable_entity, "refused", "even by a manual override"},
        {"for someone not in the directory", admin.secret, body("u-9999", why), status::bad_request,
         "invalid_request", "not in the directory"},
    };
    for (const auto& r : refusals) {
        INFO(r.name);
        auto res = f.post("/api/v1/overrides", r.token, r.body);
        INFO(res.body());
        CHECK(res.result() == r.want);
        CHECK(error_code_of(res) == r.code);
        CHECK_THAT(res.body(), Catch::Contains(r.says));
    }
    CHECK(f.get("/api/v1/petitions?person=u-4001", admin.secret).body().find("\"id\":\"p-") == std::string::npos);

    auto granted = f.post("/api/v1/overrides", admin.secret, body("u-4001", why));
    INFO(granted.body());
    REQUIRE(granted.result() == status::created);
    const auto p = body_of(granted);
    const auto id = std::string(p.at("id").as_string());
    CHECK(p.at("state") == "approved");
    CHECK(p.at("requester").at("id") == "u-4001");
    CHECK(p.at("decision").at("outcome") == "override");
    CHECK(p.at("steps").as_array().empty());
    REQUIRE(p.at("decisions").as_array().size() == 1);
    CHECK(p.at("decisions").at(0).at("by").at("id") == "u-1000");
    CHECK(p.at("decisions").at(0).at("step") == "override");
    CHECK(p.at("decisions").at(0).at("reason").as_string() == why);

    // The exception and the filing, with the justification, in the petition's audit trail.
    std::map<std::string, json::object> by_action;
    for (const auto& e : f.audit.for_petition(id).value())
        by_action[e.event.action] = json::parse(e.event.details).as_object();
    REQUIRE(by_action.count("override") == 1);
    CHECK(by_action["override"].at("exception") == true);
    CHECK(by_action["override"].at("person") == "u-4001");
    CHECK(by_action["override"].at("channel") == "api");
    CHECK(by_action["override"].at("caller_token") == admin.token.id);
    REQUIRE(by_action.count("file") == 1);
    CHECK(by_action["file"].at("outcome") == "override");

    // In bypassed-approval, with who granted it; and told to the security channel.
    f.clock.advance(std::chrono::minutes{1});
    auto report = body_of(f.get("/api/v1/reports/bypassed-approval", admin.secret));
    const auto& rows = report.at("rows").as_array();
    REQUIRE(rows.size() == 1);
    CHECK(rows.at(0).at("kind") == "override");
    CHECK(rows.at(0).at("granted_by") == "u-1000");
    CHECK(rows.at(0).at("reviewed") == "n/a");
    CHECK(report.at("summary").at("override") == 1);
    auto told = f.jobs.find(id + "/v1/1").value();
    REQUIRE(told);
    CHECK(told->kind == "notify_channel");
    CHECK_THAT(told->payload, Catch::Contains(f.manifests.settings.security_channel));

    // A second one for what is already held points at it.
    auto again = f.post("/api/v1/overrides", admin.secret, body("u-4001", why));
    CHECK(again.result() == status::conflict);
    CHECK_THAT(again.body(), Catch::Contains(id));
}

TEST_CASE("api: a failed access attempt names the bundles that grant it, suggests one by DM once an hour, and is "
          "counted",
          "[api][access-denied]")
{
    test::api_fixture f;
    const auto shipper = f.token({"denials:write"}, "", "log-shipper");
    const auto attempt = [](std::string person, std::string entitlement) {
        return json::object{{"person", std::move(person)},
                            {"entitlement", std::move(entitlement)},
                            {"system", "aws"},
                            {"detail", "AccessDenied: rds-db:connect on api-prod"}};
    };

    struct refusal {
        const char* name;
        std::string token;
        json::object body;
        status want;
        std::string says;
    };
    const std::vector<refusal> refusals{
        {"without the scope", f.token({"requests"}, "u-2001"), attempt("u-4001", "api-rds-connect"),
         status::forbidden, "`denials:write` scope"},
        {"without an entitlement", shipper, json::object{{"person", "u-4001"}}, status::bad_request,
         "`entitlement` is required"},
        {"for someone not in the directory", shipper, attempt("u-9999", "api-rds-connect"), status::bad_request,
         "not in the directory"},
    };
    for (const auto& r : refusals) {
        INFO(r.name);
        auto res = f.post("/api/v1/access-denied", r.token, r.body);
        INFO(res.body());
        CHECK(res.result() == r.want);
        CHECK_THAT(res.body(), Catch::Contains(r.says));
    }

    // By email: Kofi was denied a policy that api-production grants.
    auto first = f.post("/api/v1/access-denied", shipper, attempt("kofi@example.com", "api-rds-connect"));
    INFO(first.body());
    REQUIRE(first.result() == status::ok);
    auto a = body_of(first);
    CHECK(a.at("person").at("id") == "u-4001");
    REQUIRE(a.at("bundles").as_array().size() == 1);
    CHECK(a.at("bundles").at(0).at("name") == "api-production");
    CHECK(a.at("bundles").at(0).at("matched") == "policies: api-rds-connect");
    CHECK(a.at("bundles").at(0).at("held") == false);
    CHECK(a.at("suggested") == "api-production");
    CHECK(a.at("told") == true);
    const auto hour = std::chrono::duration_cast<std::chrono::hours>(f.clock.now().time_since_epoch()).count();
    auto hint = f.jobs.find("denied/u-4001/api-production/" + std::to_string(hour)).value();
    REQUIRE(hint);
    CHECK(hint->kind == "post_access_hint");

    // Again within the hour: recorded, not told again. Something no bundle grants: recorded, nothing suggested.
    f.clock.advance(std::chrono::minutes{10});
    CHECK(body_of(f.post("/api/v1/access-denied", shipper, attempt("u-4001", "api-rds-connect"))).at("told") == false);
    auto none = body_of(f.post("/api/v1/access-denied", shipper, attempt("u-4002", "s3:DeleteBucket")));
    CHECK(none.at("bundles").as_array().empty());
    CHECK(none.at("suggested").is_null());
    CHECK(none.at("told") == false);

    // The access-denied report counts them per bundle; the audit log has them with the person as subject.
    f.clock.advance(std::chrono::minutes{1});
    auto report = body_of(f.get("/api/v1/reports/access-denied", f.token({"audit:read"}, "", "auditor")));
    INFO(json::serialize(report));
    const auto& rows = report.at("rows").as_array();
    REQUIRE(rows.size() == 2);
    CHECK(rows.at(0).at("bundle") == "api-production");
    CHECK(rows.at(0).at("attempts") == 2);
    CHECK(rows.at(0).at("people") == 1);
    CHECK(rows.at(1).at("bundle") == "(none)");
    CHECK(report.at("summary").at("attempts") == 3);
    CHECK(report.at("summary").at("unmatched") == 1);
    auto about_kofi = body_of(f.get("/api/v1/audit?subject=u-4001", f.token({"audit:read"}, "", "auditor2")));
    CHECK(about_kofi.at("items").as_array().size() == 2);
}

TEST_CASE("api: body limits are 8 MiB for PUT /resources and 64 KiB elsewhere", "[api][limits]")
{
    CHECK(bot::api::api_router::body_limit(verb::put, "/api/v1/resources") == bot::max_upload_bytes);
    CHECK(bot::api::api_router::body_limit(verb::put, "/api/v1/resources?x=1") == bot::max_upload_bytes);
    CHECK(bot::api::api_router::body_limit(verb::post, "/api/v1/resources") == bot::max_body_bytes);
    CHECK(bot::api::api_router::body_limit(verb::post, "/api/v1/petitions") == bot::max_body_bytes);
    CHECK(bot::api::api_router::body_limit(verb::post, "/slack/events") == bot::max_body_bytes);
}

TEST_CASE("api: a resource must exist to be requested, from the API and from Slack alike", "[api][resources]")
{
    test::api_fixture f;
    workflow::intent::request r{"customer:777", std::nullopt, "BUG-482", "", false};
    auto refused = f.access.submit("u-6001", r);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == "unknown_resource");
    CHECK_THAT(refused.error().message, Catch::Contains("customer"));
    REQUIRE(f.resources.upsert({"customer", "777", "Initech", "", f.clock.now()}).has_value());
    CHECK(f.access.submit("u-6001", r).has_value());
}

TEST_CASE("api: POST /resources/sync queues a pull/update only for kinds a webhook can list", "[api][resources]")
{
    test::api_fixture f;
    const auto writer = f.token({"resources:write"}, "", "crm-sync");
    const auto sam = f.token({"requests"}, "u-6001", "sam");

    SECTION("it needs resources:write")
    {
        CHECK(f.call(verb::post, "/api/v1/resources/sync?kind=customer", sam).result() == status::forbidden);
    }
    SECTION("an unknown kind is a bad request that names it")
    {
        auto r = f.call(verb::post, "/api/v1/resources/sync?kind=planet", writer);
        CHECK(r.result() == status::bad_request);
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()), Catch::Contains("planet"));
    }
    SECTION("the example customers come from a log integration, which cannot list them: refused, nothing queued")
    {
        auto r = f.call(verb::post, "/api/v1/resources/sync?kind=customer", writer);
        CHECK(r.result() == status::unprocessable_entity);
        CHECK(body_of(r).at("error").at("code") == "refused");
        CHECK_THAT(std::string(body_of(r).at("error").at("message").as_string()), Catch::Contains("upload"));
    }
    SECTION("without a kind, every listable kind is queued: none in the examples")
    {
        auto r = f.call(verb::post, "/api/v1/resources/sync", writer);
        CHECK(r.result() == status::accepted);
        CHECK(body_of(r).at("jobs") == 0);
        CHECK(body_of(r).at("queued") == false);
    }
    SECTION("GET is not allowed")
    {
        CHECK(f.call(verb::get, "/api/v1/resources/sync", writer).result() == status::method_not_allowed);
    }
}
