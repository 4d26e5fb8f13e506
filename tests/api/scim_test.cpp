// The SCIM 2.0 service provider as Okta and Microsoft Entra ID call it (the request shapes their provisioning
// sends), and what a change does: people laid over the manifests' directory at once, a manager move re-routing
// the approval waiting on the old manager, a deactivation ending the person's access, requests and tokens.
#include "api_fixture.hpp"

#include "bot/api/scim.hpp"
#include "workflow/intent.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
namespace json = boost::json;
using test::body_of;

namespace {



// A user as Okta's provisioning POSTs it.
json::object okta_user(const std::string& email, const std::string& given, const std::string& family,
                       const std::string& department = {})
{
    json::object u{{"schemas", json::array{bot::api::scim::user_schema, bot::api::scim::enterprise_schema}},
                   {"userName", email},
                   {"name", json::object{{"givenName", given}, {"familyName", family}}},
                   {"emails", json::array{json::object{{"primary", true}, {"value", email}, {"type", "work"}}}},
                   {"displayName", given + " " + family},
                   {"locale", "en-US"},
                   {"externalId", "00u-okta-" + given},
                   {"groups", json::array{}},
                   {"password", "not-stored"},
                   {"active", true}};
    if (!department.empty())
        u[bot::api::scim::enterprise_schema] = json::object{{"department", department}};
    return u;
}

std::string scim_error(const bot::response& r)
{
    auto b = body_of(r).as_object();
    CHECK(b.at("schemas").as_array().at(0).as_string() == bot::api::scim::error_schema);
    CHECK(b.at("status").as_string() == std::to_string(r.result_int()));
    CHECK(r[bot::http::field::content_type] == "application/scim+json");
    return b.contains("scimType") ? std::string(b.at("scimType").as_string()) : std::string();
}

long long count(test::api_fixture& f, const std::string& sql)
{
    return f.db->read([&](storage::connection& c) -> workflow::result<long long> {
                   auto q = c.use(sql);
                   q->executeStep();
                   return q->getColumn(0).getInt64();
               })
        .value();
}

} // namespace

