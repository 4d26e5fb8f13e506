#include "outbound/beast_http_client.hpp"
#include "bot/slack/slack_client.hpp"
#include "tests/fakes/slack/fake_slack.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

using namespace checkpoint;
using namespace checkpoint::bot;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr auto wait_limit = 5s;

// Loading the system's CA store takes tens of milliseconds; the suites share one client.
outbound::beast_http_client& shared_http()
{
    static outbound::beast_http_client http;
    return http;
}

// The real client over real HTTP against the fake Slack, with time held still.
struct fixture {
    test::fake_slack slack;
    outbound::beast_http_client& http = shared_http();
    workflow::manual_clock clock{workflow::time_point{std::chrono::seconds{1'800'000'000}}};
    slack_client client{http, clock, options(slack.api_url(), slack.token())};

    static slack_client_options options(std::string url, std::string token)
    {
        slack_client_options o;
        o.api_url = std::move(url);
        o.bot_token = std::move(token);
        return o;
    }
};

json::object text(std::string_view t)
{
    return json::object{{"text", t}};
}

json::object modal(std::size_t blocks = 1)
{
    json::array b;
    for (std::size_t i = 0; i < blocks; ++i)
        b.push_back(json::object{{"type", "section"}, {"text", json::object{{"type", "mrkdwn"}, {"text", "hello"}}}});
    return json::object{{"type", "modal"},
                        {"title", json::object{{"type", "plain_text"}, {"text", "Request access"}}},
                        {"blocks", std::move(b)}};
}

json::object home()
{
    auto v = modal();
    v["type"] = "home";
    v.erase("title");
    return v;
}

// Routes spdlog's default logger into a string for the scope's duration.
class log_capture {
public:
    log_capture()
        : previous_(spdlog::default_logger()),
          logger_(std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)))
    {
        logger_->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger_);
    }
    ~log_capture() { spdlog::set_default_logger(previous_); }
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;

    std::string text() const { return out_.str(); }

private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<spdlog::logger> logger_;
};

} // namespace

TEST_CASE("slack_client: chat.postMessage sends the bearer token and JSON, and reads channel and ts")
{
    fixture f;

    auto r = f.client.post_message("C0CHANNEL", text("A request needs you"));

    REQUIRE(r.ok());
    CHECK(r.channel() == "C0CHANNEL");
    CHECK(r.ts() == "1700000000.000100");
    const auto calls = f.slack.calls("chat.postMessage");
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].json_body);
    CHECK(calls[0].args.at("channel") == "C0CHANNEL");
    CHECK(calls[0].args.at("text") == "A request needs you");
}

TEST_CASE("slack_client: a post to a user lands in the DM, and chat.update changes that copy")
{
    fixture f;
    auto posted = f.client.post_message("U0ALICE", text("pending"));
    REQUIRE(posted.ok());
    REQUIRE(posted.channel() == test::fake_slack::dm_channel_of("U0ALICE"));

    auto updated = f.client.update_message(*posted.channel(), *posted.ts(), text("approved by Bob"));

    REQUIRE(updated.ok());
    CHECK(updated.ts() == posted.ts());
    const auto stored = f.slack.message(*posted.channel(), *posted.ts());
    REQUIRE(stored);
    CHECK(stored->message.at("text") == "approved by Bob");
    CHECK(stored->updates == 1);
}

TEST_CASE("slack_client: chat.update refuses what Slack refuses")
{
    fixture f;
    auto posted = f.client.post_message("C1", text("card"));
    REQUIRE(posted.ok());

    SECTION("text over 4000 characters")
    {
        auto r = f.client.update_message("C1", *posted.ts(), text(std::string(4001, 'x')));
        CHECK(r.outcome == slack_outcome::permanent);
        CHECK(r.error == "msg_too_long");
    }
    SECTION("a DM named by the user instead of its D channel")
    {
        auto r = f.client.update_message("U0ALICE", *posted.ts(), text("x"));
        CHECK(r.error == "channel_not_found");
    }
    SECTION("an unknown message")
    {
        auto r = f.client.update_message("C1", "1.000001", text("x"));
        CHECK(r.error == "message_not_found");
    }
    SECTION("more than 50 blocks")
    {
        json::array blocks;
        for (int i = 0; i < 51; ++i)
            blocks.push_back(json::object{{"type", "divider"}});
        auto r = f.client.update_message("C1", *posted.ts(), json::object{{"text", "t"}, {"blocks", blocks}});
        CHECK(r.outcome == slack_outcome::permanent);
        CHECK(r.error == "invalid_blocks");
    }
}

