#include "fixture.hpp"
#include "tests/support/test_database.hpp"
#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/migrations.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

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
    drop_audit_triggers(db.connection());
    db.connection().exec_script(sql);
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
            "petition_seq, NULL FROM audit_log WHERE seq = 3",
            4, "altered"},
        row{"an event appended behind the log's back",
            "INSERT INTO audit_log SELECT 7, at, 'eve', 'approve', '', 'owner', petition_id, details, hash, hash, "
            "petition_seq, NULL FROM audit_log WHERE seq = 6",
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
                    h + "', NULL, NULL)");

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
    // Every event's details name where it came from: the service itself here, with no token.
    CHECK(odd[1].event.details == "{\"version\":3,\"channel\":\"system\",\"caller_token\":null}");
    CHECK(odd[1].event.at == at(3));
}

TEST_CASE("details must be JSON - an invalid one is refused and leaves the chain as it was")
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

// ---- The keyed chain (issue 16): a key outside the database, anchors, and chains from before keys.

namespace {

std::shared_ptr<const storage::audit_key> key_of(char c) { return storage::audit_key::make(std::string(32, c)).value(); }

std::unique_ptr<storage::database> open_keyed(const std::string& path, std::shared_ptr<const storage::audit_key> key,
                                              bool seal = true)
{
    storage::database_options o;
    o.audit_key = std::move(key);
    o.seal_audit = seal;
    return open_db(path, o);
}

std::vector<workflow::audit_record> records_of(storage::database& db)
{
    auto guard = db.lock();
    auto q = db.connection().use("SELECT seq, at, actor, action, reason, rule, petition_id, details, prev_hash, "
                                         "hash FROM audit_log ORDER BY seq");
    std::vector<workflow::audit_record> out;
    while (q->executeStep()) {
        workflow::audit_record r;
        r.seq = static_cast<std::uint64_t>(q->getColumn(0).getInt64());
        r.event = {q->getColumn(2).getString(), q->getColumn(3).getString(), workflow::from_millis(q->getColumn(1).getInt64()),
                   q->getColumn(4).getString(), q->getColumn(5).getString(), q->getColumn(6).getString(),
                   q->getColumn(7).getString()};
        r.prev_hash = q->getColumn(8).getString();
        r.hash = q->getColumn(9).getString();
        out.push_back(std::move(r));
    }
    return out;
}

// The check `audit verify` made before the chain had a key: every SHA-256 link, and the recorded head.
bool plain_chain_holds(storage::database& db)
{
    std::string prev(storage::audit_log::genesis_hash);
    for (const auto& r : records_of(db)) {
        if (r.prev_hash != prev || storage::audit_log::hash_of(r.prev_hash, r.seq, r.event) != r.hash)
            return false;
        prev = r.hash;
    }
    return prev == (scalar(db, "SELECT count(*) FROM audit_head") ? text(db, "SELECT hash FROM audit_head")
                                                                   : std::string(storage::audit_log::genesis_hash));
}

// The attack from issue 16, by someone who can write the database but does not hold the key: the triggers go,
// event `seq`'s reason is rewritten, and every SHA-256 from there on and the head are recomputed.
void rewrite_with_fresh_hashes(storage::database& db, std::uint64_t seq, const std::string& reason)
{
    auto records = records_of(db);
    auto guard = db.lock();
    auto& c = db.connection();
    drop_audit_triggers(c);
    std::string prev(storage::audit_log::genesis_hash);
    for (auto& r : records) {
        if (r.seq == seq)
            r.event.reason = reason;
        if (r.seq >= seq) {
            r.prev_hash = prev;
            r.hash = storage::audit_log::hash_of(prev, r.seq, r.event);
            auto u = c.use("UPDATE audit_log SET reason = ?, prev_hash = ?, hash = ? WHERE seq = ?");
            u->bind(1, r.event.reason);
            u->bind(2, r.prev_hash);
            u->bind(3, r.hash);
            u->bind(4, static_cast<std::int64_t>(r.seq));
            u->exec();
        }
        prev = r.hash;
    }
    auto head = c.use("UPDATE audit_head SET hash = ?");
    head->bind(1, prev);
    head->exec();
}

// A database as checkpointd made it before keys (schema 10): migrations 1 to 10 and a plain chain of `n` events.
void make_unkeyed_database(const std::string& path, int n)
{
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (const auto& m : storage::migrations())
        if (m.version <= 10)
            raw.exec(std::string(m.sql));
    raw.exec("PRAGMA user_version = 10");
    std::string prev(storage::audit_log::genesis_hash);
    for (int i = 1; i <= n; ++i) {
        const auto e = storage::audit_log::normalized(event(i));
        const auto h = storage::audit_log::hash_of(prev, static_cast<std::uint64_t>(i), e);
        SQLite::Statement q(raw, "INSERT INTO audit_log (seq, at, actor, action, reason, rule, petition_id, details, "
                                 "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, i);
        q.bind(2, workflow::to_millis(e.at));
        q.bind(3, e.actor);
        q.bind(4, e.action);
        q.bind(5, e.reason);
        q.bind(6, e.rule);
        q.bind(7, e.petition_id);
        q.bind(8, e.details);
        q.bind(9, prev);
        q.bind(10, h);
        q.exec();
        prev = h;
    }
    if (n > 0) {
        SQLite::Statement head(raw, "INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?)");
        head.bind(1, n);
        head.bind(2, prev);
        head.exec();
    }
}

workflow::audit_anchor_request anchor_request(std::string posted_to = "C0SECURITY")
{
    workflow::audit_anchor_request r;
    r.at = at(100);
    r.posted_to = std::move(posted_to);
    r.trigger = "demand";
    r.by = "token:ops";
    return r;
}

} // namespace

TEST_CASE("with a key, every event carries a keyed hash chained from the one before")
{
    checkpoint::test::temp_dir dir;
    const auto key = key_of('k');
    auto db = open_keyed(dir.file("c.db"), key);
    storage::audit_log log(*db);

    auto first = log.append(event(1)).value();
    auto second = log.append(event(2)).value();

    CHECK(first.mac == storage::audit_log::mac_of(*key, storage::audit_log::genesis_hash, 1, first.hash));
    CHECK(second.mac == storage::audit_log::mac_of(*key, first.mac, 2, second.hash));
    CHECK(second.mac != storage::audit_log::mac_of(*key_of('x'), first.mac, 2, second.hash));
    auto v = log.verify().value();
    CHECK(v.ok);
    CHECK(v.keyed);
    CHECK(v.checked == 2);
}

TEST_CASE("issue 16's attack: rewritten, with every SHA-256 and the head recomputed, the chain fails its keyed check")
{
    struct row {
        const char* name;
        // After the rewrite, what else the attacker tries.
        const char* then;
        std::uint64_t first_bad;
        const char* problem;
    };
    auto r = GENERATE(row{"keyed hashes left as they were", "", 3, "keyed hash does not match"},
                      row{"keyed hashes wiped", "UPDATE audit_log SET mac = NULL; UPDATE audit_head SET mac = NULL", 1,
                          "no keyed hash"},
                      row{"keyed hashes copied along from the next event",
                          "UPDATE audit_log SET mac = (SELECT mac FROM audit_log n WHERE n.seq = audit_log.seq + 1) "
                          "WHERE seq = 3",
                          3, "keyed hash does not match"});
    GIVEN("a keyed log of six events whose third reason is rewritten, " << r.name)
    {
        checkpoint::test::temp_dir dir;
        auto db = open_keyed(dir.file("c.db"), key_of('k'));
        storage::audit_log log(*db);
        for (int i = 1; i <= 6; ++i)
            REQUIRE(log.append(event(i)).has_value());
        rewrite_with_fresh_hashes(*db, 3, "nothing to see here");
        if (*r.then)
            tamper(*db, r.then);
        // The hole: every plain hash links, which is all `audit verify` checked before the key.
        REQUIRE(plain_chain_holds(*db));

        WHEN("the chain is verified with the key")
        {
            auto v = log.verify().value();

            THEN("it names the rewritten event")
            {
                CHECK_FALSE(v.ok);
                CHECK(v.first_bad_seq == r.first_bad);
                CHECK_THAT(v.problem, Catch::Contains(r.problem));
            }
        }
    }
}

TEST_CASE("a database opened with another key is refused, and without a key a keyed chain is neither appended to "
          "nor passed")
{
    checkpoint::test::temp_dir dir;
    {
        auto db = open_keyed(dir.file("c.db"), key_of('k'));
        REQUIRE(storage::audit_log(*db).append(event(1)).has_value());
    }

    storage::database_options wrong;
    wrong.audit_key = key_of('w');
    auto refused = storage::database::open(checkpoint::test::database_for(dir.file("c.db")), wrong);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == "audit_key_mismatch");
    CHECK_THAT(refused.error().message, Catch::Contains("not the key"));

