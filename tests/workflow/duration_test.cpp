#include "fixture.hpp"
#include "workflow/duration.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("durations parse in the forms people write")
{
    struct row {
        const char* text;
        duration want;
    };
    auto r = GENERATE(values<row>({
        {"30m", minutes{30}},
        {"4h", hours{4}},
        {"1d", days{1}},
        {"7d", days{7}},
        {"2w", days{14}},
        {"1d12h", days{1} + hours{12}},
        {"1w2d3h4m", days{9} + hours{3} + minutes{4}},
        {"10s", seconds{10}},
        {"90m", minutes{90}},
        {"3650d", days{3650}},
    }));
    INFO(r.text);
    auto d = parse_duration(r.text);
    REQUIRE(d);
    CHECK(*d == r.want);
}

TEST_CASE("bad durations are refused with the accepted forms")
{
    struct row {
        const char* text;
        const char* why;
    };
    auto r = GENERATE(values<row>({
        {"", "a duration is required"},
        {"0d", "zero"},
        {"0h0m", "zero"},
        {"-1d", "negative"},
        {"3x", "\"3x\" is not a duration; use forms"},
        {"1 d", "\"1 d\" is not a duration; use forms"},
        {"d", "\"d\" is not a duration; use forms"},
        {"12", "\"12\" is not a duration; use forms"},
        {"1h1d", "largest to smallest"},
        {"1d1d", "largest to smallest"},
        {"3651d", "longer than ten years"},
        {"99999999999999999999d", "longer than ten years"},
        {"522w", "longer than ten years"},
        {"1D", "\"1D\" is not a duration; use forms"},
    }));
    INFO(r.text);
    auto d = parse_duration(r.text);
    REQUIRE_FALSE(d);
    CHECK(d.error().code == "bad_duration");
    CHECK_THAT(d.error().message, Catch::Contains(r.why));
    CHECK_THAT(d.error().message, Catch::EndsWith("use forms like 30m, 4h, 1d, 7d, 2w, 1d12h"));
}

TEST_CASE("durations read well on a card and round-trip in short form")
{
    struct row {
        duration d;
        const char* words;
        const char* short_form;
    };
    auto r = GENERATE(values<row>({
        {days{7}, "7 days", "7d"},
        {days{1}, "1 day", "1d"},
        {days{1} + hours{12}, "1 day 12 hours", "1d12h"},
        {hours{4}, "4 hours", "4h"},
        {hours{1}, "1 hour", "1h"},
        {minutes{30}, "30 minutes", "30m"},
        {days{14}, "14 days", "14d"},
        {seconds{10}, "10 seconds", "10s"},
    }));
    CHECK(describe_duration(r.d) == r.words);
    CHECK(format_duration(r.d) == r.short_form);
    CHECK(parse_duration(format_duration(r.d)).value() == r.d);
}
