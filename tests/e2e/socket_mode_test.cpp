// Socket Mode end to end: the real checkpointd dials the fake Slack's WebSocket server (the URL comes
// from apps.connections.open), takes envelopes, and acknowledges each one. The stories of
// slack_stories_test.cpp run over both transports; these are what only Socket Mode has: its
// connections, refreshes and losses, and envelopes Slack sends again.
#include "tests/e2e/slack_story.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <iostream>
#include <set>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

constexpr const char* kofi = "U01KOFI"; // Kofi Mensah, analytics-eng

json::object command_fields(const std::string& user, const std::string& text)
{
    return json::object{{"token", "x"},
                        {"team_id", "T1"},
                        {"channel_id", "C0GENERAL"},
                        {"user_id", user},
                        {"command", "/checkpoint"},
                        {"text", text},
                        {"response_url", "https://hooks.slack.com/commands/T1/1/x"},
                        {"trigger_id", ""},
                        {"api_app_id", "A1"}};
}

int petitions_with_reason(slack_story& s, const std::string& reason)
{
    // The reason is stored inside the petition's JSON body, quoted.
    return std::stoi(
        s.rows("SELECT count(*) FROM petitions WHERE body LIKE '%\"" + reason + "\"%'").at(0).at(0));
}

std::string metric_line(const std::string& metrics, const std::string& name)
{
    for (std::size_t at = metrics.find(name); at != std::string::npos; at = metrics.find(name, at + 1))
        if (at == 0 || metrics[at - 1] == '\n')
            return metrics.substr(at, metrics.find('\n', at) - at);
    return {};
}

} // namespace

TEST_CASE("socket mode: two connections are kept, /readyz and /metrics say so, and HTTP without a secret is off",
          "[e2e][socket]")
{
    slack_story s{slack_transport::socket_mode};
    REQUIRE(s.slack().socket_mode().wait_for_connections(2, std::chrono::seconds(10)));

    // apps.connections.open was called with the app-level token, never the bot token.
    const auto opens = s.slack().calls("apps.connections.open");
    REQUIRE(opens.size() >= 2);
    for (const auto& c : opens)
        CHECK(c.ok());

    std::string ready;
    REQUIRE(slack_story::eventually([&] {
        ready = http_request(s.server().port(), http::verb::get, "/readyz").body();
        return ready.find("connected 2 of 2") != std::string::npos;
    }));
    const auto body = json::parse(ready).as_object();
    CHECK(body.at("status") == "ready");
    CHECK(body.at("checks").at("slack_socket_mode") == "ok");

    const auto metrics = http_request(s.server().port(), http::verb::get, "/metrics").body();
    CHECK(metric_line(metrics, "checkpoint_socket_mode_connections") == "checkpoint_socket_mode_connections 2");

    // No SLACK_SIGNING_SECRET: a request to the HTTP endpoint is refused, clearly.
    const auto refused = slack_post(s.server().port(), "/slack/commands", "application/x-www-form-urlencoded",
                                    "command=%2Fcheckpoint&text=help&user_id=U01KOFI", {}, s.now_s());
    CHECK(refused.result() == http::status::forbidden);
    CHECK(refused.body().find("Socket Mode") != std::string::npos);

    // Help answers in the acknowledgement itself.
    const auto help = s.command(kofi, "help");
    CHECK(json::serialize(help).find("/checkpoint request") != std::string::npos);
}

