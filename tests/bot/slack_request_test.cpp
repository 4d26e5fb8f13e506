#include "bot/slack_request.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::bot;

namespace {

constexpr std::string_view form_type = "application/x-www-form-urlencoded";

template <class T>
const T& as(const std::variant<slack_request, bad_slack_request>& v)
{
    REQUIRE(std::holds_alternative<slack_request>(v));
    const auto& r = std::get<slack_request>(v);
    REQUIRE(std::holds_alternative<T>(r));
    return std::get<T>(r);
}

std::string reason(const std::variant<slack_request, bad_slack_request>& v)
{
    REQUIRE(std::holds_alternative<bad_slack_request>(v));
    return std::get<bad_slack_request>(v).reason;
}

} // namespace

TEST_CASE("a form with command is a slash command")
{
    auto v = parse_slack_request("application/x-www-form-urlencoded; charset=utf-8",
                                 "token=t&team_id=T0001&channel_id=C1&user_id=U2147483697&command=/checkpoint&"
                                 "text=request+api-production&trigger_id=13345224609.738474920.8088930838d88f008e0&"
                                 "response_url=https://hooks.slack.com/commands/1234/5678");
    const auto& c = as<slash_command>(v);
    CHECK(c.command == "/checkpoint");
    CHECK(c.text == "request api-production");
    CHECK(c.user_id == "U2147483697");
    CHECK(c.trigger_id == "13345224609.738474920.8088930838d88f008e0");
}

TEST_CASE("a form with payload is an interaction, by its type")
{
    struct row {
        std::string type;
        interaction_kind kind;
    };
    auto r = GENERATE(values<row>({
        {"block_actions", interaction_kind::block_actions},
        {"view_submission", interaction_kind::view_submission},
        {"view_closed", interaction_kind::view_closed},
        {"block_suggestion", interaction_kind::block_suggestion},
        {"shortcut", interaction_kind::shortcut},
        {"message_action", interaction_kind::message_action},
    }));
    auto v = parse_slack_request(form_type, "payload=%7B%22type%22%3A%22" + r.type +
                                                "%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D");
    const auto& i = as<interaction>(v);
    CHECK(i.kind == r.kind);
    CHECK(i.user_id == "U1");
    CHECK(to_string(i.kind) == r.type);
}

TEST_CASE("JSON bodies are Events API requests")
{
    SECTION("url_verification")
    {
        auto v = parse_slack_request("application/json",
                                     R"({"token":"x","challenge":"3eZbrw1aBm2r","type":"url_verification"})");
        CHECK(as<url_verification>(v).challenge == "3eZbrw1aBm2r");
    }
    SECTION("event_callback")
    {
        auto v = parse_slack_request(
            "application/json",
            R"({"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"U1"}})");
        const auto& e = as<event_callback>(v);
        CHECK(e.event_id == "Ev1");
        CHECK(e.event_type == "app_home_opened");
        CHECK(e.team_id == "T1");
    }
}

TEST_CASE("what Slack never sends is refused with a reason")
{
    struct row {
        const char* name;
        std::string content_type;
        std::string body;
        std::string mentions;
    };
    auto r = GENERATE(values<row>({
        {"form without command or payload", std::string(form_type), "a=1", "neither"},
        {"command without user", std::string(form_type), "command=/checkpoint&text=help", "user_id"},
        {"command name without slash", std::string(form_type), "command=checkpoint&user_id=U1", "'/'"},
        {"payload not JSON", std::string(form_type), "payload=%7Bnope", "not JSON"},
        {"payload not an object", std::string(form_type), "payload=%5B1%5D", "not a JSON object"},
        {"payload of unknown type", std::string(form_type), "payload=%7B%22type%22%3A%22x%22%7D", "unsupported"},
        {"payload without user", std::string(form_type), "payload=%7B%22type%22%3A%22block_actions%22%7D",
         "user.id"},
        {"bad percent-encoding", std::string(form_type), "command=%ZZ", "form"},
        {"json not JSON", "application/json", "{", "not JSON"},
        {"json array", "application/json", "[]", "not a JSON object"},
        {"json unknown type", "application/json", R"({"type":"nope"})", "unsupported event type"},
        {"challenge missing", "application/json", R"({"type":"url_verification"})", "challenge"},
        {"event without id", "application/json", R"({"type":"event_callback","event":{}})", "event_id"},
        {"event without event", "application/json", R"({"type":"event_callback","event_id":"E"})", "event object"},
        {"other content type", "text/plain", "hello", "Content-Type"},
    }));
    INFO(r.name);
    CHECK_THAT(reason(parse_slack_request(r.content_type, r.body)), Catch::Contains(r.mentions));
}

TEST_CASE("ssl_check is recognised only in its exact form")
{
    CHECK(is_ssl_check(form_type, "ssl_check=1&token=abc"));
    CHECK_FALSE(is_ssl_check(form_type, "ssl_check=0"));
    CHECK_FALSE(is_ssl_check(form_type, "ssl_check=true"));
    CHECK_FALSE(is_ssl_check(form_type, "ssl_check="));
    CHECK_FALSE(is_ssl_check(form_type, "ssl_check=1&command=/checkpoint"));
    CHECK_FALSE(is_ssl_check("application/json", R"({"ssl_check":"1"})"));
    CHECK(is_ssl_check(form_type, "token=abc&ssl_check=1"));
    CHECK_FALSE(is_ssl_check(form_type, "xssl_check=1"));
    CHECK_FALSE(is_ssl_check(form_type, "ssl_check=10"));
    CHECK_FALSE(is_ssl_check(form_type, "ssl_check=1&payload=%7B%7D"));
}