    auto keyless = open_db(dir.file("c.db"));
    storage::audit_log log(*keyless);
    auto v = log.verify();
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == "audit_key_missing");
    CHECK_FALSE(log.append(event(2)).has_value());
    CHECK(scalar(*keyless, "SELECT count(*) FROM audit_log") == 1);
}

TEST_CASE("an empty database a key has sealed takes no unkeyed event")
{
    checkpoint::test::temp_dir dir;
    { auto db = open_keyed(dir.file("c.db"), key_of('k')); }
    auto keyless = open_db(dir.file("c.db"));
    CHECK_FALSE(storage::audit_log(*keyless).append(event(1)).has_value());
    auto db = open_keyed(dir.file("c.db"), key_of('k'));
    REQUIRE(storage::audit_log(*db).append(event(1)).has_value());
    CHECK(storage::audit_log(*db).verify().value().ok);
}

TEST_CASE("an anchor records the head, and a chain cut short below it fails")
{
    struct row {
        const char* name;
        std::string sql;
        bool told_outside;
        bool ok;
        const char* problem;
    };
    // Events 5 and 6 deleted and the head moved back to event 4, which needs no key: 4's hashes are stored.
    const std::string truncate = "DELETE FROM audit_log WHERE seq > 4; "
                                 "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4), "
                                 "mac = (SELECT mac FROM audit_log WHERE seq = 4)";
    const std::string unanchor = "; DELETE FROM audit_anchors";
    auto r = GENERATE_COPY(
        row{"nothing changed", "SELECT 1", false, true, ""},
        row{"the end cut off below the anchor", truncate, false, false, "were deleted"},
        row{"the end cut off and the anchor deleted: only an anchor kept outside finds it", truncate + unanchor, false,
            true, ""},
        row{"the same, checked against the anchor the security channel shows", truncate + unanchor, true, false,
            "the anchor given"},
        row{"the anchored event's keyed hash replaced",
            "UPDATE audit_anchors SET mac = hash", false, false,
            "is not the event"});
    GIVEN("six keyed events anchored at the sixth, then " << r.name)
    {
        checkpoint::test::temp_dir dir;
        auto db = open_keyed(dir.file("c.db"), key_of('k'));
        storage::audit_log log(*db);
        for (int i = 1; i <= 6; ++i)
            REQUIRE(log.append(event(i)).has_value());
        auto anchor = log.anchor(anchor_request()).value();
        REQUIRE(anchor.seq == 6);
        CHECK(anchor.mac.size() == 64);
        tamper(*db, r.sql);

        workflow::audit_anchor told;
        told.seq = anchor.seq;
        told.mac = anchor.mac;
        std::vector<workflow::audit_anchor> outside;
        if (r.told_outside)
            outside.push_back(told);
        auto v = log.verify(outside).value();

        CHECK(v.ok == r.ok);
        CHECK_THAT(v.problem, Catch::Contains(r.problem));
        if (!r.ok && std::string_view(r.problem) == "were deleted") {
            CHECK(v.first_bad_seq == 5u);
            CHECK_THAT(v.problem, Catch::Contains("C0SECURITY") && Catch::Contains("is at event 6"));
        }
    }
}

