#include "cli/config.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace checkpoint::cli;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars)
{
    return [vars = std::move(vars)](std::string_view k) -> std::optional<std::string> {
        auto it = vars.find(std::string(k));
        return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
}

file_lookup files_of(std::map<std::string, std::string> files)
{
    return [files = std::move(files)](const std::string& p) -> std::optional<std::string> {
        auto it = files.find(p);
        return it == files.end() ? std::nullopt : std::optional(it->second);
    };
}

} // namespace

TEST_CASE("the config file is found under XDG_CONFIG_HOME, else HOME/.config")
{
    CHECK(config_path(env_of({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})) == "/x/checkpoint/config");
    CHECK(config_path(env_of({{"XDG_CONFIG_HOME", ""}, {"HOME", "/h"}})) == "/h/.config/checkpoint/config");
    CHECK(config_path(env_of({})).empty());
}

TEST_CASE("the config file gives url and token - the environment overrides each")
{
    const auto files = files_of({{"/h/.config/checkpoint/config",
                                  "# my server\nurl = https://cp.example.com\n\n  token=cpt_file \n"}});
    auto c = load_config(env_of({{"HOME", "/h"}}), files);
    REQUIRE(c.has_value());
    CHECK(c->url == "https://cp.example.com");
    CHECK(c->token == "cpt_file");
    CHECK(c->file == "/h/.config/checkpoint/config");

    c = load_config(env_of({{"HOME", "/h"}, {"CHECKPOINT_TOKEN", "cpt_env"}}), files);
    REQUIRE(c.has_value());
    CHECK(c->url == "https://cp.example.com");
    CHECK(c->token == "cpt_env");

    c = load_config(env_of({{"CHECKPOINT_URL", "http://127.0.0.1:8080"}, {"CHECKPOINT_TOKEN", "t"}}), files);
    REQUIRE(c.has_value());
    CHECK(c->url == "http://127.0.0.1:8080");
    CHECK(check_for_server(*c).has_value());
}

TEST_CASE("a bad config file line is named")
{
    auto [text, needle] = GENERATE(table<std::string, std::string>({
        {"url https://x", "/c:1: expected `key = value`"},
        {"url = https://x\npassword = hunter2", "/c:2: unknown key \"password\""},
        {std::string(70 * 1024, '#'), "larger than 64 KiB"},
    }));
    auto c = parse_config(text, "/c");
    REQUIRE_FALSE(c.has_value());
    CHECK_THAT(c.error().message, Catch::Contains(needle));
}

TEST_CASE("the server config is refused when it cannot work or would leak the token")
{
    auto [url, token, needle] = GENERATE(table<std::string, std::string, std::string>({
        {"", "t", "no server URL"},
        {"ftp://x", "t", "is not an http:// or https:// URL"},
        {"not a url", "t", "is not an http:// or https:// URL"},
        {"https://cp.example.com", "", "no API token"},
        {"http://cp.example.com", "t", "refusing to send the API token in clear text to cp.example.com"},
    }));
    auto ok = check_for_server(config{url, token, ""});
    REQUIRE_FALSE(ok.has_value());
    CHECK_THAT(ok.error().message, Catch::Contains(needle));
}

TEST_CASE("plain http is allowed to loopback only")
{
    for (const char* url : {"http://localhost:8080", "http://127.0.0.1:1", "http://[::1]:8080", "https://cp.example.com"})
        CHECK(check_for_server(config{url, "t", ""}).has_value());
}

TEST_CASE("a config file with a token that others can read gets a warning")
{
    const config with_token{"https://x", "cpt_t", "/h/.config/checkpoint/config"};
    CHECK(permission_warning(with_token, 0100600).empty());
    CHECK(permission_warning(with_token, 0100640) ==
          "warning: /h/.config/checkpoint/config holds an API token and others can read it; run: chmod 600 "
          "/h/.config/checkpoint/config");
    CHECK_FALSE(permission_warning(with_token, 0100604).empty());
    CHECK(permission_warning(config{"https://x", "", "/c"}, 0100644).empty());
}