TEST_CASE("slack_client: chat.postEphemeral answers a message_ts")
{
    fixture f;

    auto r = f.client.post_ephemeral("C1", "U0ALICE", text("only you can see this"));

    REQUIRE(r.ok());
    CHECK(r.ts());
    CHECK(f.slack.calls("chat.postEphemeral").at(0).args.at("user") == "U0ALICE");
}

TEST_CASE("slack_client: views.open uses a trigger_id once")
{
    fixture f;
    const auto trigger = f.slack.new_trigger_id();

    auto first = f.client.open_view(trigger, modal());
    auto second = f.client.open_view(trigger, modal());

    REQUIRE(first.ok());
    REQUIRE(first.view_id());
    CHECK(f.slack.view(*first.view_id()));
    CHECK(second.outcome == slack_outcome::permanent);
    CHECK(second.error == "exchanged_trigger_id");
}

TEST_CASE("slack_client: views.open refuses bad, expired and oversized requests")
{
    fixture f;

    SECTION("a malformed trigger_id")
    {
        CHECK(f.client.open_view("not-a-trigger", modal()).error == "invalid_trigger_id");
    }
    SECTION("an expired trigger_id")
    {
        const auto trigger = f.slack.new_trigger_id();
        f.slack.expire_trigger(trigger);
        CHECK(f.client.open_view(trigger, modal()).error == "expired_trigger_id");
    }
    SECTION("more than 100 blocks")
    {
        CHECK(f.client.open_view(f.slack.new_trigger_id(), modal(101)).error == "invalid_arguments");
    }
    SECTION("a view over 250 kB")
    {
        auto view = modal();
        view["private_metadata"] = std::string(260'000, 'x');
        CHECK(f.client.open_view(f.slack.new_trigger_id(), view).error == "view_too_large");
    }
}

TEST_CASE("slack_client: views.update replaces a view and checks its hash")
{
    fixture f;
    auto opened = f.client.open_view(f.slack.new_trigger_id(), modal());
    REQUIRE(opened.ok());

    auto updated = f.client.update_view(*opened.view_id(), modal(2), *opened.view_hash());
    auto stale = f.client.update_view(*opened.view_id(), modal(3), *opened.view_hash());
    auto unknown = f.client.update_view("V404", modal());

    REQUIRE(updated.ok());
    CHECK(updated.view_hash() != opened.view_hash());
    CHECK(f.slack.view(*opened.view_id())->view.at("blocks").as_array().size() == 2);
    CHECK(stale.error == "hash_conflict");
    CHECK(unknown.error == "not_found");
}

TEST_CASE("slack_client: views.publish keeps one Home tab per user")
{
    fixture f;

    auto first = f.client.publish_view("U0ALICE", home());
    auto again = f.client.publish_view("U0ALICE", home(), *first.view_hash());

    REQUIRE(first.ok());
    REQUIRE(again.ok());
    CHECK(first.view_id() == again.view_id());
    CHECK(f.slack.home_view("U0ALICE")->id == first.view_id());
    CHECK(f.client.publish_view("U0ALICE", modal()).error == "invalid_arguments");
}

TEST_CASE("slack_client: users.info and users.lookupByEmail read the directory, form-encoded")
{
    fixture f;
    f.slack.add_user({"U0ALICE", "alice+ops@example.com", "alice"});

    auto info = f.client.user_info("U0ALICE");
    auto lookup = f.client.lookup_user_by_email("Alice+Ops@example.com");
    auto missing = f.client.user_info("U0NOBODY");
    auto missing_email = f.client.lookup_user_by_email("nobody@example.com");

    REQUIRE(info.ok());
    CHECK(info.user_email() == "alice+ops@example.com");
    REQUIRE(lookup.ok());
    CHECK(lookup.user_id() == "U0ALICE");
    CHECK(missing.error == "user_not_found");
    CHECK(missing.outcome == slack_outcome::permanent);
    CHECK(missing_email.error == "users_not_found");
    CHECK_FALSE(f.slack.calls("users.info").at(0).json_body);
}

TEST_CASE("slack_client: conversations.open answers the DM channel")
{
    fixture f;

    auto r = f.client.open_conversation("U0ALICE");

    REQUIRE(r.ok());
    CHECK(r.channel() == "D0ALICE");
}

TEST_CASE("slack_client: the envelope's error decides retryable or permanent")
{
    auto [error, outcome] = GENERATE(table<std::string, slack_outcome>({
        {"channel_not_found", slack_outcome::permanent},
        {"not_in_channel", slack_outcome::permanent},
        {"invalid_blocks", slack_outcome::permanent},
        {"is_archived", slack_outcome::permanent},
        {"internal_error", slack_outcome::retryable},
        {"fatal_error", slack_outcome::retryable},
        {"service_unavailable", slack_outcome::retryable},
        {"request_timeout", slack_outcome::retryable},
    }));
    fixture f;
    f.slack.error_next("chat.postMessage", 1, error);

    auto failed = f.client.post_message("C1", text("x"));
    f.clock.advance(1s);
    auto next = f.client.post_message("C1", text("x"));

    CHECK(failed.outcome == outcome);
    CHECK(failed.error == error);
    CHECK(next.ok());
}

TEST_CASE("slack_client: a wrong token is invalid_auth, permanent")
{
    test::fake_slack slack;
    workflow::manual_clock clock{workflow::time_point{}};
    slack_client client{shared_http(), clock, fixture::options(slack.api_url(), "xoxb-wrong")};

    auto r = client.post_message("C1", text("x"));

    CHECK(r.outcome == slack_outcome::permanent);
    CHECK(r.error == "invalid_auth");
}

TEST_CASE("slack_client: HTTP 429 carries Retry-After, and the method waits it out without calling Slack")
{
    fixture f;
    auto posted = f.client.post_message("C1", text("card"));
    f.slack.rate_limit_next("chat.update", 1, 7s);

    auto limited = f.client.update_message("C1", *posted.ts(), text("v2"));
    auto held = f.client.update_message("C1", *posted.ts(), text("v2"));
    f.clock.advance(7s);
    auto after = f.client.update_message("C1", *posted.ts(), text("v2"));

    CHECK(limited.outcome == slack_outcome::retryable);
    CHECK(limited.http_status == 429);
    CHECK(limited.error == "ratelimited");
    CHECK(limited.retry_after == 7s);
    CHECK(held.outcome == slack_outcome::retryable);
    CHECK(held.http_status == 0);
    CHECK(held.retry_after == 7s);
    CHECK(after.ok());
    CHECK(f.slack.calls("chat.update").size() == 2);
}

TEST_CASE("slack_client: a 500 is retryable")
{
    fixture f;
    f.slack.http_error_next("users.info", 1, 500);

    auto r = f.client.user_info("U1");

    CHECK(r.outcome == slack_outcome::retryable);
    CHECK(r.error == "http_500");
}

TEST_CASE("slack_client: transport failures: connect is retryable, a bad URL is not")
{
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    auto& http = shared_http();
    workflow::manual_clock clock{workflow::time_point{}};
    slack_client refused{http, clock, fixture::options("http://127.0.0.1:" + std::to_string(port) + "/api", "t")};
    slack_client bad{http, clock, fixture::options("slack.com/api/", "t")};

    auto r = refused.user_info("U1");
    auto b = bad.user_info("U1");

    CHECK(r.outcome == slack_outcome::retryable);
    CHECK(r.error == "transport_connect");
    CHECK(b.outcome == slack_outcome::permanent);
    CHECK(b.error == "transport_bad_url");
}

TEST_CASE("slack_client: posts are paced to one per second per channel")
{
    fixture f;

    auto first = f.client.post_message("C1", text("1"));
    auto paced = f.client.post_message("C1", text("2"));
    auto other = f.client.post_message("C2", text("3"));
    f.clock.advance(400ms);
    auto still = f.client.post_message("C1", text("2"));
    f.clock.advance(600ms);
    auto later = f.client.post_message("C1", text("2"));

    CHECK(first.ok());
    CHECK(paced.outcome == slack_outcome::retryable);
    CHECK(paced.error == slack_client::paced_error);
    CHECK(paced.retry_after == 1000ms);
    CHECK(other.ok());
    CHECK(still.retry_after == 600ms);
    CHECK(later.ok());
    CHECK(f.slack.calls("chat.postMessage").size() == 3);
}

TEST_CASE("slack_client: logs name the method, channel and error, never the token")
{
    fixture f;
    log_capture logs;
    f.slack.error_next("chat.postMessage", 1, "channel_not_found");

    f.client.post_message("C0SECRET", text("x"));
    f.client.user_info("U1");
    f.client.open_view(f.slack.new_trigger_id(), modal());

    const auto out = logs.text();
    CHECK_THAT(out, Catch::Contains("chat.postMessage") && Catch::Contains("C0SECRET") &&
                        Catch::Contains("channel_not_found") && Catch::Contains("views.open"));
    CHECK_THAT(out, !Catch::Contains(f.slack.token()) && !Catch::Contains("Bearer"));
}

TEST_CASE("fake_slack: wait_for wakes when a call arrives from another thread")
{
    fixture f;

    std::thread worker([&] { f.client.post_message("C1", text("from a worker")); });
    const bool seen = f.slack.wait_for_calls("chat.postMessage", 1, wait_limit);
    worker.join();

    CHECK(seen);
    CHECK_FALSE(f.slack.wait_for_calls("chat.update", 1, 10ms));
}

TEST_CASE("fake_slack: refuses unauthenticated and malformed calls as Slack does")
{
    fixture f;
    const auto raw = [&](std::string authorization, std::string content_type, std::string body) {
        outbound::outbound_request req;
        req.url = f.slack.api_url() + "chat.postMessage";
        if (!authorization.empty())
            req.headers.emplace_back("Authorization", std::move(authorization));
        req.headers.emplace_back("Content-Type", std::move(content_type));
        req.body = std::move(body);
        auto [res, failure] = f.http.send(req);
        REQUIRE(res);
        return json::parse(res->body).as_object().at("error").as_string();
    };
    const std::string bearer = "Bearer " + f.slack.token();

    CHECK(raw("", "application/json", R"({"channel":"C1","text":"x"})") == "not_authed");
    CHECK(raw("Bearer nope", "application/json", R"({"channel":"C1","text":"x"})") == "invalid_auth");
    CHECK(raw(bearer, "application/json", R"({"channel":)") == "invalid_json");
    CHECK(raw(bearer, "application/json", R"([1])") == "json_not_object");
    CHECK(raw(bearer, "application/json", R"({"channel":"C1"})") == "no_text");
    CHECK(raw(bearer, "application/json", R"({"channel":"C1","blocks":"nope"})") == "invalid_blocks_format");
    CHECK(f.slack.calls().size() == 6);
}

TEST_CASE("slack_client: a post told to wait holds the next slot of its channel, in the order posts asked")
{
    fixture f;

    CHECK(f.client.post_message("C1", text("1"), "k1").ok());
    auto second = f.client.post_message("C1", text("2"), "k2");
    auto third = f.client.post_message("C1", text("3"), "k3");
    CHECK(second.retry_after == 1000ms);
    CHECK(third.retry_after == 2000ms);

    // The third comes back early: its slot is still a second away, and nobody takes the second's.
    f.clock.advance(1000ms);
    CHECK(f.client.post_message("C1", text("3"), "k3").retry_after == 1000ms);
    CHECK(f.client.post_message("C1", text("4"), "k4").retry_after == 2000ms);
    CHECK(f.client.post_message("C1", text("2"), "k2").ok());
    f.clock.advance(1000ms);
    CHECK(f.client.post_message("C1", text("3"), "k3").ok());

    std::vector<std::string> order;
    for (const auto& m : f.slack.messages_in("C1"))
        order.emplace_back(m.message.at("text").as_string());
    CHECK(order == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("slack_client: find_posted finds a post by the delivery key in its metadata")
{
    fixture f;
    auto dm = f.client.post_message("U1", text("to a person"), "job-1/u-1@5");
    f.clock.advance(2s);
    auto channel = f.client.post_message("C1", text("to a channel"), "job-2@5");
    f.clock.advance(2s);
    auto keyless = f.client.post_message("C1", text("no key"));
    REQUIRE(dm.ok());
    REQUIRE(channel.ok());
    REQUIRE(keyless.ok());
    const auto meta = f.slack.messages_in("C1").front().message.at("metadata").as_object();
    CHECK(meta.at("event_type") == "checkpoint_delivery");
    CHECK(meta.at("event_payload").at("key") == "job-2@5");

    SECTION("in a channel")
    {
        auto found = f.client.find_posted("C1", "job-2@5");
        REQUIRE(found.ok());
        CHECK(found.ts() == channel.ts());
        CHECK(found.channel() == "C1");
    }
    SECTION("in a person's DM, through its D… channel")
    {
        auto found = f.client.find_posted("U1", "job-1/u-1@5");
        REQUIRE(found.ok());
        CHECK(found.ts() == dm.ts());
        CHECK(found.channel() == test::fake_slack::dm_channel_of("U1"));
        CHECK(f.slack.calls("conversations.open").size() == 1);
    }
    SECTION("not there: ok, without a ts; another life of the same job is another message")
    {
        auto found = f.client.find_posted("C1", "job-2@6");
        REQUIRE(found.ok());
        CHECK_FALSE(found.ts());
    }
    SECTION("a reply in a thread is found among the thread's replies")
    {
        f.clock.advance(2s);
        auto reply = f.client.post_message("C1", json::object{{"text", "answer"}, {"thread_ts", *channel.ts()}},
                                           "job-3@5");
        REQUIRE(reply.ok());
        CHECK_FALSE(f.client.find_posted("C1", "job-3@5").ts());
        CHECK(f.client.find_posted("C1", "job-3@5", *channel.ts()).ts() == reply.ts());
    }
    SECTION("pages are followed until the key is found")
    {
        for (int i = 0; i < 450; ++i) {
            f.clock.advance(2s);
            REQUIRE(f.client.post_message("C1", text("filler"), "filler-" + std::to_string(i)).ok());
        }
        CHECK(f.client.find_posted("C1", "job-2@5").ts() == channel.ts());
        CHECK(f.slack.calls("conversations.history").size() == 3);
    }
    SECTION("Slack unable to answer is not 'not there'")
    {
        f.slack.error_next("conversations.history", 1, "internal_error");
        auto found = f.client.find_posted("C1", "job-2@5");
        CHECK(found.outcome == slack_outcome::retryable);
        CHECK(found.error == "internal_error");
    }
}

TEST_CASE("slack_client: without a bot token Slack is never called")
{
    test::fake_slack slack;
    workflow::manual_clock clock{workflow::time_point{std::chrono::seconds{1'800'000'000}}};
    slack_client client{shared_http(), clock, fixture::options(slack.api_url(), "")};
    CHECK_FALSE(client.configured());
    for (auto r : {client.post_message("C1", text("hi"), "k@1"), client.user_info("U1"),
                   client.find_posted("U1", "k@1"), client.publish_view("U1", home())}) {
        CHECK(r.outcome == slack_outcome::permanent);
        CHECK(r.error == slack_client::no_token_error);
    }
    CHECK(slack.calls().empty());
}
