#include "bot/form.hpp"

#include <catch2/catch.hpp>

using checkpoint::bot::form;
using checkpoint::bot::is_valid_utf8;

TEST_CASE("form bodies decode as Slack encodes them")
{
    std::string why;
    SECTION("plus and %20 are spaces; %2F and a literal slash both decode")
    {
        auto f = form::parse("command=%2Fcheckpoint&text=request+api-production%20--duration+7d&c2=/x", &why);
        REQUIRE(f);
        CHECK(f->get("command") == std::optional<std::string_view>{"/checkpoint"});
        CHECK(f->get("text") == std::optional<std::string_view>{"request api-production --duration 7d"});
        CHECK(f->get("c2") == std::optional<std::string_view>{"/x"});
    }
    SECTION("UTF-8 percent-encoded")
    {
        auto f = form::parse("text=%E2%80%9Chi%E2%80%9D", &why);
        REQUIRE(f);
        CHECK(f->get("text") == std::optional<std::string_view>{"\u201Chi\u201D"});
    }
    SECTION("repeated keys keep order; the first wins get()")
    {
        auto f = form::parse("a=1&a=2&b=", &why);
        REQUIRE(f);
        CHECK(f->count("a") == 2);
        CHECK(f->get("a") == std::optional<std::string_view>{"1"});
        CHECK(f->get("b") == std::optional<std::string_view>{""});
        CHECK_FALSE(f->get("c"));
    }
    SECTION("empty keys and an empty body")
    {
        auto f = form::parse("=x&&text=", &why);
        REQUIRE(f);
        CHECK(f->get("text") == std::optional<std::string_view>{""});
        CHECK(form::parse("", &why));
    }
    SECTION("bad percent-encoding is refused with a reason")
    {
        CHECK_FALSE(form::parse("text=%ZZ", &why));
        CHECK_THAT(why, Catch::Contains("form"));
        CHECK_FALSE(form::parse("text=%E2%80", &why));
    }
    SECTION("invalid UTF-8 is refused, naming the field")
    {
        CHECK_FALSE(form::parse("text=%FF%FE", &why));
        CHECK_THAT(why, Catch::Contains("text") && Catch::Contains("UTF-8"));
    }
}

TEST_CASE("is_valid_utf8 rejects what is not UTF-8")
{
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("\u00E9\u201C\U0001F512"));
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xE2\x80"));         // cut short
    CHECK_FALSE(is_valid_utf8("\x80"));
}

TEST_CASE("a form body is read to its end and no further")
{
    // given a body that is a view into a longer buffer, as a slice of a request is
    const std::string buffer = "text=request+api-staging&command=%2Fcheckpoint";
    const std::string_view body(buffer.data(), 8);
    // when it is decoded
    std::string why;
    auto f = form::parse(body, &why);
    // then only its own bytes are fields (Boost.URL 1.81 alone reads on to the buffer's NUL)
    REQUIRE(f);
    CHECK(f->fields().size() == 1);
    CHECK(f->get("text") == std::optional<std::string_view>{"req"});
    CHECK_FALSE(f->get("command"));
}
