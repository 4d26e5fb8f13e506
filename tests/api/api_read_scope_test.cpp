// Read scope (issue 16): anyone with a token reads the public request log; a request's reason, ticket and
// decisions' reasons only whom it concerns, audit:read, and the service token that filed it.
#include "tests/api/api_fixture.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using test::body_of;
namespace json = boost::json;
using status = bot::http::status;

namespace {

// The item for `id` in GET /petitions as `token` sees it.
json::object listed(test::api_fixture& f, const std::string& token, const std::string& id)
{
    auto r = f.get("/api/v1/petitions?limit=100", token);
    REQUIRE(r.result() == status::ok);
    const auto page = body_of(r);
    for (const auto& item : page.at("items").as_array())
        if (item.at("id").as_string() == id)
            return item.as_object();
    FAIL("request " << id << " is not in the log");
    return {};
}

} // namespace

TEST_CASE("api: the request log shows a request's private words only to those it concerns", "[api][read-scope]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001", "lee");
    const auto sam = f.token({"requests"}, "u-6001", "sam");
    const auto auditor = f.token({"audit:read"}, "", "auditor");
    const auto portal = f.token({"requests"}, "", "admin-portal");
    const auto other_service = f.token({"requests"}, "", "other-service");

    auto mine = f.post("/api/v1/petitions", lee,
                       json::object{{"bundle", "api-production"}, {"duration", "7d"}, {"reason", "latency incident"},
                                    {"ticket", "INC-42"}});
    REQUIRE(mine.result() == status::created);
    const auto id = std::string(body_of(mine).at("id").as_string());
    auto for_kofi = f.post("/api/v1/petitions", portal,
                           json::object{{"bundle", "data-warehouse"}, {"duration", "1d"}, {"reason", "quarterly export"},
                                        {"requester", "u-4001"}});
    REQUIRE(for_kofi.result() == status::created);
    const auto kofi_id = std::string(body_of(for_kofi).at("id").as_string());

    // The requester and an auditor read everything.
    for (const auto* token : {&lee, &auditor}) {
        auto item = listed(f, *token, id);
        CHECK(item.at("reason") == "latency incident");
        CHECK(item.at("ticket") == "INC-42");
        CHECK_FALSE(item.contains("withheld"));
    }
    // Someone it does not concern reads who, what, when and the state.
    auto seen = listed(f, sam, id);
    CHECK(seen.at("state") == "pending");
    CHECK(seen.at("requester").at("id") == "u-2001");
    CHECK(seen.at("target").at("name") == "api-production");
    CHECK(seen.at("reason").is_null());
    CHECK(seen.at("ticket").is_null());
    CHECK(seen.at("withheld").as_array().size() == 4);
    CHECK(f.get("/api/v1/petitions/" + id, sam).result() == status::not_found);

    // A service token reads what it filed, and only that.
    CHECK(listed(f, portal, kofi_id).at("reason") == "quarterly export");
    CHECK(f.get("/api/v1/petitions/" + kofi_id, portal).result() == status::ok);
    CHECK(listed(f, portal, id).at("reason").is_null());
    CHECK(f.get("/api/v1/petitions/" + id, portal).result() == status::not_found);
    CHECK(listed(f, other_service, kofi_id).at("reason").is_null());
    CHECK(f.get("/api/v1/petitions/" + kofi_id, other_service).result() == status::not_found);

    // A denial's reason is private too.
    const auto alex = f.token({"review"}, "u-2002", "alex");
    REQUIRE(f.post("/api/v1/petitions/" + id + "/deny", alex, json::object{{"reason", "use staging first"}}).result() ==
            status::ok);
    CHECK(listed(f, lee, id).at("decisions").at(0).at("reason") == "use staging first");
    CHECK(listed(f, sam, id).at("decisions").at(0).at("reason").is_null());
    CHECK(f.get("/api/v1/petitions?limit=100", sam).body().find("use staging first") == std::string::npos);
}
