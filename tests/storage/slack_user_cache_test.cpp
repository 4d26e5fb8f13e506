#include "fixture.hpp"
#include "storage/slack_user_cache.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::storage::test;

TEST_CASE("the Slack user cache answers while fresh and is refreshed by put")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::slack_user_cache cache(*db);
    REQUIRE(cache.put({"U123", "sam", "sam@example.com", at(0)}));

    struct row {
        const char* name;
        int fresh_since;
        bool found;
    };
    auto r = GENERATE(row{"fetched after the cut-off", -60, true}, row{"fetched at the cut-off", 0, true},
                      row{"fetched before the cut-off", 1, false});
    INFO(r.name);
    auto got = cache.get("U123", at(r.fresh_since));
    REQUIRE(got);
    CHECK(got->has_value() == r.found);
    if (r.found) {
        CHECK((*got)->person_id == "sam");
        CHECK((*got)->email == "sam@example.com");
    }

    SECTION("a refresh replaces the entry; lookups by person work")
    {
        REQUIRE(cache.put({"U123", "sam", "sam@new.example.com", at(10)}));
        CHECK(cache.get("U123", at(5)).value()->email == "sam@new.example.com");
        CHECK(cache.by_person("sam").value()->slack_id == "U123");
        CHECK_FALSE(cache.by_person("nobody").value());
    }
}
