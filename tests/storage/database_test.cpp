#include "storage/database.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

using namespace checkpoint;

TEST_CASE("a new database is migrated to the latest schema with durable settings")
{
    test::temp_dir dir;
    auto db = storage::database::open(dir.file("c.db"));
    REQUIRE(db.has_value());
    auto& c = (*db)->connection();
    CHECK((*db)->schema_version() == storage::database::latest_schema_version());
    CHECK(c.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(c.execAndGet("PRAGMA synchronous").getInt() == 2);
    CHECK(c.execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK((*db)->ping());
}

TEST_CASE("reopening keeps the data and applies nothing twice")
{
    test::temp_dir dir;
    {
        auto db = storage::database::open(dir.file("c.db")).value();
        db->connection().exec("INSERT INTO slack_events VALUES ('Ev1', 1)");
    }
    auto db = storage::database::open(dir.file("c.db")).value();
    CHECK(db->connection().execAndGet("SELECT count(*) FROM slack_events").getInt() == 1);
}

TEST_CASE("a database newer than this binary is refused with a clear message")
{
    test::temp_dir dir;
    {
        SQLite::Database raw(dir.file("c.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec("PRAGMA user_version = 999");
    }
    auto db = storage::database::open(dir.file("c.db"));
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code == "database_too_new");
    CHECK_THAT(db.error().message, Catch::Contains("999") && Catch::Contains("newer"));
}

TEST_CASE("an unopenable path is an error, not a crash")
{
    auto db = storage::database::open("/nonexistent-dir/x/y.db");
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code == "database_open_failed");
}
