#include "tests/api/api_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

using namespace checkpoint;
namespace net = boost::asio;
namespace json = boost::json;
using status = bot::http::status;
using namespace std::chrono_literals;

TEST_CASE("waiters: notify wakes the waits on that petition only - the cap refuses more", "[api][wait]")
{
    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    bot::api::petition_waiters waiters(2);
    std::vector<std::pair<std::string, bool>> woke;
    const auto far = std::chrono::steady_clock::now() + 1h;
    net::post(strand, [&] {
        CHECK(waiters.wait("p-1", strand, far, [&](bool timed_out) { woke.emplace_back("p-1", timed_out); }));
        CHECK(waiters.wait("p-2", strand, far, [&](bool timed_out) { woke.emplace_back("p-2", timed_out); }));
        CHECK_FALSE(waiters.wait("p-3", strand, far, [&](bool) { woke.emplace_back("p-3", false); }));
    });
    ioc.poll();
    CHECK(waiters.size() == 2);
    waiters.notify("p-1");
    ioc.poll();
    REQUIRE(woke.size() == 1);
    CHECK(woke[0] == std::pair<std::string, bool>{"p-1", false});
    CHECK(waiters.size() == 1);

    net::post(strand, [&] {
        CHECK(waiters.wait("p-4", strand, std::chrono::steady_clock::now(), [&](bool t) { woke.emplace_back("p-4", t); }));
    });
    // The p-4 wait is already due: it times out; p-2 stays until woken.
    while (woke.size() < 2)
        ioc.run_one();
    CHECK(woke[1] == std::pair<std::string, bool>{"p-4", true});
    waiters.close();
    ioc.run();
    REQUIRE(woke.size() == 3);
    CHECK(woke[2] == std::pair<std::string, bool>{"p-2", false});
    CHECK(waiters.size() == 0);
    net::post(strand, [&] { CHECK_FALSE(waiters.wait("p-5", strand, far, [&](bool) { woke.emplace_back("p-5", false); })); });
    ioc.restart();
    ioc.run();
    CHECK(woke.size() == 3);
}

TEST_CASE("api: long polls are answered on their connection's executor when the petition is decided", "[api][wait]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001");
    const auto alex = f.token({"review"}, "u-2002");
    auto filed = f.post("/api/v1/petitions", lee,
                        json::object{{"bundle", "api-production"}, {"duration", "7d"}, {"reason", "incident"}});
    REQUIRE(filed.result() == status::created);
    const auto id = std::string(test::body_of(filed).at("id").as_string());

    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    std::vector<bot::response> answers;
    // Five of lee's tokens, each within its own share (api_limits_test): the pool allows 4 concurrent waits,
    // and the fifth is refused with 429.
    std::vector<bot::request> reqs;
    for (int i = 0; i < 5; ++i) {
        reqs.emplace_back(bot::http::verb::get, "/api/v1/petitions/" + id + "/wait?timeout=60", 11);
        reqs.back().set(bot::http::field::authorization,
                        "Bearer " + (i == 0 ? lee : f.token({"requests"}, "u-2001", "lee-" + std::to_string(i))));
    }
    for (auto& req : reqs)
        net::post(strand, [&] { f.api.handle_async(req, strand, [&](bot::response r) { answers.push_back(std::move(r)); }); });
    ioc.poll();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].result() == status::too_many_requests);
    CHECK(test::error_code_of(answers[0]) == "rate_limited");
    CHECK(f.waiters.size() == 4);

    auto denied = f.post("/api/v1/petitions/" + id + "/deny", alex, json::object{{"reason", "use staging"}});
    REQUIRE(denied.result() == status::ok);
    ioc.run();
    REQUIRE(answers.size() == 5);
    for (std::size_t i = 1; i < answers.size(); ++i) {
        CHECK(answers[i].result() == status::ok);
        CHECK(answers[i]["X-Checkpoint-Waiting"] == "false");
        CHECK(test::body_of(answers[i]).at("state") == "denied");
    }
    CHECK(f.waiters.size() == 0);
}

TEST_CASE("api: a wake that leaves the petition waiting waits on", "[api][wait]")
{
    test::api_fixture f;
    const auto lee = f.token({"requests"}, "u-2001");
    auto filed = f.post("/api/v1/petitions", lee,
                        json::object{{"bundle", "api-production"}, {"duration", "7d"}, {"reason", "incident"}});
    const auto id = std::string(test::body_of(filed).at("id").as_string());

    net::io_context ioc;
    auto strand = net::make_strand(ioc);
    std::optional<bot::response> answer;
    bot::request req{bot::http::verb::get, "/api/v1/petitions/" + id + "/wait?timeout=60", 11};
    req.set(bot::http::field::authorization, "Bearer " + lee);
    net::post(strand, [&] { f.api.handle_async(req, strand, [&](bot::response r) { answer = std::move(r); }); });
    ioc.poll();
    // Approved is not yet access: the wait goes on through provisioning, and ends when access is live.
    REQUIRE(f.access.act(id, workflow::approve_by("u-2002", f.clock.now())).has_value());
    ioc.poll();
    CHECK_FALSE(answer);
    CHECK(f.waiters.size() == 1);
    REQUIRE(f.access.act(id, workflow::provisioning_started(f.clock.now())).has_value());
    ioc.poll();
    CHECK_FALSE(answer);
    REQUIRE(f.access.act(id, workflow::provisioned_at(f.clock.now())).has_value());
    ioc.run();
    REQUIRE(answer);
    CHECK((*answer)["X-Checkpoint-Waiting"] == "false");
    CHECK(test::body_of(*answer).at("state") == "active");

    // Shutting down: a new poll is answered at once with the petition as it stands, not refused.
    auto other = f.post("/api/v1/petitions", lee,
                        json::object{{"bundle", "data-warehouse"}, {"duration", "7d"}, {"reason", "incident"}});
    REQUIRE(other.result() == status::created);
    bot::request again{bot::http::verb::get,
                       "/api/v1/petitions/" + std::string(test::body_of(other).at("id").as_string()) + "/wait", 11};
    again.set(bot::http::field::authorization, "Bearer " + lee);
    f.waiters.close();
    answer.reset();
    ioc.restart();
    net::post(strand, [&] { f.api.handle_async(again, strand, [&](bot::response r) { answer = std::move(r); }); });
    ioc.run();
    REQUIRE(answer);
    CHECK(answer->result() == status::ok);
    CHECK((*answer)["X-Checkpoint-Waiting"] == "true");
}