TEST_CASE("Okta provisions a user: checks by filter, creates, reads, replaces, and deactivation ends the access", "[scim]")
{
    test::api_fixture f;
    const auto okta = f.token({"scim"}, {}, "okta");
    const auto kofi_token = f.token({"requests"}, "u-4001", "kofi-laptop");

    // Kofi holds api-staging (granted at once) and waits on api-production-admin (his manager first).
    auto held = f.access.submit("u-4001", test::request_for("api-staging", "1d")).value();
    REQUIRE(held.state == workflow::petition_state::approved);
    REQUIRE(f.access.act(held.id, workflow::provisioning_started(f.clock.now())).has_value());
    REQUIRE(f.access.act(held.id, workflow::provisioned_at(f.clock.now())).has_value());
    auto waiting = f.access.submit("u-4001", test::request_for("api-production-admin", "4h")).value();
    REQUIRE(waiting.state == workflow::petition_state::pending);
    // Eve's request waits on her manager, Nina.
    auto eves = f.access.submit("u-4002", test::request_for("api-production-admin", "4h")).value();
    REQUIRE(test::waiting_ids(eves) == std::vector<std::string>{"u-4000"});

    // Okta's connection test and its check before creating: nobody yet.
    auto probe = f.get("/scim/v2/Users?startIndex=1&count=2", okta);
    REQUIRE(probe.result_int() == 200);
    CHECK(probe[bot::http::field::content_type] == "application/scim+json");
    auto list = body_of(probe).as_object();
    CHECK(list.at("schemas").as_array().at(0).as_string() == bot::api::scim::list_schema);
    CHECK(list.at("totalResults").as_int64() == 0);
    auto none = f.get("/scim/v2/Users?filter=userName%20eq%20%22kofi%40example.com%22&startIndex=1&count=100", okta);
    REQUIRE(none.result_int() == 200);
    CHECK(body_of(none).at("totalResults").as_int64() == 0);

    // Create: Kofi, matched to the manifests' u-4001 by email; a new hire no one lists yet joins.
    auto created = f.post("/scim/v2/Users", okta, okta_user("kofi@example.com", "Kofi", "Mensah-Boateng", "Analytics Eng"));
    REQUIRE(created.result_int() == 201);
    auto kofi = body_of(created).as_object();
    const std::string kofi_id(kofi.at("id").as_string());
    CHECK(kofi.at("userName").as_string() == "kofi@example.com");
    CHECK(kofi.at("active").as_bool());
    CHECK(kofi.at("meta").at("resourceType").as_string() == "User");
    CHECK(kofi.at("meta").at("location").as_string() == "/scim/v2/Users/" + kofi_id);
    // What Okta sent is kept and answered back, but never a password.
    CHECK(kofi.at("locale").as_string() == "en-US");
    CHECK_FALSE(kofi.contains("password"));
    auto hire = f.post("/scim/v2/Users", okta, okta_user("zoe@example.com", "Zoe", "Quinn", "Data Platform"));
    REQUIRE(hire.result_int() == 201);
    {
        const auto policy = f.live.now();
        const auto& dir = policy->directory;
        auto k = dir.find("u-4001");
        REQUIRE(k != workflow::no_person);
        CHECK(dir.at(k).name == "Kofi Mensah-Boateng");
        CHECK(dir.at(k).team == "analytics-eng");
        auto z = dir.find("zoe@example.com");
        REQUIRE(z != workflow::no_person);
        CHECK(dir.at(z).id == "zoe@example.com");
        CHECK(dir.at(z).team == "data-platform");
    }

    // Get by filter (userName is matched without case), and by id.
    auto found = f.get("/scim/v2/Users?filter=userName%20eq%20%22KOFI%40example.com%22", okta);
    REQUIRE(found.result_int() == 200);
    REQUIRE(body_of(found).at("totalResults").as_int64() == 1);
    CHECK(body_of(found).at("Resources").as_array().at(0).at("id").as_string() == kofi_id);
    CHECK(f.get("/scim/v2/Users/" + kofi_id, okta).result_int() == 200);
    auto paged = body_of(f.get("/scim/v2/Users?startIndex=2&count=1", okta)).as_object();
    CHECK(paged.at("totalResults").as_int64() == 2);
    CHECK(paged.at("itemsPerPage").as_int64() == 1);
    CHECK(paged.at("startIndex").as_int64() == 2);

    // Create again: 409 uniqueness, in SCIM's error shape.
    auto twice = f.post("/scim/v2/Users", okta, okta_user("kofi@example.com", "Kofi", "Again"));
    REQUIRE(twice.result_int() == 409);
    CHECK(scim_error(twice) == "uniqueness");

    // Replace (PUT): Kofi's name as HR now spells it.
    auto replaced_body = okta_user("kofi@example.com", "Kofi", "Mensah", "Analytics Eng");
    auto replaced = f.put("/scim/v2/Users/" + kofi_id, okta, replaced_body);
    REQUIRE(replaced.result_int() == 200);
    CHECK(f.live.now()->directory.at(f.live.now()->directory.find("u-4001")).name == "Kofi Mensah");

    // Deactivate, as Okta does: PATCH with no path.
    auto off = f.patch("/scim/v2/Users/" + kofi_id, okta,
                       json::object{{"schemas", json::array{bot::api::scim::patch_schema}},
                                    {"Operations", json::array{json::object{{"op", "replace"},
                                                                            {"value", json::object{{"active", false}}}}}}});
    REQUIRE(off.result_int() == 200);
    CHECK_FALSE(body_of(off).at("active").as_bool());
    CHECK(f.live.now()->directory.find("u-4001") == workflow::no_person);
    // The grant revoked by checkpoint, the waiting request withdrawn, the token stopped; all audited.
    auto ended = f.access.get(held.id).value();
    CHECK(ended.state == workflow::petition_state::revoked);
    CHECK(ended.closed_by == "checkpoint");
    CHECK(ended.close_reason == "u-4001 is no longer in the directory");
    CHECK(f.access.get(waiting.id).value().state == workflow::petition_state::cancelled);
    auto refused = f.get("/api/v1/me", kofi_token);
    CHECK(refused.result_int() == 401);
    CHECK(count(f, "SELECT count(*) FROM audit_log WHERE action = 'directory.scim' AND actor = 'token:okta' AND "
                   "details LIKE '%\"people_removed\":[\"u-4001\"]%' AND details LIKE '%\"channel\":\"scim\"%'") == 1);
    CHECK(count(f, "SELECT count(*) FROM audit_log WHERE action = 'revoke' AND petition_id = '" + held.id + "'") == 1);
    CHECK(count(f, "SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND reason LIKE 'u-4001 %'") == 1);
    CHECK(count(f, "SELECT count(*) FROM jobs WHERE kind = 'revoke' AND payload LIKE '%" + held.id + "%'") == 1);
    // Eve's request, which waits on Nina, is not touched.
    CHECK(test::waiting_ids(f.access.get(eves.id).value()) == std::vector<std::string>{"u-4000"});

    // The records outlive a restart: a new service over the same database lays them over again.
    app::live_manifests fresh_live{workflow::manifests(*f.initial)};
    app::directory_sync again{fresh_live, f.directory_records, f.access, f.petitions, f.tokens, f.audit, f.clock};
    REQUIRE(again.load().has_value());
    CHECK(fresh_live.now()->directory.find("u-4001") == workflow::no_person);
    CHECK(fresh_live.now()->directory.find("zoe@example.com") != workflow::no_person);

    // Delete: gone from SCIM (404), and the person stays out of the directory.
    CHECK(f.call(bot::http::verb::delete_, "/scim/v2/Users/" + kofi_id, okta).result_int() == 204);
    auto gone = f.get("/scim/v2/Users/" + kofi_id, okta);
    CHECK(gone.result_int() == 404);
    scim_error(gone);
    CHECK(f.live.now()->directory.find("u-4001") == workflow::no_person);
    // Okta may create them again later: the user name is free.
    CHECK(f.post("/scim/v2/Users", okta, okta_user("kofi@example.com", "Kofi", "Mensah")).result_int() == 201);
    CHECK(f.live.now()->directory.find("u-4001") != workflow::no_person);
}

