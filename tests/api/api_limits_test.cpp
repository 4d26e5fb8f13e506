// What one token may ask of the API (issue 16, bounded by default): a budget of requests, a share of long
// polls, reports authorised before they are queued and a bounded queue, and large bodies only for a token
// that may upload, decided from the header.
#include "tests/api/api_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint;
using test::body_of;
using test::error_code_of;
namespace json = boost::json;
namespace net = boost::asio;
using verb = bot::http::verb;
using status = bot::http::status;

namespace {

bot::request get_with(const std::string& target, const std::string& token)
{
    bot::request req{verb::get, target, 11};
    req.set(bot::http::field::authorization, "Bearer " + token);
    return req;
}

} // namespace

TEST_CASE("api: a token spends from a budget - past it 429 with Retry-After, and time refills it", "[api][limits]")
{
    test::api_fixture f;
    bot::api::api_router api(f.ctx, f.tokens, f.reports, f.waiters, bot::api::api_limits{1, 3});
    const auto lee = f.token({"requests"}, "u-2001", "lee");
    const auto other = f.token({"requests"}, "u-2002", "alex");
    for (int i = 0; i < 3; ++i)
        CHECK(api.handle(get_with("/api/v1/me", lee)).result() == status::ok);
    auto refused = api.handle(get_with("/api/v1/me", lee));
    CHECK(refused.result() == status::too_many_requests);
    CHECK(error_code_of(refused) == "rate_limited");
    CHECK(refused[bot::http::field::retry_after] == "1");
    CHECK_THAT(std::string(body_of(refused).at("error").at("message").as_string()), Catch::Contains("retry after 1 s"));
    // Another token's budget is its own.
    CHECK(api.handle(get_with("/api/v1/me", other)).result() == status::ok);
    // A second earns one request; the burst is not exceeded however long the token rests.
    f.clock.advance(std::chrono::seconds{1});
    CHECK(api.handle(get_with("/api/v1/me", lee)).result() == status::ok);
    CHECK(api.handle(get_with("/api/v1/me", lee)).result() == status::too_many_requests);
    f.clock.advance(std::chrono::hours{1});
    for (int i = 0; i < 3; ++i)
        CHECK(api.handle(get_with("/api/v1/me", lee)).result() == status::ok);
    CHECK(api.handle(get_with("/api/v1/me", lee)).result() == status::too_many_requests);
    // A request without a valid token spends nobody's budget.
    CHECK(api.handle(get_with("/api/v1/me", "cpt_" + std::string(40, 'A'))).result() == status::unauthorized);
}

TEST_CASE("api: a token holds at most its share of the long polls", "[api][limits][wait]")
{
    // The fixture's pool holds 4 waits: a quarter of it, 1, is each token's share.
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001", "lee");
    const auto lee_too = f.token({"requests"}, "u-2001", "lee-laptop");
    auto filed = f.post("/api/v1/petitions", lee,
                        json::object{{"bundle", "api-production"}, {"duration", "7d"}, {"reason", "incident"}});
    REQUIRE(filed.result() == status::created);
    const auto id = std::string(body_of(filed).at("id").as_string());

    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    std::vector<bot::response> answers;
    auto first = get_with("/api/v1/petitions/" + id + "/wait?timeout=60", lee);
    auto second = first;
    auto from_other = get_with("/api/v1/petitions/" + id + "/wait?timeout=60", lee_too);
    for (auto* req : {&first, &second, &from_other})
        net::post(strand, [&, req] { f.api.handle_async(*req, strand, [&](bot::response r) { answers.push_back(std::move(r)); }); });
    ioc.poll();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result() == status::too_many_requests);
    CHECK_THAT(std::string(body_of(answers[0]).at("error").at("message").as_string()),
               Catch::Contains("already holds 1 long polls"));
    CHECK(f.waiters.size() == 2);

    // Once its wait is answered, the token may wait again.
    REQUIRE(f.access.act(id, workflow::deny_by("u-2002", "use staging", f.clock.now())).has_value());
    ioc.run();
    REQUIRE(answers.size() == 3);
    ioc.restart();
    std::optional<bot::response> again;
    net::post(strand, [&] { f.api.handle_async(first, strand, [&](bot::response r) { again = std::move(r); }); });
    ioc.run();
    REQUIRE(again);
    CHECK(again->result() == status::ok);
}

