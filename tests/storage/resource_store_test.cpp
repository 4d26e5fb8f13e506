#include "fixture.hpp"
#include "storage/resource_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::storage::test;

TEST_CASE("resources are upserted by kind and id, listed, and forgotten when a sync no longer sees them")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::resource_store resources(*db);
    REQUIRE(resources.upsert({"database", "orders", "Orders (prod)", "{\"env\": \"prod\"}", at(0)}));
    REQUIRE(resources.upsert({"database", "users", "Users", "", at(0)}));
    REQUIRE(resources.upsert({"cluster", "eu-1", "EU cluster", "{}", at(0)}));

    SECTION("find and list")
    {
        auto orders = resources.find("database", "orders").value();
        REQUIRE(orders);
        CHECK(orders->display_name == "Orders (prod)");
        CHECK(orders->labels == "{\"env\":\"prod\"}");
        CHECK(resources.find("database", "users").value()->labels == "{}");
        CHECK(resources.of_kind("database").value().size() == 2);
        CHECK_FALSE(resources.find("cluster", "orders").value());
    }
    SECTION("a second sync updates what it saw and drops the rest")
    {
        REQUIRE(resources.upsert({"database", "orders", "Orders", "{}", at(10)}));
        CHECK(resources.remove_stale("database", at(10)).value() == 1);
        auto left = resources.of_kind("database").value();
        REQUIRE(left.size() == 1);
        CHECK(left[0].display_name == "Orders");
        CHECK(resources.of_kind("cluster").value().size() == 1);
    }
    SECTION("labels must be a JSON object")
    {
        auto bad = resources.upsert({"database", "x", "X", "[1]", at(0)});
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == "bad_labels");
    }
}
