#include "blocks/help_message.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "tests/support/golden.hpp"
#include "tests/support/slack_limits.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;

TEST_CASE("help lists every subcommand, matching the golden file")
{
    auto msg = blocks::help_message("/checkpoint");
    CHECK(test::compare_golden("help_message", msg).empty());
    const std::string text(msg.at("text").as_string());
    for (const auto& s : workflow::subcommands())
        CHECK_THAT(text, Catch::Contains("/checkpoint " + blocks::escape(s.usage)));
    CHECK_THAT(text, Catch::Contains("request &lt;bundle|kind:id&gt;"));
    CHECK(msg.at("response_type") == "ephemeral");
    CHECK(test::slack_limit_violations(msg).empty());
}

TEST_CASE("an unknown subcommand suggests the nearest and shows help")
{
    auto msg = blocks::unknown_subcommand_message("/checkpoint", "reqest");
    CHECK(test::compare_golden("unknown_subcommand", msg).empty());
    CHECK_THAT(std::string(msg.at("text").as_string()),
               Catch::StartsWith("`/checkpoint reqest` is not a Checkpoint command. Did you mean `request`?"));
    CHECK(test::slack_limit_violations(msg).empty());
}

TEST_CASE("messages stay within Slack's limits for the longest inputs")
{
    const std::string huge(20000, 'x');
    for (const auto& msg : {blocks::unknown_subcommand_message("/checkpoint", huge),
                            blocks::unknown_subcommand_message(huge, huge)}) {
        auto v = test::slack_limit_violations(msg);
        INFO(v);
        CHECK(v.empty());
    }
}

TEST_CASE("truncate cuts on character boundaries with an ellipsis")
{
    CHECK(blocks::truncate("hello", 5) == "hello");
    CHECK(blocks::truncate("hello!", 5) == "hell\u2026");
    CHECK(blocks::char_count(blocks::truncate("\u00E9\u00E9\u00E9\u00E9\u00E9\u00E9", 3)) == 3);
    CHECK(blocks::truncate("\u00E9\u00E9\u00E9\u00E9", 3) == "\u00E9\u00E9\u2026");
}

TEST_CASE("escape makes user text safe for mrkdwn")
{
    CHECK(blocks::escape("a & <b|c> d") == "a &amp; &lt;b|c&gt; d");
    auto msg = blocks::unknown_subcommand_message("/checkpoint", "<!channel>");
    CHECK_THAT(std::string(msg.at("text").as_string()), Catch::Contains("&lt;!channel&gt;"));
}