TEST_CASE("api: a report is authorised before it is queued, and only a few wait at once", "[api][limits][reports]")
{
    test::api_fixture f;
    // Reports run on an executor the test holds: nothing runs until it says so.
    net::io_context reports_on;
    bot::api::api_router api(f.ctx, f.tokens, f.reports, f.waiters, bot::api::api_limits{0, 0, 2},
                             reports_on.get_executor());
    const auto auditor = f.token({"audit:read"}, "", "auditor");
    const auto lee = f.token({"requests"}, "u-2001", "lee");

    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    std::vector<bot::response> answers;
    auto ask = [&](const bot::request& req) {
        net::post(strand, [&] { api.handle_async(req, strand, [&](bot::response r) { answers.push_back(std::move(r)); }); });
        ioc.poll();
        ioc.restart();
    };
    const auto report = get_with("/api/v1/reports/time-to-access", auditor);
    // Unauthenticated and unauthorised asks are answered at once and never take a place in the queue.
    const auto stranger = get_with("/api/v1/reports/time-to-access", "cpt_" + std::string(40, 'B'));
    const auto no_scope = get_with("/api/v1/reports/time-to-access", lee);
    for (int i = 0; i < 5; ++i) {
        ask(stranger);
        ask(no_scope);
    }
    REQUIRE(answers.size() == 10);
    for (std::size_t i = 0; i < answers.size(); i += 2) {
        CHECK(answers[i].result() == status::unauthorized);
        CHECK(answers[i + 1].result() == status::forbidden);
    }
    answers.clear();
    ask(report);
    ask(report);
    CHECK(answers.empty());
    ask(report);
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result() == status::too_many_requests);
    CHECK(answers[0][bot::http::field::retry_after] == "5");

    // The queued reports run and are answered; then there is room again.
    reports_on.run();
    ioc.poll();
    ioc.restart();
    REQUIRE(answers.size() == 3);
    CHECK(answers[1].result() == status::ok);
    CHECK(answers[2].result() == status::ok);
    ask(report);
    CHECK(answers.size() == 3);
    reports_on.restart();
    reports_on.run();
    ioc.poll();
    REQUIRE(answers.size() == 4);
    CHECK(answers[3].result() == status::ok);
}

TEST_CASE("api: a body over 64 KiB is read only for a token that may upload, decided from the header", "[api][limits]")
{
    test::api_fixture f;
    const auto uploader = f.token({"resources:write"}, "", "crm-sync");
    const auto lee = f.token({"requests"}, "u-2001", "lee");
    auto head = [](const std::string& token) {
        bot::request req{verb::put, "/api/v1/resources", 11};
        if (!token.empty())
            req.set(bot::http::field::authorization, "Bearer " + token);
        req.set(bot::http::field::content_length, std::to_string(bot::max_upload_bytes));
        return req;
    };
    CHECK_FALSE(f.api.admit_large_body(head(uploader)));
    auto none = f.api.admit_large_body(head(""));
    REQUIRE(none);
    CHECK(none->result() == status::unauthorized);
    CHECK_FALSE(none->keep_alive());
    CHECK_THAT(std::string(body_of(*none).at("error").at("message").as_string()),
               Catch::Contains("checked before a body over 65536 bytes is read"));
    auto forged = f.api.admit_large_body(head("cpt_" + std::string(40, 'C')));
    REQUIRE(forged);
    CHECK(forged->result() == status::unauthorized);
    auto no_scope = f.api.admit_large_body(head(lee));
    REQUIRE(no_scope);
    CHECK(no_scope->result() == status::forbidden);
}
