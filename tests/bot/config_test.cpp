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

TEST_CASE("the audit key and anchor schedule: one key source, a key long enough, a schedule or off")
{
    struct row {
        const char* name;
        std::map<std::string, std::string> env;
        // Empty: accepted.
        std::string error;
        std::chrono::seconds every;
    };
    const std::string long_key(64, 'a');
    auto r = GENERATE_COPY(values<row>({
        {"nothing set: the key beside the database, daily anchors", {}, "", std::chrono::hours(24)},
        {"a key", {{"CHECKPOINT_AUDIT_KEY", long_key}}, "", std::chrono::hours(24)},
        {"a key file and 12-hourly anchors",
         {{"CHECKPOINT_AUDIT_KEY_FILE", "/run/secrets/audit"}, {"CHECKPOINT_AUDIT_ANCHOR_EVERY", "12h"}},
         "",
         std::chrono::hours(12)},
        {"anchors off", {{"CHECKPOINT_AUDIT_ANCHOR_EVERY", "off"}}, "", std::chrono::seconds(0)},
        {"both", {{"CHECKPOINT_AUDIT_KEY", long_key}, {"CHECKPOINT_AUDIT_KEY_FILE", "/k"}}, "are both set",
         std::chrono::hours(24)},
        {"a short key", {{"CHECKPOINT_AUDIT_KEY", "short-key"}}, "CHECKPOINT_AUDIT_KEY is 9 characters",
         std::chrono::hours(24)},
        {"anchors too often", {{"CHECKPOINT_AUDIT_ANCHOR_EVERY", "10s"}}, "CHECKPOINT_AUDIT_ANCHOR_EVERY",
         std::chrono::hours(24)},
        {"anchors at a word", {{"CHECKPOINT_AUDIT_ANCHOR_EVERY", "daily"}}, "CHECKPOINT_AUDIT_ANCHOR_EVERY",
         std::chrono::hours(24)},
    }));
    INFO(r.name);
    auto env = r.env;
    env["SLACK_SIGNING_SECRET"] = "s3cret";
    std::vector<std::string> errors;
    auto c = load_config(env_of(env), false, errors);
    if (r.error.empty()) {
        REQUIRE(c);
        CHECK(c->audit_anchor_every == r.every);
        CHECK(c->audit_key == (env.count("CHECKPOINT_AUDIT_KEY") ? env["CHECKPOINT_AUDIT_KEY"] : ""));
    } else {
        CHECK_FALSE(c);
        REQUIRE(errors.size() == 1);
        CHECK_THAT(errors[0], Catch::Contains(r.error));
        // The key's value is never repeated in an error.
        CHECK_THAT(errors[0], !Catch::Contains("short-key") && !Catch::Contains(long_key));
    }
}

TEST_CASE("the web's trusted header: both variables or neither, header names and proxy ranges checked")
{
    struct row {
        std::map<std::string, std::string> env;
        bool ok;
        std::string error_names;
    };
    const std::string h = "CHECKPOINT_WEB_TRUSTED_HEADER";
    const std::string p = "CHECKPOINT_WEB_TRUSTED_PROXIES";
    const std::vector<row> rows{
        {{}, true, ""},
        {{{h, "X-Forwarded-Email"}, {p, "127.0.0.1"}}, true, ""},
        {{{h, "X-Forwarded-Email"}, {p, " 10.0.0.0/8 , ::1, fd00::/8,192.168.1.7/32"}}, true, ""},
        {{{h, "X-Forwarded-Email"}}, false, "go together"},
        {{{p, "127.0.0.1"}}, false, "go together"},
        {{{h, "X Forwarded: Email"}, {p, "127.0.0.1"}}, false, "must be a header name"},
        {{{h, "X-Forwarded-Email"}, {p, "10.0.0.0/33"}}, false, "'10.0.0.0/33' is neither"},
        {{{h, "X-Forwarded-Email"}, {p, "proxy.internal"}}, false, "'proxy.internal' is neither"},
        {{{h, "X-Forwarded-Email"}, {p, "::1/129"}}, false, "'::1/129' is neither"},
    };
    for (const auto& r : rows) {
        auto env = r.env;
        env["SLACK_SIGNING_SECRET"] = "s3cret";
        std::vector<std::string> errors;
        auto c = load_config(env_of(env), false, errors);
        INFO((env.contains(p) ? env.at(p) : std::string("(no proxies)")));
        CHECK(c.has_value() == r.ok);
        if (!r.ok) {
            REQUIRE(errors.size() == 1);
            CHECK_THAT(errors.front(), Catch::Contains(r.error_names));
        }
    }
}

TEST_CASE("the web's trusted proxies match addresses and ranges, v4 and v6")
{
    std::vector<std::string> errors;
    auto c = load_config(env_of({{"SLACK_SIGNING_SECRET", "s"},
                                 {"CHECKPOINT_WEB_TRUSTED_HEADER", "X-Forwarded-Email"},
                                 {"CHECKPOINT_WEB_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1, fd00::/8"}}),
                         false, errors);
    REQUIRE(c);
    const std::vector<std::pair<std::string, bool>> rows{
        {"10.1.2.3", true},     {"10.255.255.255", true}, {"11.0.0.1", false}, {"127.0.0.1", true},
        {"127.0.0.2", false},   {"::ffff:10.9.9.9", true}, {"fd12::1", true},  {"fe80::1", false},
        {"::1", false},         {"192.168.0.1", false},
    };
    for (const auto& [address, trusted] : rows) {
        INFO(address);
        CHECK(trusted_proxy(*c, boost::asio::ip::make_address(address)) == trusted);
    }
}