TEST_CASE("an anchor and its post are one write - with no security channel nothing is queued")
{
    checkpoint::test::temp_dir dir;
    auto db = open_keyed(dir.file("c.db"), key_of('k'));
    storage::audit_log log(*db);
    REQUIRE(log.append(event(1)).has_value());
    auto with_post = anchor_request();
    with_post.post = [](const workflow::audit_anchor& a) -> std::optional<workflow::job_spec> {
        return workflow::job_spec{"post_audit_anchor", "anchor/" + std::to_string(a.id), "{}", at(100)};
    };
    auto posted = log.anchor(with_post).value();
    auto logged = log.anchor(anchor_request("log")).value();

    CHECK(posted.seq == 1);
    CHECK(logged.id == posted.id + 1);
    CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE key = 'anchor/" + std::to_string(posted.id) + "'") == 1);
    CHECK(scalar(*db, "SELECT count(*) FROM jobs") == 1);
    CHECK(scalar(*db, "SELECT count(*) FROM audit_anchors WHERE posted_to = 'log'") == 1);
    auto v = log.verify().value();
    REQUIRE(v.anchor);
    CHECK(v.anchor->id == logged.id);
    auto guard = db->lock();
    CHECK_THROWS_WITH(db->connection().exec("DELETE FROM audit_anchors"), Catch::Contains("append-only"));
}

