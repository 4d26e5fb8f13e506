#include "cli/resource_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace checkpoint::cli;
namespace json = boost::json;

TEST_CASE("a customers CSV becomes resources with labels")
{
    const std::string csv = "id,displayName,label.tier,label.plan\r\n"
                            "123,Acme Corp,gold,enterprise\r\n"
                            "\"456\",\"Smith, Jones & \"\"Co\"\"\",silver,\n"
                            "789,\"Multi\nLine\",,\n";
    auto r = read_resources(csv, resource_format::csv, "customer");
    REQUIRE(r.has_value());
    CHECK(*r == json::parse(R"([
      {"kind":"customer","id":"123","displayName":"Acme Corp","labels":{"tier":"gold","plan":"enterprise"}},
      {"kind":"customer","id":"456","displayName":"Smith, Jones & \"Co\"","labels":{"tier":"silver"}},
      {"kind":"customer","id":"789","displayName":"Multi\nLine","labels":{}}])"));
}

TEST_CASE("JSON in the seed's bulkUpdate shape, a bare array or one object")
{
    auto [text, count] = GENERATE(table<std::string, std::size_t>({
        {R"({"resources":[{"kind":"customer","id":123,"displayName":"Acme","labels":{"plan":"pro"}}]})", 1},
        {R"([{"id":"1","name":"A"},{"id":"2","display_name":"B","kind":"project"}])", 2},
        {R"({"id":"9","displayName":"Nine"})", 1},
    }));
    auto r = read_resources(text, resource_format::json, "customer");
    REQUIRE(r.has_value());
    CHECK(r->size() == count);
    CHECK(r->at(0).at("kind") == "customer");
    CHECK(r->at(0).at("id").is_string());
}

TEST_CASE("bad resource files are refused with the item and field named")
{
    auto [text, format, needle] = GENERATE(table<std::string, resource_format, std::string>({
        {"name\nAcme\n", resource_format::csv, "line 1: no id column"},
        {"id,colour\n1,red\n", resource_format::csv, "line 1: unknown column \"colour\""},
        {"id,displayName\n1,A\n2\n", resource_format::csv, "line 3: 1 fields, but the header has 2"},
        {"id,displayName\n1,\"open\n", resource_format::csv, "line 2: a quoted field is never closed"},
        {"id,displayName\n1,a\"b\n", resource_format::csv, "line 2: a quote inside an unquoted field"},
        {"id\n\n", resource_format::csv, "the file holds no resources"},
        {"", resource_format::csv, "the CSV file is empty"},
        {"[{\"id\":\"1\"},{\"id\":true}]", resource_format::json, "item 1: id must be a string or a number"},
        {"[{\"id\":\"1\",\"color\":\"x\"}]", resource_format::json, "item 0: unknown field \"color\""},
        {"[{\"id\":\"1\",\"labels\":[]}]", resource_format::json, "item 0: labels must be an object"},
        {"[{\"id\":\"\"}]", resource_format::json, "item 0: id is missing"},
        {"[1,", resource_format::json, "not valid JSON"},
        {"\"x\"", resource_format::json, "expected an array of resources"},
    }));
    INFO(text);
    auto r = read_resources(text, format, "customer");
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().message, Catch::Contains(needle));
}

TEST_CASE("without a kind in the file or --kind, the row goes without one (the server's only kind)")
{
    auto r = read_resources("id\n1\n", resource_format::csv, "");
    REQUIRE(r.has_value());
    CHECK_FALSE(r->at(0).as_object().contains("kind"));
    r = read_resources("kind,id\nproject,1\n", resource_format::csv, "");
    REQUIRE(r.has_value());
    CHECK(r->at(0).at("kind") == "project");
}

TEST_CASE("uploads above the server's limits are refused before sending")
{
    std::string csv = "id\n";
    for (std::size_t i = 0; i <= max_upload_resources; ++i)
        csv += std::to_string(i) + "\n";
    auto r = read_resources(csv, resource_format::csv, "customer");
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().message, Catch::Contains("more than 10000 resources"));
    r = read_resources(std::string(max_upload_bytes + 1, ' '), resource_format::json, "customer");
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().message, Catch::Contains("larger than 8 MiB"));
}

TEST_CASE("the format is told by the extension, else by the first character")
{
    CHECK(guess_format("c.csv", "[") == resource_format::csv);
    CHECK(guess_format("c.json", "id") == resource_format::json);
    CHECK(guess_format("c.txt", "  \n[{}]") == resource_format::json);
    CHECK(guess_format("-", "id,name") == resource_format::csv);
}

TEST_CASE("an HR export's people are read from CSV or JSON, and a bad one says where and why")
{
    struct row {
        std::string what;
        std::string text;
        resource_format format;
        std::string error;  // empty: read
        std::size_t people;
    };
    const std::vector<row> rows{
        {"CSV with a header and a BOM, empty cells left out",
         "\xEF\xBB\xBFid,name,email,manager,team,active\nu-1,Ann,ann@example.com,,Data Platform,true\nu-2,Bo,,u-1,,false\n",
         resource_format::csv, "", 2},
        {"quoted fields", "id,name\nu-1,\"Lin, Lee\"\n", resource_format::csv, "", 1},
        {"JSON array", R"([{"id":"u-1","active":false}])", resource_format::json, "", 1},
        {"JSON object", R"({"people":[{"id":"u-1"},{"email":"b@example.com"}]})", resource_format::json, "", 2},
        {"an unknown column", "id,title\nu-1,CEO\n", resource_format::csv, "line 1: unknown column \"title\"", 0},
        {"a short row", "id,name\nu-1\n", resource_format::csv, "line 2: 1 fields, but the header has 2", 0},
        {"nobody", "id,name\n", resource_format::csv, "lists no one", 0},
        {"not JSON", "[{", resource_format::json, "not valid JSON", 0},
        {"JSON of another shape", R"({"users":[]})", resource_format::json, "expected an array of people", 0},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto people = read_people(r.text, r.format);
        if (!r.error.empty()) {
            REQUIRE_FALSE(people.has_value());
            CHECK_THAT(people.error().message, Catch::Contains(r.error));
            continue;
        }
        REQUIRE(people.has_value());
        CHECK(people->size() == r.people);
    }
    auto csv = read_people("id,name,manager\nu-2,Bo,\n", resource_format::csv).value();
    CHECK(csv.at(0).as_object().size() == 2);
    CHECK(csv.at(0).at("name") == "Bo");
}
