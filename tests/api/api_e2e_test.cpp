#include "tests/e2e/server_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <regex>

using namespace checkpoint::test;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// `checkpointd --create-token`: writes the token to the database and prints it once.
std::string mint(const std::map<std::string, std::string>& env, const std::string& name, const std::string& scopes,
                 const std::string& person = {})
{
    return mint_token(env, name, scopes, person);
}

std::map<std::string, std::string> bearer(const std::string& token)
{
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

response api(unsigned short port, http::verb method, const std::string& target, const std::string& token,
             const json::value& body = nullptr)
{
    return http_request(port, method, target, body.is_null() ? std::string() : json::serialize(body), bearer(token));
}

json::value json_of(const response& r) { return json::parse(r.body()); }
std::string code_of(const response& r) { return std::string(json_of(r).at("error").at("code").as_string()); }

// The number of requests the server is answering now, from its metrics.
int in_flight(unsigned short port)
{
    auto m = http_request(port, http::verb::get, "/metrics").body();
    std::smatch match;
    if (!std::regex_search(m, match, std::regex(R"(checkpoint_http_in_flight_requests (\d+))")))
        return -1;
    return std::stoi(match[1]);
}

// POST /petitions: 7 days of api-production (manager, then owner approval); the new request's id.
std::string file_api_production(unsigned short port, const std::string& token)
{
    auto filed = api(port, http::verb::post, "/api/v1/petitions", token,
                     json::object{{"bundle", "api-production"}, {"duration", "7d"}, {"reason", "latency incident"}});
    REQUIRE(filed.result() == http::status::created);
    return std::string(json_of(filed).at("id").as_string());
}

// GET /petitions/{id}/wait on a thread of its own, returned once the server holds it open (its own
// request and the metrics scrape in flight).
std::future<response> open_wait(unsigned short port, const std::string& id, const std::string& token)
{
    auto waiting = std::async(std::launch::async, [port, id, token] {
        return api(port, http::verb::get, "/api/v1/petitions/" + id + "/wait?timeout=9", token);
    });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (in_flight(port) < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    REQUIRE(in_flight(port) == 2);
    return waiting;
}

} // namespace

TEST_CASE("api e2e: tokens and scopes are enforced, a personal token cannot approve its own request", "[e2e][api]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    const auto lee = mint(env, "lee", "requests,review", "u-2001");
    const auto alex = mint(env, "alex", "requests,review", "u-2002");
    const auto reader = mint(env, "reader", "requests", "u-4001");
    server_process server(env);
    const auto port = server.port();

    auto none = http_request(port, http::verb::get, "/api/v1/me");
    CHECK(none.result() == http::status::unauthorized);
    CHECK(code_of(none) == "unauthenticated");
    auto me = api(port, http::verb::get, "/api/v1/me", lee);
    REQUIRE(me.result() == http::status::ok);
    CHECK(json_of(me).at("person").at("id") == "u-2001");

    const auto id = file_api_production(port, lee);

    auto own = api(port, http::verb::post, "/api/v1/petitions/" + id + "/approve", lee, json::object{});
    CHECK(own.result() == http::status::unprocessable_entity);
    CHECK(code_of(own) == "refused");
    auto no_scope = api(port, http::verb::post, "/api/v1/petitions/" + id + "/approve", reader, json::object{});
    CHECK(no_scope.result() == http::status::forbidden);
    CHECK(code_of(no_scope) == "forbidden");
    auto approved = api(port, http::verb::post, "/api/v1/petitions/" + id + "/approve", alex, json::object{});
    REQUIRE(approved.result() == http::status::ok);
    CHECK(json_of(approved).at("decisions").at(0).at("by").at("id") == "u-2002");

    auto wrong_method = api(port, http::verb::delete_, "/api/v1/petitions", lee);
    CHECK(wrong_method.result() == http::status::method_not_allowed);
    CHECK(code_of(wrong_method) == "method_not_allowed");
    auto bad_json = http_request(port, http::verb::post, "/api/v1/petitions", "{", bearer(lee));
    CHECK(bad_json.result() == http::status::bad_request);
    CHECK(code_of(bad_json) == "invalid_request");
    CHECK(server.output().find(lee) == std::string::npos);
    CHECK(server.stop() == 0);
}

TEST_CASE("api e2e: a long poll wakes on the decision, without holding a thread", "[e2e][api]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    env["CHECKPOINT_THREADS"] = "1";
    const auto lee = mint(env, "lee", "requests", "u-2001");
    const auto alex = mint(env, "alex", "review", "u-2002");
    server_process server(env);
    const auto port = server.port();

    const auto id = file_api_production(port, lee);

    SECTION("at the timeout it answers with the petition still waiting")
    {
        auto r = api(port, http::verb::get, "/api/v1/petitions/" + id + "/wait?timeout=1", lee);
        REQUIRE(r.result() == http::status::ok);
        CHECK(r["X-Checkpoint-Waiting"] == "true");
        CHECK(json_of(r).at("state") == "pending");
    }
    SECTION("a denial wakes it at once")
    {
        const auto start = std::chrono::steady_clock::now();
        // One thread serves everything: the deny below is answered while the wait is open.
        auto waiting = open_wait(port, id, lee);
        auto denied = api(port, http::verb::post, "/api/v1/petitions/" + id + "/deny", alex,
                          json::object{{"reason", "use staging"}});
        REQUIRE(denied.result() == http::status::ok);
        auto r = waiting.get();
        CHECK(std::chrono::steady_clock::now() - start < 8s);
        REQUIRE(r.result() == http::status::ok);
        CHECK(r["X-Checkpoint-Waiting"] == "false");
        CHECK(json_of(r).at("state") == "denied");
    }
    CHECK(server.stop() == 0);
}

TEST_CASE("api e2e: body limits and bulk upload through the real server", "[e2e][api]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    const auto writer = mint(env, "crm", "resources:write");
    server_process server(env);
    const auto port = server.port();

    // About 200 KiB: over the 64 KiB every other route allows, well under the upload's 8 MiB.
    json::array items;
    for (int i = 0; i < 2000; ++i)
        items.push_back(json::object{{"kind", "customer"},
                                     {"id", std::to_string(1000 + i)},
                                     {"displayName", "Customer number " + std::to_string(i) + " with a long name"},
                                     {"labels", json::object{{"region", "eu-west-1"}, {"tier", "gold"}}}});
    const auto body = json::serialize(json::object{{"resources", items}});
    REQUIRE(body.size() > 100 * 1024);

    auto big_post = http_request(port, http::verb::post, "/api/v1/petitions", body, bearer(writer));
    CHECK(big_post.result() == http::status::payload_too_large);
    CHECK(code_of(big_post) == "too_large");

    auto put = http_request(port, http::verb::put, "/api/v1/resources", body, bearer(writer));
    REQUIRE(put.result() == http::status::ok);
    CHECK(json_of(put).at("upserted") == 2000);
    auto listed = api(port, http::verb::get, "/api/v1/resources?kind=customer&q=1999&limit=10", writer);
    REQUIRE(listed.result() == http::status::ok);
    CHECK(json_of(listed).at("items").at(0).at("id") == "1999");
    CHECK(server.stop() == 0);
}

TEST_CASE("api e2e: --create-token refuses unknown scopes and people, and prints nothing secret then", "[e2e][api]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    {
        server_process p(env, {"--create-token", "x", "--scopes", "requests,root"}, false);
        CHECK(p.wait_exit() == 64);
        CHECK_THAT(p.output(), Catch::Contains("\"root\" is not a scope"));
        CHECK(p.output().find("cpt_") == std::string::npos);
    }
    {
        server_process p(env, {"--create-token", "x", "--scopes", "requests", "--person", "u-9999"}, false);
        CHECK(p.wait_exit() == 64);
        CHECK_THAT(p.output(), Catch::Contains("not in the directory"));
    }
    const auto admin = mint(env, "root", "admin");
    server_process server(env);
    auto me = api(server.port(), http::verb::get, "/api/v1/me", admin);
    REQUIRE(me.result() == http::status::ok);
    CHECK(json_of(me).at("kind") == "service");
    CHECK(json_of(me).at("name") == "root");
    CHECK(server.stop() == 0);
}

TEST_CASE("api e2e: on SIGTERM an open long poll is answered at once, not at its timeout", "[e2e][api]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    const auto lee = mint(env, "lee", "requests", "u-2001");
    server_process server(env);
    const auto port = server.port();
    const auto id = file_api_production(port, lee);
    const auto start = std::chrono::steady_clock::now();
    auto waiting = open_wait(port, id, lee);
    CHECK(server.stop() == 0);
    auto r = waiting.get();
    CHECK(std::chrono::steady_clock::now() - start < 8s);
    REQUIRE(r.result() == http::status::ok);
    CHECK(r["X-Checkpoint-Waiting"] == "true");
    CHECK(json_of(r).at("state") == "pending");
}