TEST_CASE("socket mode: with a signing secret as well, one process takes Slack over both transports", "[e2e][socket]")
{
    slack_story s([](const std::filesystem::path&, std::map<std::string, std::string>& env) {
        env["SLACK_SIGNING_SECRET"] = e2e_secret;
    }, slack_transport::socket_mode);
    const std::string over_socket = "both transports: filed over Socket Mode";
    const std::string over_http = "both transports: filed over HTTP";
    const auto reply = s.command(kofi, "request api-production --duration 1d --reason \"" + over_socket + "\"");
    CHECK(json::serialize(reply).find("api-production") != std::string::npos);
    const auto signed_post = slack_post(
        s.server().port(), "/slack/commands", "application/x-www-form-urlencoded",
        "command=%2Fcheckpoint&user_id=U01KOFI&team_id=T1&channel_id=C1&text=request+api-staging+--duration+1d+"
        "--reason+%22both+transports%3A+filed+over+HTTP%22",
        {}, s.now_s());
    CHECK(signed_post.result() == http::status::ok);
    CHECK(petitions_with_reason(s, over_socket) == 1);
    CHECK(petitions_with_reason(s, over_http) == 1);
}

TEST_CASE("socket mode: an acknowledgement lost on the way is answered again on Slack's retry, handled once",
          "[e2e][socket]")
{
    slack_story s{slack_transport::socket_mode};
    auto& socket = s.slack().socket_mode();
    // Longer than a filing takes even in a sanitizer build, so what is sent again is the lost ack's envelope.
    socket.set_retry_after(std::chrono::milliseconds(1'500));

    SECTION("a command")
    {
        const std::string reason = "socket retry: lost ack of a command";
        const auto id = socket.send(
            "slash_commands",
            command_fields(kofi, "request api-production --duration 1d --reason \"" + reason + "\""),
            {true, /*lose_first_ack=*/true});
        const auto ack = socket.wait_ack(id, std::chrono::seconds(20));
        REQUIRE(ack);
        // Delivered again after the lost ack, and acknowledged again (a busy machine may see a third round).
        CHECK(socket.deliveries_of(id) >= 2);
        CHECK(socket.acks_of(id) >= 2);
        // The retry's acknowledgement carries the same answer as the first.
        CHECK(json::serialize(ack->at("payload")).find("api-production") != std::string::npos);
        CHECK(petitions_with_reason(s, reason) == 1);
        CHECK(s.server().wait_for_output("sent again (retry 1, timeout)"));
        std::cout << "lost ack: envelope " << id << " delivered " << socket.deliveries_of(id) << " times, acknowledged "
                  << socket.acks_of(id) << " times, " << petitions_with_reason(s, reason) << " petition stored"
                  << std::endl;
    }

    SECTION("an event: the App Home is published once, also when Slack sends the event in a new envelope")
    {
        const json::object event{{"type", "app_home_opened"}, {"user", kofi}, {"tab", "home"}};
        const json::object callback{{"type", "event_callback"}, {"team_id", "T1"},   {"api_app_id", "A1"},
                                    {"event", event},           {"event_id", "EvSock1"}, {"event_time", s.now_s()}};
        const auto id = socket.send("events_api", callback, {false, /*lose_first_ack=*/true});
        REQUIRE(socket.wait_ack(id, std::chrono::seconds(20)));
        CHECK(socket.deliveries_of(id) >= 2);
        // Slack's Events API retry of the same event_id in an envelope of its own.
        const auto again = socket.send("events_api", callback, {false, false});
        REQUIRE(socket.wait_ack(again, std::chrono::seconds(20)));
        REQUIRE(s.slack().wait_for_calls("views.publish", 1, std::chrono::seconds(20)));
        REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0; }));
        CHECK(s.slack().calls("views.publish").size() == 1);
        CHECK(s.server().wait_for_output("event EvSock1 (app_home_opened) already handled"));
    }
}

