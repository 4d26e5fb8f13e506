#include "workflow/intent.hpp"
#include "workflow/text.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::sys_days;
using std::chrono::year;

namespace {

const checkpoint::workflow::time_point now = sys_days{year{2026} / 11 / 23} + hours{10};

result<command_intent> intent_of(std::string_view text)
{
    auto line = parse_command_line(text);
    REQUIRE(line.has_value());
    return to_intent(*line, now);
}

template <class T>
T expect(std::string_view text)
{
    auto i = intent_of(text);
    INFO(text);
    if (!i)
        FAIL(i.error().message);
    REQUIRE(std::holds_alternative<T>(*i));
    return std::get<T>(*i);
}

} // namespace

TEST_CASE("request reads the bundle, duration, reason, ticket and break-glass")
{
    GIVEN("the seed's command")
    {
        auto r = expect<intent::request>("request api-production --duration 7d --reason \"debugging latency spike\"");
        THEN("every part is typed")
        {
            CHECK(r.target == "api-production");
            CHECK(r.length == checkpoint::workflow::duration{days{7}});
            CHECK(r.reason == "debugging latency spike");
            CHECK(r.ticket.empty());
            CHECK_FALSE(r.break_glass);
        }
    }
    GIVEN("options with = and a phone's em dash")
    {
        auto r = expect<intent::request>("request customer:123 --duration=4h \u2014reason \u201CBUG-482\u201D --ticket PROJ-1 --break-glass");
        CHECK(r.target == "customer:123");
        CHECK(r.length == checkpoint::workflow::duration{hours{4}});
        CHECK(r.reason == "BUG-482");
        CHECK(r.ticket == "PROJ-1");
        CHECK(r.break_glass);
    }
    GIVEN("no bundle")
    {
        auto r = expect<intent::request>("request");
        THEN("the form should open") { CHECK(r.target.empty()); }
    }
}

TEST_CASE("every subcommand becomes its intent")
{
    CHECK(expect<intent::status>("status").petition_id.empty());
    CHECK(expect<intent::status>("status p-7k2m9x").petition_id == "p-7k2m9x");
    expect<intent::mine>("mine");
    expect<intent::pending>("pending");
    auto e = expect<intent::extend>("extend p-1 2d --reason \"still digging\"");
    CHECK(e.petition_id == "p-1");
    CHECK(e.added == checkpoint::workflow::duration{days{2}});
    CHECK(e.reason == "still digging");
    CHECK(expect<intent::cancel>("cancel p-1").petition_id == "p-1");
    CHECK(expect<intent::revoke>("revoke p-1 --reason done").reason == "done");
    CHECK(expect<intent::catalog>("catalog prod api").words == "prod api");
    CHECK(expect<intent::catalog>("catalog").words.empty());
    auto x = expect<intent::explain>("explain data-warehouse --duration 14d");
    CHECK(x.target == "data-warehouse");
    CHECK(x.length == checkpoint::workflow::duration{days{14}});
    expect<intent::ooo_off>("ooo off");
    expect<intent::help>("help");
}

TEST_CASE("out of office until a date, or for a length, with a delegate")
{
    auto o = expect<intent::ooo_set>("ooo 2026-11-30 --delegate <@U01LEE|lee>");
    CHECK(o.until == sys_days{year{2026} / 12 / 1});
    CHECK(o.delegate_slack_id == "U01LEE");
    auto o2 = expect<intent::ooo_set>("ooo 3d --delegate lee@example.com");
    CHECK(o2.until == now + days{3});
    CHECK(o2.delegate_ref == "lee@example.com");
}

TEST_CASE("bad input says what was wrong and what is allowed")
{
    struct row {
        const char* text;
        const char* code;
        const char* mentions;
    };
    auto r = GENERATE(values<row>({
        {"request api-production --duration 7x --reason r", "bad_duration", "30m, 4h"},
        {"request api-production --reason", "missing_value", "--reason \"debugging latency\""},
        {"request api-production --duration 1d", "missing_reason", "--reason"},
        {"request api-production --duration 1d --reason \"   \"", "missing_reason", "--reason"},
        {"request api-production --colour red --reason r", "unknown_option", "--duration, --reason, --ticket, --break-glass"},
        {"request api-production debugging latency --reason r", "unexpected_argument", "quotes"},
        {"request api-production --break-glass=yes --reason r", "unexpected_value", "no value"},
        {"status 123", "bad_petition_id", "p-7k2m9x"},
        {"status p-1 p-2", "unexpected_argument", "Usage"},
        {"mine please", "unexpected_argument", "Usage"},
        {"extend p-1", "missing_argument", "length"},
        {"extend p-1 forever", "bad_duration", "30m"},
        {"cancel", "missing_argument", "p-7k2m9x"},
        {"cancel p-1 --reason x", "unknown_option", "takes none"},
        {"explain", "missing_argument", "bundle"},
        {"ooo", "missing_argument", "off"},
        {"ooo 2026-02-30", "bad_date", "YYYY-MM-DD"},
        {"ooo 2020-01-01", "bad_date", "past"},
        {"ooo 9999-12-31", "bad_date", "YYYY-MM-DD"},
        {"ooo -999-01-01", "bad_date", "YYYY-MM-DD"},
        {"ooo soon", "bad_date", "neither"},
        {"ooo off --delegate x", "unexpected_argument", "no options"},
    }));
    INFO(r.text);
    auto i = intent_of(r.text);
    REQUIRE_FALSE(i.has_value());
    CHECK(i.error().code == r.code);
    CHECK_THAT(i.error().message, Catch::Contains(r.mentions));
}

TEST_CASE("input is bounded")
{
    auto i = intent_of("request api-production --reason \"" + std::string(3001, 'x') + "\"");
    REQUIRE_FALSE(i.has_value());
    CHECK(i.error().code == "too_long_input");
    CHECK_THAT(i.error().message, Catch::Contains("3000"));
}

TEST_CASE("lengths are counted in characters, as Slack counts them, and reasons are trimmed")
{
    struct row {
        std::string text;
        std::size_t chars;
    };
    for (const auto& r : std::vector<row>{{"", 0}, {"ok", 2}, {"ok 🙂🙂🙂", 6}, {"Привет", 6}, {"日本", 2}})
        CHECK(checkpoint::workflow::char_count(r.text) == r.chars);
    CHECK(checkpoint::workflow::trim("  \t debugging \n") == "debugging");
    CHECK(checkpoint::workflow::trim(" \t\n ").empty());

    std::string emoji;
    for (int n = 0; n < 1000; ++n)
        emoji += "🙂"; // 4000 bytes, 1000 characters
    CHECK(expect<intent::request>("request api-production --reason \"" + emoji + "\"").reason == emoji);
    std::string cyrillic;
    for (int n = 0; n < 2100; ++n)
        cyrillic += "ж"; // 4200 bytes, 2100 characters
    CHECK(expect<intent::request>("request api-production --reason \"" + cyrillic + "\"").reason == cyrillic);
    CHECK(expect<intent::request>("request api-production --reason \"  load test  \"").reason == "load test");
}

TEST_CASE("petition ids")
{
    CHECK(is_petition_id("p-7k2m9x"));
    CHECK_FALSE(is_petition_id("p-"));
    CHECK_FALSE(is_petition_id("7k2m9x"));
    CHECK_FALSE(is_petition_id("p-x;drop"));
    CHECK_FALSE(is_petition_id("p-" + std::string(70, 'a')));
}
