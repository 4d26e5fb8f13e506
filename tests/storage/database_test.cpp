#include "fixture.hpp"
#include "tests/support/test_database.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/slack_event_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

using namespace checkpoint;

TEST_CASE("a new database is migrated to the latest schema with durable settings", "[sqlite]")
{
    test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db")));
    REQUIRE(db.has_value());
    auto& c = (*db)->connection();
    CHECK((*db)->schema_version() == storage::database::latest_schema_version());
    auto& raw = storage::test::sqlite_of(c);
    CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(raw.execAndGet("PRAGMA synchronous").getInt() == 2);
    CHECK(raw.execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK((*db)->ping());
}

TEST_CASE("reopening keeps the data and applies nothing twice")
{
    test::temp_dir dir;
    {
        auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db"))).value();
        db->connection().exec("INSERT INTO slack_events VALUES ('Ev1', 1)");
    }
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db"))).value();
    CHECK(storage::test::scalar(*db, "SELECT count(*) FROM slack_events") == 1);
}

TEST_CASE("a database newer than this binary is refused with a clear message", "[sqlite]")
{
    test::temp_dir dir;
    {
        SQLite::Database raw(dir.file("c.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec("PRAGMA user_version = 999");
    }
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db")));
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code == "database_too_new");
    CHECK_THAT(db.error().message, Catch::Contains("999") && Catch::Contains("newer"));
}

TEST_CASE("an unopenable path is an error, not a crash", "[sqlite]")
{
    auto db = storage::database::open("/nonexistent-dir/x/y.db");
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code == "database_open_failed");
}

TEST_CASE("a version-1 database is migrated forward and keeps its rows", "[sqlite]")
{
    checkpoint::test::temp_dir dir;
    {
        SQLite::Database raw(dir.file("c.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec(std::string(storage::migrations()[0].sql));
        raw.exec("PRAGMA user_version = 1");
        raw.exec("INSERT INTO slack_events VALUES ('Ev-old', 7)");
    }

    auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db"))).value();

    CHECK(db->schema_version() == storage::database::latest_schema_version());
    CHECK(storage::test::scalar(*db, "SELECT count(*) FROM slack_events WHERE event_id = 'Ev-old'") == 1);
    auto guard = db->lock();
    auto& c = storage::test::sqlite_of(db->connection());
    for (const char* table : {"petitions", "petition_steps", "step_reviewers", "decisions", "grants", "card_messages",
                              "resources", "slack_users", "jobs", "audit_log", "audit_head"}) {
        INFO(table);
        CHECK(c.tableExists(table));
    }
}

TEST_CASE("migrations are numbered 1, 2, … without gaps")
{
    int expected = 1;
    for (const auto& m : storage::migrations())
        CHECK(m.version == expected++);
}

TEST_CASE("the writer connection is durable too", "[sqlite]")
{
    checkpoint::test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db"))).value();
    auto settings = db->write([](storage::connection& c) -> workflow::result<std::pair<int, int>> {
        auto& raw = static_cast<storage::sqlite_connection&>(c).db();
        return std::pair{raw.execAndGet("PRAGMA synchronous").getInt(), raw.execAndGet("PRAGMA foreign_keys").getInt()};
    });
    REQUIRE(settings);
    CHECK(settings->first == 2);
    CHECK(settings->second == 1);
}

TEST_CASE("an online backup is a consistent, openable copy", "[sqlite]")
{
    checkpoint::test::temp_dir dir;
    auto db = storage::database::open(dir.file("live.db")).value();
    storage::slack_event_store events(*db);
    for (int i = 0; i < 50; ++i)
        REQUIRE(events.first_delivery("Ev" + std::to_string(i), storage::test::at()));

    auto done = db->backup(dir.file("copy.db"));

    REQUIRE(done);
    auto copy = storage::database::open(dir.file("copy.db")).value();
    CHECK(copy->integrity_check().value() == "ok");
    CHECK(storage::test::scalar(*copy, "SELECT count(*) FROM slack_events") == 50);
    CHECK(copy->schema_version() == storage::database::latest_schema_version());
    SECTION("a backup to an unwritable place is an error")
    {
        auto bad = db->backup("/nonexistent-dir/copy.db");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == "backup_failed");
    }
}

TEST_CASE("Slack event ids are remembered durably and purged by age")
{
    checkpoint::test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("c.db"))).value();
    storage::slack_event_store events(*db);
    CHECK(events.first_delivery("Ev1", storage::test::at(0)));
    CHECK_FALSE(events.first_delivery("Ev1", storage::test::at(1)));
    CHECK(events.first_delivery("Ev2", storage::test::at(120)));
    CHECK(events.purge_before(storage::test::at(60)) == 1);
    CHECK(events.first_delivery("Ev1", storage::test::at(121)));
}