TEST_CASE("Entra ID moves a manager with a PATCH and the approval waiting on the old one follows", "[scim]")
{
    test::api_fixture f;
    const auto entra = f.token({"scim"}, {}, "entra");
    // Eve's request waits on her manager, Nina.
    auto eves = f.access.submit("u-4002", test::request_for("api-production-admin", "4h")).value();
    REQUIRE(test::waiting_ids(eves) == std::vector<std::string>{"u-4000"});

    const auto create = [&](const std::string& email, const std::string& name) {
        auto r = f.post("/scim/v2/Users", entra,
                        json::object{{"schemas", json::array{bot::api::scim::user_schema, bot::api::scim::enterprise_schema}},
                                     {"externalId", name},
                                     {"userName", email},
                                     {"active", true},
                                     {"displayName", name},
                                     {"emails", json::array{json::object{{"primary", true}, {"type", "work"}, {"value", email}}}},
                                     {"name", json::object{{"formatted", name}}}});
        REQUIRE(r.result_int() == 201);
        return std::string(body_of(r).at("id").as_string());
    };
    const auto eve = create("eve@example.com", "Eve Moreau");
    const auto hank = create("hank@example.com", "Hank Ito");

    // Entra sets the manager by path, the value a bare id.
    const auto ops = [](json::array o) {
        return json::object{{"schemas", json::array{bot::api::scim::patch_schema}}, {"Operations", std::move(o)}};
    };
    auto moved = f.patch("/scim/v2/Users/" + eve, entra,
                         ops({json::object{{"op", "Add"},
                                           {"path", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
                                           {"value", hank}}}));
    REQUIRE(moved.result_int() == 200);
    CHECK(body_of(moved).at(bot::api::scim::enterprise_schema).at("manager").as_string() == hank);
    {
        const auto policy = f.live.now();
        const auto& dir = policy->directory;
        CHECK(dir.at(dir.manager_of(dir.find("u-4002"))).id == "u-5000");
    }
    auto now = f.access.get(eves.id).value();
    CHECK(test::waiting_ids(now) == std::vector<std::string>{"u-5000"});
    CHECK(count(f, "SELECT count(*) FROM audit_log WHERE action = 'reroute' AND petition_id = '" + eves.id + "'") == 1);
    // Hank gets the card; Nina and Eve are told.
    CHECK(count(f, "SELECT count(*) FROM jobs WHERE kind = 'post_card' AND payload LIKE '%" + eves.id +
                   "%' AND payload LIKE '%u-5000%'") == 1);
    CHECK(count(f, "SELECT count(*) FROM jobs WHERE kind = 'notify_person' AND payload LIKE '%" + eves.id +
                   "%' AND payload LIKE '%u-4000%' AND payload LIKE '%rerouted%'") == 1);

    // Entra's name change and a work email by filtered path, with capitalised ops.
    auto renamed = f.patch("/scim/v2/Users/" + eve, entra,
                           ops({json::object{{"op", "Replace"}, {"path", "displayName"}, {"value", "Eve Moreau-Ito"}},
                                json::object{{"op", "Replace"},
                                             {"path", "emails[type eq \"work\"].value"},
                                             {"value", "eve.moreau@example.com"}}}));
    REQUIRE(renamed.result_int() == 200);
    {
        const auto policy = f.live.now();
        const auto& p = policy->directory.at(policy->directory.find("u-4002"));
        CHECK(p.name == "Eve Moreau-Ito");
        CHECK(p.email == "eve.moreau@example.com");
    }

    // Entra deactivates with a string boolean: Eve's waiting request is withdrawn.
    auto off = f.patch("/scim/v2/Users/" + eve, entra,
                       ops({json::object{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}}));
    REQUIRE(off.result_int() == 200);
    CHECK_FALSE(body_of(off).at("active").as_bool());
    CHECK(f.access.get(eves.id).value().state == workflow::petition_state::cancelled);
}

TEST_CASE("SCIM groups set a group's members, and PATCH adds and removes them", "[scim]")
{
    test::api_fixture f;
    const auto okta = f.token({"scim"}, {}, "okta");
    auto user = [&](const std::string& email) {
        auto r = f.post("/scim/v2/Users", okta, json::object{{"userName", email}, {"displayName", email}});
        REQUIRE(r.result_int() == 201);
        return std::string(body_of(r).at("id").as_string());
    };
    const auto ivy = user("ivy@example.com");
    const auto ben = user("ben@example.com");
    const auto members = [&] {
        std::vector<std::string> out;
        const auto policy = f.live.now();
        for (auto i : policy->directory.group_members("sre"))
            out.push_back(policy->directory.at(i).id);
        return out;
    };
    REQUIRE(members() == std::vector<std::string>{"u-5000", "u-5001", "u-1001"});

    // Okta pushes the group: its members replace the manifests' sre.
    auto g = f.post("/scim/v2/Groups", okta,
                    json::object{{"schemas", json::array{bot::api::scim::group_schema}},
                                 {"displayName", "sre"},
                                 {"members", json::array{json::object{{"value", ivy}, {"display", "ivy@example.com"}}}}});
    REQUIRE(g.result_int() == 201);
    const std::string gid(body_of(g).at("id").as_string());
    CHECK(members() == std::vector<std::string>{"u-5001"});
    auto byname = body_of(f.get("/scim/v2/Groups?filter=displayName%20eq%20%22sre%22", okta));
    CHECK(byname.at("totalResults").as_int64() == 1);

    const auto ops = [](json::array o) {
        return json::object{{"schemas", json::array{bot::api::scim::patch_schema}}, {"Operations", std::move(o)}};
    };
    REQUIRE(f.patch("/scim/v2/Groups/" + gid, okta,
                    ops({json::object{{"op", "add"}, {"path", "members"}, {"value", json::array{json::object{{"value", ben}}}}}}))
                .result_int() == 200);
    CHECK(members() == std::vector<std::string>{"u-5001", "u-5002"});
    REQUIRE(f.patch("/scim/v2/Groups/" + gid, okta,
                    ops({json::object{{"op", "remove"}, {"path", "members[value eq \"" + ivy + "\"]"}}}))
                .result_int() == 200);
    CHECK(members() == std::vector<std::string>{"u-5002"});
    // Entra's removal: the members to remove as the value.
    REQUIRE(f.patch("/scim/v2/Groups/" + gid, okta,
                    ops({json::object{{"op", "Remove"}, {"path", "members"}, {"value", json::array{json::object{{"value", ben}}}}}}))
                .result_int() == 200);
    CHECK(members().empty());
    // A member who is not a user here is refused, and nothing changes.
    auto stranger = f.patch("/scim/v2/Groups/" + gid, okta,
                            ops({json::object{{"op", "add"}, {"path", "members"}, {"value", json::array{json::object{{"value", "nope"}}}}}}));
    REQUIRE(stranger.result_int() == 400);
    CHECK(scim_error(stranger) == "invalidValue");
    // Deleted: the manifests' members are back.
    CHECK(f.call(bot::http::verb::delete_, "/scim/v2/Groups/" + gid, okta).result_int() == 204);
    CHECK(members() == std::vector<std::string>{"u-5000", "u-5001", "u-1001"});
}

TEST_CASE("SCIM refusals come in RFC 7644's error shape and change nothing", "[scim]")
{
    test::api_fixture f;
    const auto okta = f.token({"scim"}, {}, "okta");
    struct row {
        std::string what;
        bot::http::verb method;
        std::string target;
        std::string token;
        std::string body;
        unsigned status;
        std::string scim_type;
    };
    const auto requests = f.token({"requests"}, "u-4001");
    const std::vector<row> rows{
        {"no token", bot::http::verb::get, "/scim/v2/Users", "", "", 401, ""},
        {"a token without the scim scope", bot::http::verb::get, "/scim/v2/Users", requests, "", 403, ""},
        {"an unsupported filter", bot::http::verb::get, "/scim/v2/Users?filter=name.familyName%20co%20%22x%22", okta, "", 400,
         "invalidFilter"},
        {"a filter on an unknown attribute", bot::http::verb::get, "/scim/v2/Users?filter=title%20eq%20%22x%22", okta, "",
         400, "invalidFilter"},
        {"an unknown user", bot::http::verb::get, "/scim/v2/Users/0000", okta, "", 404, ""},
        {"an unknown resource type", bot::http::verb::get, "/scim/v2/Devices", okta, "", 404, ""},
        {"a body that is not JSON", bot::http::verb::post, "/scim/v2/Users", okta, "{", 400, "invalidSyntax"},
        {"a user without userName", bot::http::verb::post, "/scim/v2/Users", okta, R"({"displayName":"x"})", 400,
         "invalidValue"},
        {"the reserved userName", bot::http::verb::post, "/scim/v2/Users", okta, R"({"userName":"Checkpoint"})", 400,
         "invalidValue"},
        {"active that is not a boolean", bot::http::verb::post, "/scim/v2/Users", okta,
         R"({"userName":"a@example.com","active":"maybe"})", 400, "invalidValue"},
        {"an email that is not one", bot::http::verb::post, "/scim/v2/Users", okta,
         R"({"userName":"abc","emails":[{"value":"not-an-email"}]})", 400, "invalidValue"},
        {"a group without displayName", bot::http::verb::post, "/scim/v2/Groups", okta, R"({"members":[]})", 400,
         "invalidValue"},
        {"a method the path does not take", bot::http::verb::delete_, "/scim/v2/Users", okta, "", 405, ""},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto res = f.call(r.method, r.target, r.token, r.body);
        CHECK(res.result_int() == r.status);
        CHECK(scim_error(res) == r.scim_type);
    }
    CHECK(f.directory.records().empty());
    CHECK(f.get("/scim/v2/ServiceProviderConfig", okta).result_int() == 200);

    // A PATCH with an unknown op is refused whole: the user is as it was.
    auto made = f.post("/scim/v2/Users", okta, json::object{{"userName", "ann@example.com"}});
    REQUIRE(made.result_int() == 201);
    const std::string id(body_of(made).at("id").as_string());
    auto bad = f.patch("/scim/v2/Users/" + id, okta,
                       json::object{{"Operations", json::array{json::object{{"op", "replace"}, {"path", "displayName"}, {"value", "Ann"}},
                                                               json::object{{"op", "move"}, {"path", "active"}}}}});
    REQUIRE(bad.result_int() == 400);
    CHECK(scim_error(bad) == "invalidSyntax");
    CHECK(f.directory.records().people.at(0).name.empty());
}

TEST_CASE("a SCIM user stays bound to the person it was first matched to, and cannot take another's identity", "[scim]")
{
    test::api_fixture f;
    const auto okta = f.token({"scim"}, {}, "okta");
    auto made = f.post("/scim/v2/Users", okta, okta_user("lee@example.com", "Lee", "Lin"));
    REQUIRE(made.result_int() == 201);
    const std::string lee(body_of(made).at("id").as_string());
    // Renamed at the IdP (user name and email): still u-2001, not a new person and a leaver.
    auto renamed = f.put("/scim/v2/Users/" + lee, okta, okta_user("lee.lin@corp.example", "Lee", "Lin"));
    REQUIRE(renamed.result_int() == 200);
    {
        const auto policy = f.live.now();
        auto i = policy->directory.find("u-2001");
        REQUIRE(i != workflow::no_person);
        CHECK(policy->directory.at(i).email == "lee.lin@corp.example");
        CHECK(policy->directory.find("lee.lin@corp.example") == i);
        CHECK(policy->directory.size() == f.initial->directory.size());
    }
    CHECK(count(f, "SELECT count(*) FROM audit_log WHERE action = 'directory.scim' AND "
                   "details LIKE '%u-2001 email%lee@example.com%lee.lin@corp.example%'") == 1);
    // Taking Paula's (an admin's) email, or an id in another case: refused, nothing changes.
    auto takeover = f.put("/scim/v2/Users/" + lee, okta, okta_user("paula@example.com", "Lee", "Lin"));
    REQUIRE(takeover.result_int() == 409);
    CHECK(scim_error(takeover) == "uniqueness");
    CHECK(f.live.now()->directory.at(f.live.now()->directory.find("u-1000")).email == "paula@example.com");
    auto upper = f.post("/scim/v2/Users", okta, json::object{{"userName", "U-1001"}, {"displayName", "Omar H."}});
    REQUIRE(upper.result_int() == 201);
    CHECK(f.live.now()->directory.size() == f.initial->directory.size());
    CHECK(f.live.now()->directory.at(f.live.now()->directory.find("u-1001")).name == "Omar H.");
}

TEST_CASE("a deactivation by one source is not undone by another, and remove active changes nothing", "[scim]")
{
    test::api_fixture f;
    const auto okta = f.token({"scim"}, {}, "okta");
    const auto admin = f.token({"admin"}, {}, "hr");
    auto made = f.post("/scim/v2/Users", okta, json::object{{"userName", "mia@example.com"}});
    REQUIRE(made.result_int() == 201);
    const std::string mia(body_of(made).at("id").as_string());
    // HR still lists Mia as active, after Okta created her.
    REQUIRE(f.post("/api/v1/directory/import", admin,
                   json::object{{"people", json::array{json::object{{"id", "u-3001"}, {"active", true}}}}})
                .result_int() == 200);
    const auto ops = [](json::array o) { return json::object{{"Operations", std::move(o)}}; };
    // `remove active` is not a deactivation.
    REQUIRE(f.patch("/scim/v2/Users/" + mia, okta, ops({json::object{{"op", "remove"}, {"path", "active"}}})).result_int() ==
            200);
    CHECK(f.live.now()->directory.find("u-3001") != workflow::no_person);
    // Okta deactivates her: gone, though the import says active.
    REQUIRE(f.patch("/scim/v2/Users/" + mia, okta, ops({json::object{{"op", "replace"}, {"path", "active"}, {"value", false}}}))
                .result_int() == 200);
    CHECK(f.live.now()->directory.find("u-3001") == workflow::no_person);
    // A filter that is two comparisons is refused, not read as one odd value.
    auto two = f.get("/scim/v2/Users?filter=userName%20eq%20%22a%22%20or%20userName%20eq%20%22b%22", okta);
    CHECK(two.result_int() == 400);
    CHECK(scim_error(two) == "invalidFilter");
}

TEST_CASE("a directory change cut short by a stop is followed at the next start", "[scim]")
{
    test::api_fixture f;
    // Eve's request waits on Nina; then a change moving Eve to Hank is stored, and the process dies before
    // following it (the store's apply, as directory_sync makes it, without what comes after).
    auto eves = f.access.submit("u-4002", test::request_for("api-production-admin", "4h")).value();
    REQUIRE(test::waiting_ids(eves) == std::vector<std::string>{"u-4000"});
    workflow::directory_record eve;
    eve.source = "import";
    eve.key = "u-4002";
    eve.user_name = "u-4002";
    eve.person = "u-4002";
    eve.manager = "u-5000";
    workflow::directory_change c;
    c.source = "import";
    c.put_people = {eve};
    workflow::directory_change undo;
    undo.source = "import";
    undo.remove_people = {"u-4002"};
    REQUIRE(f.directory_records.apply(c, undo, {"hr", "directory.imported", f.clock.now(), "", "", "", "", {}}).has_value());
    CHECK(test::waiting_ids(f.access.get(eves.id).value()) == std::vector<std::string>{"u-4000"});

    // The next start: the records laid over, the change followed, and marked done.
    app::live_manifests fresh{workflow::manifests(*f.initial)};
    app::directory_sync again{fresh, f.directory_records, f.access, f.petitions, f.tokens, f.audit, f.clock};
    auto loaded = again.load();
    REQUIRE(loaded.has_value());
    CHECK(loaded->rerouted.size() == 1);
    CHECK(f.directory_records.unfollowed().value().empty());
    CHECK(test::waiting_ids(f.access.get(eves.id).value()) == std::vector<std::string>{"u-5000"});
    // Once only: another start finds nothing to do.
    app::directory_sync third{fresh, f.directory_records, f.access, f.petitions, f.tokens, f.audit, f.clock};
    CHECK(third.load().value().rerouted.empty());
}

TEST_CASE("a reload that took someone out of the directory and was cut short ends their access at the next start",
          "[scim][reload]")
{
    test::api_fixture f;
    auto held = f.access.submit("u-4001", test::request_for("api-staging", "1d")).value();
    REQUIRE(f.access.act(held.id, workflow::provisioning_started(f.clock.now())).has_value());
    REQUIRE(f.access.act(held.id, workflow::provisioned_at(f.clock.now())).has_value());
    auto waiting = f.access.submit("u-4001", test::request_for("api-production-admin", "4h")).value();
    // The new manifests no longer list Kofi; the reload noted him, and the process died before ending his access.
    auto without = *f.initial;
    std::vector<workflow::person> people;
    for (const auto& p : without.directory.people())
        if (p.id != "u-4001")
            people.push_back(p);
    without.directory = workflow::directory(
        std::move(people), std::vector<workflow::group>(without.directory.groups().begin(), without.directory.groups().end()),
        std::vector<workflow::oncall_rotation>(without.directory.oncall().begin(), without.directory.oncall().end()));
    REQUIRE(f.directory_records.note_departures({"u-4001"}, f.clock.now()).has_value());

    app::live_manifests restarted{std::move(without)};
    app::directory_sync sync{restarted, f.directory_records, f.access, f.petitions, f.tokens, f.audit, f.clock};
    auto loaded = sync.load();
    REQUIRE(loaded.has_value());
    CHECK(loaded->ended.size() == 1);
    CHECK(f.access.get(held.id).value().state == workflow::petition_state::revoked);
    CHECK(f.access.get(waiting.id).value().state == workflow::petition_state::cancelled);
    CHECK(f.directory_records.unfollowed().value().empty());
}
