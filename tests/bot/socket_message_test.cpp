#include "bot/socket_mode/socket_client.hpp"
#include "bot/socket_mode/socket_message.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint::bot;
using namespace checkpoint::bot::socket_mode;

TEST_CASE("socket mode: hello and disconnect messages are read")
{
    auto h = parse_message(R"({"type":"hello","num_connections":2,"debug_info":{"host":"applink-1",)"
                           R"("approximate_connection_time":18060},"connection_info":{"app_id":"A1"}})");
    REQUIRE(std::holds_alternative<hello>(h));
    CHECK(std::get<hello>(h).num_connections == 2);
    CHECK(std::get<hello>(h).approximate_connection_time_s == 18060);

    auto d = parse_message(R"({"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"x"}})");
    REQUIRE(std::holds_alternative<disconnect>(d));
    CHECK(std::get<disconnect>(d).reason == "refresh_requested");
}

TEST_CASE("socket mode: each envelope type carries the same request HTTP would")
{
    SECTION("slash_commands: the payload's fields are the form's")
    {
        auto m = parse_message(
            R"({"envelope_id":"dbdd0ef3-1543-4f94-bfb4-133d0e6c1545","type":"slash_commands",)"
            R"("accepts_response_payload":true,"payload":{"token":"t","team_id":"T1","channel_id":"C1",)"
            R"("user_id":"U2147483697","command":"/checkpoint","text":"request api-production",)"
            R"("trigger_id":"1.2.abc","response_url":"https://hooks.slack.com/commands/1/2"}})");
        REQUIRE(std::holds_alternative<envelope>(m));
        const auto& e = std::get<envelope>(m);
        CHECK(e.envelope_id == "dbdd0ef3-1543-4f94-bfb4-133d0e6c1545");
        CHECK(e.accepts_response_payload);
        CHECK(e.retry_attempt == 0);
        REQUIRE(std::holds_alternative<slash_command>(e.request));
        const auto& c = std::get<slash_command>(e.request);
        CHECK(c.command == "/checkpoint");
        CHECK(c.text == "request api-production");
        CHECK(c.user_id == "U2147483697");
        CHECK(c.trigger_id == "1.2.abc");
    }
    SECTION("interactive: the payload is the interaction")
    {
        auto m = parse_message(R"({"envelope_id":"e-2","type":"interactive","accepts_response_payload":true,)"
                               R"("payload":{"type":"block_actions","user":{"id":"U1"},"actions":[]}})");
        REQUIRE(std::holds_alternative<envelope>(m));
        const auto& r = std::get<envelope>(m).request;
        REQUIRE(std::holds_alternative<interaction>(r));
        CHECK(std::get<interaction>(r).kind == interaction_kind::block_actions);
        CHECK(std::get<interaction>(r).user_id == "U1");
    }
    SECTION("events_api: the payload is the event callback, with Slack's retry count")
    {
        auto m = parse_message(R"({"envelope_id":"e-3","type":"events_api","accepts_response_payload":false,)"
                               R"("retry_attempt":2,"retry_reason":"timeout","payload":{"type":"event_callback",)"
                               R"("event_id":"Ev1","team_id":"T1","event":{"type":"app_home_opened","user":"U1"}}})");
        REQUIRE(std::holds_alternative<envelope>(m));
        const auto& e = std::get<envelope>(m);
        CHECK(e.retry_attempt == 2);
        CHECK(e.retry_reason == "timeout");
        REQUIRE(std::holds_alternative<event_callback>(e.request));
        CHECK(std::get<event_callback>(e.request).event_id == "Ev1");
        CHECK(std::get<event_callback>(e.request).event_type == "app_home_opened");
    }
}

TEST_CASE("socket mode: what cannot be used is named, and acknowledged when it has an id")
{
    struct row {
        const char* text;
        const char* envelope_id;
        const char* says;
    };
    const row rows[] = {
        {"not json", "", "not JSON"},
        {"[1,2]", "", "not a JSON object"},
        {R"({"type":"slash_commands","payload":{}})", "", "has no envelope_id"},
        {R"({"envelope_id":"a b<c>","type":"slash_commands","payload":{}})", "", "not an id Slack would send"},
        {R"({"envelope_id":"e-1","type":"slash_commands"})", "e-1", "has no payload object"},
        {R"({"envelope_id":"e-1","type":"slash_commands","payload":{"command":"/checkpoint"}})", "e-1",
         "slash command without user_id"},
        {R"({"envelope_id":"e-1","type":"interactive","payload":{"type":"block_actions"}})", "e-1",
         "interaction payload without user.id"},
        {R"({"envelope_id":"e-1","type":"events_api","payload":{"type":"event_callback","event":{}}})", "e-1",
         "without event_id"},
        {R"({"envelope_id":"e-1","type":"webhooks","payload":{}})", "e-1",
         "expected slash_commands, interactive or events_api"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto m = parse_message(r.text);
        REQUIRE(std::holds_alternative<unusable>(m));
        CHECK(std::get<unusable>(m).envelope_id == r.envelope_id);
        CHECK_THAT(std::get<unusable>(m).reason, Catch::Contains(r.says));
    }
    auto huge = parse_message(std::string(max_message_bytes + 1, ' '));
    REQUIRE(std::holds_alternative<unusable>(huge));
    CHECK_THAT(std::get<unusable>(huge).reason, Catch::Contains("over the limit"));
}

TEST_CASE("socket mode: an acknowledgement names the envelope and carries the answer only when given")
{
    CHECK(boost::json::parse(ack("e-1", std::nullopt)) == boost::json::parse(R"({"envelope_id":"e-1"})"));
    CHECK(boost::json::parse(ack("e-1", boost::json::object{{"text", "hi"}})) ==
          boost::json::parse(R"({"envelope_id":"e-1","payload":{"text":"hi"}})"));
}

TEST_CASE("socket mode: only wss:// URLs are dialled, ws:// only to loopback in tests")
{
    struct row {
        const char* url;
        bool allow_plain;
        bool ok;
        const char* host_or_error;
        const char* port;
        const char* target;
    };
    const row rows[] = {
        {"wss://wss-primary.slack.com/link/?ticket=abc&app_id=A1", false, true, "wss-primary.slack.com", "443",
         "/link/?ticket=abc&app_id=A1"},
        {"wss://[::1]:8443/link", false, true, "::1", "8443", "/link"},
        {"wss://example.com", false, true, "example.com", "443", "/"},
        {"ws://127.0.0.1:4000/link/?ticket=1", true, true, "127.0.0.1", "4000", "/link/?ticket=1"},
        {"ws://localhost/link", true, true, "localhost", "80", "/link"},
        {"ws://127.0.0.1:4000/link", false, false, "only wss:// is accepted", "", ""},
        {"ws://wss-primary.slack.com/link", true, false, "only to a loopback host", "", ""},
        {"https://slack.com/link", true, false, "needs wss://", "", ""},
        {"not a url", true, false, "does not parse", "", ""},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        auto parsed = parse_socket_url(r.url, r.allow_plain);
        REQUIRE(std::holds_alternative<socket_url>(parsed) == r.ok);
        if (r.ok) {
            const auto& u = std::get<socket_url>(parsed);
            CHECK(u.host == r.host_or_error);
            CHECK(u.port == r.port);
            CHECK(u.target == r.target);
        } else {
            const auto& why = std::get<std::string>(parsed);
            CHECK_THAT(why, Catch::Contains(r.host_or_error));
            // The ticket in a URL's query is a credential: never in an error.
            CHECK_THAT(why, !Catch::Contains("ticket"));
        }
    }
}
