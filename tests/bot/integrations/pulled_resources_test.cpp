#include "bot/integrations/pulled_resources.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::bot;

TEST_CASE("a pull/update answer as MANIFESTS.md shows it")
{
    const auto r = parse_pulled_resources(
        R"({"resources":[{"kind":"customer","id":"123","displayName":"Acme Corp","labels":{"plan":"enterprise"}}]})");
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].kind == "customer");
    CHECK((*r)[0].id == "123");
    CHECK((*r)[0].display_name == "Acme Corp");
    CHECK((*r)[0].labels == label_list{{"plan", "enterprise"}});
    CHECK(parse_pulled_resources(R"({"resources":[]})")->empty());
}

TEST_CASE("invalid answers are refused with the field named")
{
    struct row {
        const char* name;
        std::string body;
        const char* says;
    };
    const std::string long_id(201, 'x');
    const row c = GENERATE_COPY(values<row>({
        {"not JSON", "<html>", "not JSON"},
        {"no list", R"({"items":[]})", "\"resources\""},
        {"not an object", R"({"resources":[7]})", "resources[0]"},
        {"missing id", R"({"resources":[{"kind":"customer"}]})", "resources[0].id"},
        {"empty kind", R"({"resources":[{"kind":"","id":"1"}]})", "resources[0].kind"},
        {"numeric id", R"({"resources":[{"kind":"customer","id":123}]})", "resources[0].id must be a string"},
        {"long id", R"({"resources":[{"kind":"c","id":")" + long_id + R"("}]})", "longer than 200"},
        {"id with a colon", R"({"resources":[{"kind":"c","id":"a:b"}]})", "resources[0].id must not contain"},
        {"label not a string", R"({"resources":[{"kind":"c","id":"1","labels":{"seats":40}}]})",
         "resources[0].labels.seats"},
        {"labels not an object", R"({"resources":[{"kind":"c","id":"1","labels":["a"]}]})", "resources[0].labels"},
    }));
    SECTION(c.name)
    {
        const auto r = parse_pulled_resources(c.body);
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::Contains(c.says));
    }
}

TEST_CASE("the number of resources is bounded")
{
    pulled_resource_limits limits;
    limits.max_resources = 2;
    const auto r = parse_pulled_resources(
        R"({"resources":[{"kind":"c","id":"1"},{"kind":"c","id":"2"},{"kind":"c","id":"3"}]})", limits);
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().message, Catch::Contains("at most 2"));
}