TEST_CASE("socket mode: refreshes and a lost network in the middle of a burst lose no envelope and handle none twice",
          "[e2e][socket]")
{
    slack_story s{slack_transport::socket_mode};
    auto& socket = s.slack().socket_mode();
    socket.set_retry_after(std::chrono::milliseconds(1'000));
    REQUIRE(socket.wait_for_connections(2, std::chrono::seconds(10)));
    const auto accepted_at_start = socket.connections_accepted();

    // Requesters spread over the directory, so the filings do not queue behind one person.
    const std::vector<std::string> people{"u-0001", "u-1000", "u-1001", "u-1002", "u-2001", "u-2002",
                                          "u-2003", "u-3001", "u-3002", "u-4000", "u-4001", "u-4002"};
    // Each asks for five bundles, one request per person and bundle (a second would be refused).
    const std::vector<std::string> bundles{"api-staging", "analytics-staging", "data-staging", "kubernetes-staging",
                                           "data-warehouse"};
    constexpr int burst = 60;
    std::vector<std::string> envelopes;
    const auto send = [&](int i) {
        const auto at = static_cast<std::size_t>(i);
        const auto& who = people[at % people.size()];
        const auto& what = bundles[at / people.size() % bundles.size()];
        envelopes.push_back(socket.send("slash_commands",
                                        command_fields(s.slack_id_of(who), "request " + what +
                                                                               " --duration 1d --reason \"socket burst #" +
                                                                               std::to_string(i) + ".\"")));
    };
    // A third goes out; once the first of it is answered, Slack refreshes every connection while the rest
    // is in flight (the old connections close 300 ms later, taking late acknowledgements with them).
    for (int i = 0; i < burst / 3; ++i)
        send(i);
    REQUIRE(socket.wait_ack(envelopes[0], std::chrono::seconds(30)));
    socket.disconnect_all("refresh_requested", std::chrono::milliseconds(300));
    // The next third waits for the replacements; once one of it is answered, the network drops every
    // connection without a close frame, in the middle of the last third.
    for (int i = burst / 3; i < 2 * burst / 3; ++i)
        send(i);
    REQUIRE(socket.wait_ack(envelopes[burst / 3], std::chrono::seconds(30)));
    // Both replacements are up (one answering is not both: the second may still be in its handshake), so the drop
    // takes two live connections and the server must dial two more.
    REQUIRE(socket.wait_for_connections(2, std::chrono::seconds(20)));
    for (int i = 2 * burst / 3; i < burst; ++i) {
        send(i);
        if (i == 2 * burst / 3 + 5)
            socket.drop_all();
    }

    std::size_t acknowledged = 0, deliveries = 0;
    for (const auto& id : envelopes) {
        if (socket.wait_ack(id, std::chrono::seconds(60)))
            ++acknowledged;
        deliveries += socket.deliveries_of(id);
    }
    CHECK(acknowledged == envelopes.size());

    CHECK(socket.unacknowledged().empty());

    int stored_once = 0, doubled = 0, missing = 0;
    for (int i = 0; i < burst; ++i) {
        const int n = petitions_with_reason(s, "socket burst #" + std::to_string(i) + ".");
        stored_once += n == 1;
        doubled += n > 1;
        missing += n == 0;
    }
    CHECK(stored_once == burst);
    CHECK(doubled == 0);
    CHECK(missing == 0);

    // The server dialled replacements, and is back to two connections: two after the refresh, two after the drop.
    // Counted once both are back, as every envelope may have been answered over the first to come back.
    CHECK(socket.wait_for_connections(2, std::chrono::seconds(20)));
    const auto redialled = socket.connections_accepted() - accepted_at_start;
    CHECK(redialled >= 4);
    const auto metrics = http_request(s.server().port(), http::verb::get, "/metrics").body();
    std::cout << "disconnect burst: " << envelopes.size() << " envelopes, " << deliveries << " deliveries ("
              << deliveries - envelopes.size() << " sent again), " << acknowledged << " acknowledged, "
              << stored_once << " petitions stored once, " << doubled << " twice, " << missing << " missing; "
              << redialled << " connections dialled after the refresh and the drop\n"
              << metric_line(metrics, "checkpoint_socket_mode_duplicate_envelopes_total") << "\n"
              << metric_line(metrics, "checkpoint_socket_mode_reconnects_total{reason=\"lost\"}") << "\n"
              << metric_line(metrics, "checkpoint_socket_mode_reconnects_total{reason=\"refresh_requested\"}")
              << std::endl;
}