TEST_CASE("a chain from before keys is sealed at the first open with a key, and any old event altered then fails", "[sqlite]")
{
    checkpoint::test::temp_dir dir;
    make_unkeyed_database(dir.file("c.db"), 5);

    auto db = open_keyed(dir.file("c.db"), key_of('k'));

    CHECK(db->schema_version() == storage::database::latest_schema_version());
    CHECK(db->audit_seal().sealed_now == 5);
    storage::audit_log log(*db);
    auto v = log.verify().value();
    CHECK(v.ok);
    CHECK(v.keyed);
    CHECK(v.sealed_before_key == 5);
    CHECK(v.checked == 5);
    // New events chain on from the sealed ones.
    REQUIRE(log.append(event(6)).has_value());
    CHECK(log.verify().value().ok);
    // Sealed once: the next open finds the seal and seals nothing.
    db.reset();
    db = open_keyed(dir.file("c.db"), key_of('k'));
    CHECK(db->audit_seal().sealed_now == 0);

    SECTION("an old event rewritten with fresh plain hashes")
    {
        rewrite_with_fresh_hashes(*db, 2, "rewritten after the seal");
        REQUIRE(plain_chain_holds(*db));
        auto after = storage::audit_log(*db).verify().value();
        CHECK_FALSE(after.ok);
        CHECK(after.first_bad_seq == 2u);
        CHECK_THAT(after.problem, Catch::Contains("keyed hash"));
    }
    SECTION("the seal row deleted and every keyed hash wiped: not sealed again while a keyed anchor remains")
    {
        REQUIRE(storage::audit_log(*db).anchor(anchor_request()).has_value());
        db.reset();
        {
            auto raw = open_db(dir.file("c.db"));
            tamper(*raw, "DELETE FROM audit_seal; UPDATE audit_log SET mac = NULL; UPDATE audit_head SET mac = NULL");
        }
        storage::database_options o;
        o.audit_key = key_of('k');
        auto reopened = storage::database::open(checkpoint::test::database_for(dir.file("c.db")), o);
        REQUIRE_FALSE(reopened.has_value());
        CHECK(reopened.error().code == "audit_seal_missing");
    }
}

TEST_CASE("a chain from before keys: a broken one is not sealed, and host-side opens leave it for checkpointd", "[sqlite]")
{
    checkpoint::test::temp_dir dir;
    make_unkeyed_database(dir.file("c.db"), 4);

    SECTION("broken")
    {
        {
            auto raw = open_db(dir.file("c.db"));
            tamper(*raw, "UPDATE audit_log SET reason = 'edited before the key' WHERE seq = 3");
        }
        storage::database_options o;
        o.audit_key = key_of('k');
        auto refused = storage::database::open(checkpoint::test::database_for(dir.file("c.db")), o);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == "audit_chain_broken");
        CHECK_THAT(refused.error().message, Catch::Contains("event 3"));
    }
    SECTION("opened with the key but without sealing")
    {
        auto db = open_keyed(dir.file("c.db"), key_of('k'), false);
        CHECK(db->audit_seal().sealed_now == 0);
        CHECK_FALSE(db->audit_seal().keyed);
        auto v = storage::audit_log(*db).verify().value();
        CHECK(v.ok);
        CHECK_FALSE(v.keyed);
        // Still unkeyed: appended to as before, and sealed, this one included, when checkpointd starts.
        REQUIRE(storage::audit_log(*db).append(event(5)).has_value());
        db.reset();
        auto sealed = open_keyed(dir.file("c.db"), key_of('k'));
        CHECK(sealed->audit_seal().sealed_now == 5);
        CHECK(storage::audit_log(*sealed).verify().value().ok);
    }
}
