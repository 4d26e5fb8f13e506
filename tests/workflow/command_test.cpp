#include "workflow/command.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;

TEST_CASE("tokenize splits command text the way Slack sends it")
{
    struct row {
        const char* name;
        std::string text;
        std::vector<std::string> tokens;
    };
    auto r = GENERATE(values<row>({
        {"plain words", "request api-production", {"request", "api-production"}},
        {"extra spaces and tabs", "  request \t api-production  ", {"request", "api-production"}},
        {"straight quotes", "request x --reason \"debugging latency\"", {"request", "x", "--reason", "debugging latency"}},
        {"curly double quotes", "request x --reason \u201Cdebugging latency\u201D", {"request", "x", "--reason", "debugging latency"}},
        {"curly single quotes", "request x --reason \u2018a b\u2019", {"request", "x", "--reason", "a b"}},
        {"mixed open and close", "request x --reason \u201Ca b\"", {"request", "x", "--reason", "a b"}},
        {"apostrophe inside a word", "request x --reason don't", {"request", "x", "--reason", "don't"}},
        {"curly apostrophe inside a word", "request x --reason don\u2019t", {"request", "x", "--reason", "don\u2019t"}},
        {"quote after equals", "request x --reason=\"a b\"", {"request", "x", "--reason=a b"}},
        {"slack html escapes", "request x --reason \"a &amp; b &lt;c&gt;\"", {"request", "x", "--reason", "a & b <c>"}},
        {"escaped mention", "ooo 2026-12-01 --delegate <@U01MARY|mary>", {"ooo", "2026-12-01", "--delegate", "<@U01MARY|mary>"}},
        {"no-break space", "request\u00A0x", {"request", "x"}},
        {"empty quotes", "request x --reason \"\"", {"request", "x", "--reason", ""}},
        {"empty text", "", {}},
    }));
    INFO(r.name);
    auto tokens = tokenize(r.text);
    REQUIRE(tokens.has_value());
    CHECK(*tokens == r.tokens);
}

TEST_CASE("tokenize names an unterminated quote")
{
    auto tokens = tokenize("request x --reason \"debugging latency");
    REQUIRE_FALSE(tokens.has_value());
    CHECK(tokens.error().code == "unterminated_quote");
    CHECK_THAT(tokens.error().message, Catch::Contains("debugging latency"));
}

TEST_CASE("parse_command_line finds the subcommand")
{
    SECTION("empty text is help")
    {
        auto c = parse_command_line("   ");
        REQUIRE(c.has_value());
        CHECK(c->sub == subcommand::help);
    }
    SECTION("case does not matter")
    {
        auto c = parse_command_line("HELP");
        REQUIRE(c.has_value());
        CHECK(c->sub == subcommand::help);
    }
    SECTION("arguments follow the subcommand")
    {
        auto c = parse_command_line("request api-production --duration 7d");
        REQUIRE(c.has_value());
        CHECK(c->sub == subcommand::request);
        CHECK(c->args == std::vector<std::string>{"api-production", "--duration", "7d"});
    }
    SECTION("an unknown word keeps what was typed")
    {
        auto c = parse_command_line("reqest api-production");
        REQUIRE(c.has_value());
        CHECK_FALSE(c->sub.has_value());
        CHECK(c->word == "reqest");
    }
}

TEST_CASE("closest_subcommands suggests near names")
{
    CHECK(closest_subcommands("reqest").front() == "request");
    CHECK(closest_subcommands("stat").front() == "status");
    CHECK(closest_subcommands("catalogue").front() == "catalog");
    CHECK(closest_subcommands("zzzzzzzzzz").empty());
}

TEST_CASE("every subcommand has usage and a summary")
{
    for (const auto& s : subcommands()) {
        INFO(s.name);
        CHECK(s.usage.starts_with(s.name));
        CHECK_FALSE(s.summary.empty());
        CHECK(info(s.id).name == s.name);
    }
}
