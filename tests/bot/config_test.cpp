#include "bot/config.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace checkpoint::bot;

namespace {

env_lookup env_of(std::map<std::string, std::string> m)
{
    return [m = std::move(m)](std::string_view k) -> std::optional<std::string> {
        auto it = m.find(std::string(k));
        if (it == m.end())
            return std::nullopt;
        return it->second;
    };
}

} // namespace

TEST_CASE("configuration comes from the environment with defaults")
{
    std::vector<std::string> errors;
    auto c = load_config(env_of({{"SLACK_SIGNING_SECRET", "s3cret"}}), false, errors);
    REQUIRE(c);
    CHECK(c->signing_secret == "s3cret");
    CHECK(c->listen.host == "0.0.0.0");
    CHECK(c->listen.port == 3000);
    CHECK(c->database_path == "./checkpoint.db");
    CHECK(c->manifests_path == "./manifests");
    CHECK(c->slack_api_url == "https://slack.com/api/");
    CHECK(c->threads >= 1);
}

TEST_CASE("without a signing secret the service refuses, unless --dev")
{
    std::vector<std::string> errors;
    CHECK_FALSE(load_config(env_of({}), false, errors));
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Contains("SLACK_SIGNING_SECRET") && Catch::Contains("--dev"));

    errors.clear();
    auto c = load_config(env_of({}), true, errors);
    REQUIRE(c);
    CHECK(c->generated_secret);
    CHECK(c->signing_secret.size() == 64);
}

TEST_CASE("SLACK_APP_TOKEN turns on Socket Mode, and then the signing secret may be left out")
{
    std::vector<std::string> errors;
    auto c = load_config(env_of({{"SLACK_APP_TOKEN", "xapp-1-A1-123-abc"}}), false, errors);
    REQUIRE(c);
    CHECK(c->socket_mode());
    CHECK(c->signing_secret.empty());
    CHECK(c->socket_connections == 2);

    errors.clear();
    c = load_config(env_of({{"SLACK_APP_TOKEN", "xapp-1-A1-123-abc"},
                            {"SLACK_SIGNING_SECRET", "s3cret"},
                            {"CHECKPOINT_SOCKET_CONNECTIONS", "4"}}),
                    false, errors);
    REQUIRE(c);
    CHECK(c->signing_secret == "s3cret");
    CHECK(c->socket_connections == 4);

    errors.clear();
    CHECK_FALSE(load_config(env_of({{"SLACK_APP_TOKEN", "xoxb-a-bot-token"}, {"CHECKPOINT_SOCKET_CONNECTIONS", "11"}}),
                            false, errors));
    REQUIRE(errors.size() == 2);
    CHECK_THAT(errors[0], Catch::Contains("SLACK_APP_TOKEN") && Catch::Contains("xapp-") &&
                              !Catch::Contains("xoxb-a-bot-token"));
    CHECK_THAT(errors[1], Catch::Contains("CHECKPOINT_SOCKET_CONNECTIONS") && Catch::Contains("1 to 10"));

    errors.clear();
    auto off = load_config(env_of({{"SLACK_SIGNING_SECRET", "s3cret"}}), false, errors);
    REQUIRE(off);
    CHECK_FALSE(off->socket_mode());
}

TEST_CASE("every bad variable is reported at once")
{
    std::vector<std::string> errors;
    auto c = load_config(env_of({{"SLACK_SIGNING_SECRET", "x"},
                                 {"CHECKPOINT_LISTEN", "localhost"},
                                 {"CHECKPOINT_THREADS", "0"},
                                 {"SLACK_API_URL", "ftp://x"}}),
                         false, errors);
    CHECK_FALSE(c);
    REQUIRE(errors.size() == 3);
    CHECK_THAT(errors[0], Catch::Contains("SLACK_API_URL"));
    CHECK_THAT(errors[1], Catch::Contains("CHECKPOINT_LISTEN"));
    CHECK_THAT(errors[2], Catch::Contains("CHECKPOINT_THREADS"));
}

TEST_CASE("listen addresses")
{
    struct row {
        std::string text;
        bool ok;
        std::string host;
        unsigned short port;
    };
    auto r = GENERATE(values<row>({
        {"0.0.0.0:3000", true, "0.0.0.0", 3000},
        {"127.0.0.1:0", true, "127.0.0.1", 0},
        {"[::1]:8080", true, "::1", 8080},
        {"localhost", false, "", 0},
        {":3000", false, "", 0},
        {"1.2.3.4:70000", false, "", 0},
        {"::1:80", false, "", 0},
        {"[::1]8080", false, "", 0},
    }));
    INFO(r.text);
    auto a = parse_listen_address(r.text);
    CHECK(a.has_value() == r.ok);
    if (a) {
        CHECK(a->host == r.host);
        CHECK(a->port == r.port);
    }
}
