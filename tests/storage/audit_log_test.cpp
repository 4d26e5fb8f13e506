#include "fixture.hpp"
#include "storage/audit_log.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::storage::test;

namespace {

workflow::audit_event event(int n)
{
    return workflow::audit_event{"mary", "approve", at(n), "looks fine", "owner", "P-" + std::to_string(n % 2),
                                 "{\"version\":" + std::to_string(n) + "}"};
}

// An attacker with the file: the triggers go first, then the edit.
void tamper(storage::database& db, const std::string& sql)
{
    auto guard = db.lock();
    db.connection().exec("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");
    db.connection().exec(sql);
}

} // namespace

TEST_CASE("appends form a hash chain from the genesis hash")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);

    auto first = log.append(event(1));
    auto second = log.append(event(2));

    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->seq == 1);
    CHECK(second->seq == 2);
    CHECK(first->prev_hash == storage::audit_log::genesis_hash);
    CHECK(second->prev_hash == first->hash);
    CHECK(first->hash.size() == 64);
    CHECK(first->hash == storage::audit_log::hash_of(first->prev_hash, 1, first->event));
    CHECK(first->event.actor == "mary");
    CHECK(first->event.rule == "owner");
}

TEST_CASE("the hash is SHA-256 over the previous hash and length-prefixed fields")
{
    // Python: hashlib.sha256(b"1:0\n1:0\n" + b"0:\n" * 5 + b"2:{}\n").hexdigest()
    workflow::audit_event e{"", "", workflow::time_point{}, "", "", "", "{}"};
    CHECK(storage::audit_log::hash_of("", 0, e) == "47567066507a64db0e7495183766ccc8f8b7ed33a349e8dd0feb6a92dbc54d65");
    CHECK(storage::audit_log::hash_of("", 1, e) != storage::audit_log::hash_of("", 0, e));
}

TEST_CASE("an untouched log verifies")
{
    auto n = GENERATE(0, 1, 7);
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);
    for (int i = 1; i <= n; ++i)
        REQUIRE(log.append(event(i)));

    auto v = log.verify();

    REQUIRE(v);
    CHECK(v->ok);
    CHECK(v->checked == static_cast<std::uint64_t>(n));
    CHECK_FALSE(v->first_bad_seq);
}

TEST_CASE("the database itself refuses to update or delete audit events")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);
    REQUIRE(log.append(event(1)));
    auto guard = db->lock();
    CHECK_THROWS_WITH(db->connection().exec("UPDATE audit_log SET reason = 'x'"), Catch::Contains("append-only"));
    CHECK_THROWS_WITH(db->connection().exec("DELETE FROM audit_log"), Catch::Contains("append-only"));
}

TEST_CASE("verify finds the first altered, inserted or deleted event")
{
    struct row {
        const char* name;
        const char* sql;
        std::uint64_t first_bad;
        const char* problem;
    };
    auto r = GENERATE(
        row{"a reason edited", "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3", 3, "altered"},
        row{"an actor swapped", "UPDATE audit_log SET actor = 'eve' WHERE seq = 5", 5, "altered"},
        row{"a timestamp moved", "UPDATE audit_log SET at = at + 1 WHERE seq = 2", 2, "altered"},
        row{"an event deleted from the middle", "DELETE FROM audit_log WHERE seq = 3", 3, "missing"},
        row{"the last event deleted", "DELETE FROM audit_log WHERE seq = 6", 6, "end of the log was deleted"},
        row{"an event inserted in the middle, renumbering the rest",
            "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 4; UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100; "
            "INSERT INTO audit_log SELECT 4, at, 'eve', 'approve', '', 'owner', petition_id, details, hash, hash, "
            "petition_seq FROM audit_log WHERE seq = 3",
            4, "altered"},
        row{"an event appended behind the log's back",
            "INSERT INTO audit_log SELECT 7, at, 'eve', 'approve', '', 'owner', petition_id, details, hash, hash, "
            "petition_seq FROM audit_log WHERE seq = 6",
            7, "altered"},
        row{"an event rewritten with a fresh hash", "UPDATE audit_log SET reason = 'x', hash = 'f' WHERE seq = 2", 2,
            "altered"});
    GIVEN("a log of six events, then " << r.name)
    {
        checkpoint::test::temp_dir dir;
        auto db = open_db(dir.file("c.db"));
        storage::audit_log log(*db);
        for (int i = 1; i <= 6; ++i)
            REQUIRE(log.append(event(i)));
        tamper(*db, r.sql);

        WHEN("the chain is verified")
        {
            auto v = log.verify();

            THEN("it names the first bad event and what is wrong")
            {
                REQUIRE(v);
                CHECK_FALSE(v->ok);
                REQUIRE(v->first_bad_seq);
                CHECK(*v->first_bad_seq == r.first_bad);
                CHECK_THAT(v->problem, Catch::Contains(r.problem));
            }
        }
    }
}

TEST_CASE("a forged event with a recomputed hash still breaks the link to the next one")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);
    std::vector<workflow::audit_record> records;
    for (int i = 1; i <= 4; ++i)
        records.push_back(log.append(event(i)).value());
    auto forged = records[1];
    forged.event.actor = "eve";
    const auto h = storage::audit_log::hash_of(forged.prev_hash, 2, forged.event);
    tamper(*db, "UPDATE audit_log SET actor = 'eve', hash = '" + h + "' WHERE seq = 2");

    auto v = log.verify().value();

    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 3u);
    CHECK_THAT(v.problem, Catch::Contains("does not follow"));
}

TEST_CASE("a well-hashed event appended behind the log's back is caught by the recorded head")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);
    workflow::audit_record last;
    for (int i = 1; i <= 3; ++i)
        last = log.append(event(i)).value();
    auto e = event(4);
    const auto h = storage::audit_log::hash_of(last.hash, 4, e);
    tamper(*db, "INSERT INTO audit_log VALUES (4, " + std::to_string(workflow::to_millis(e.at)) +
                    ", 'mary', 'approve', 'looks fine', 'owner', 'P-0', '{\"version\":4}', '" + last.hash + "', '" +
                    h + "', NULL)");

    auto v = log.verify().value();

    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 4u);
    CHECK_THAT(v.problem, Catch::Contains("inserted after the last event"));
}

TEST_CASE("the events of one petition come back oldest first")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);
    {
        // Events are found through their petition's row.
        auto guard = db->lock();
        db->connection().exec("INSERT INTO petitions (id, version, state, requester_id, target, created_at, updated_at, "
                              "body) VALUES ('P-0', 1, 'pending', 's', 't', 0, 0, '{}'), "
                              "('P-1', 1, 'pending', 's', 't', 0, 0, '{}')");
    }
    for (int i = 1; i <= 5; ++i)
        REQUIRE(log.append(event(i)));

    auto odd = log.for_petition("P-1").value();

    REQUIRE(odd.size() == 3);
    CHECK(odd[0].seq == 1);
    CHECK(odd[2].seq == 5);
    CHECK(odd[1].event.details == "{\"version\":3}");
    CHECK(odd[1].event.at == at(3));
}

TEST_CASE("details must be JSON; an invalid one is refused and leaves the chain as it was")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::audit_log log(*db);
    auto e = event(1);
    e.details = "{not json";
    CHECK_FALSE(log.append(e));
    REQUIRE(log.append(event(2)));
    CHECK(log.verify().value().ok);
    CHECK(scalar(*db, "SELECT count(*) FROM audit_log") == 1);
}
