// Moving off SQLite: an SQLite database copied whole into PostgreSQL (the conformance run's server) keeps every
// row and an audit chain that verifies with its key.
#include "fixture.hpp"
#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/database_copy.hpp"
#include "storage/job_queue.hpp"
#include "storage/petition_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace checkpoint;
using namespace checkpoint::storage::test;

namespace {

std::shared_ptr<const storage::audit_key> the_key()
{
    return storage::audit_key::make("copy-test-audit-key-0123456789abcdef").value();
}

storage::database_options keyed(bool seal = true)
{
    storage::database_options o;
    o.audit_key = the_key();
    o.seal_audit = seal;
    return o;
}

// An SQLite database as a server leaves it: petitions filed and decided, their jobs, a job leased, an anchor.
std::unique_ptr<storage::database> lived_in_sqlite(const std::string& path)
{
    auto db = storage::database::open(path, keyed()).value();
    storage::petition_store petitions(*db);
    for (int i = 1; i <= 5; ++i) {
        auto w = filing("P-" + std::to_string(i), at(i));
        REQUIRE(petitions.file(w).value() == workflow::write_status::applied);
        if (i % 2 == 0)
            REQUIRE(petitions.apply(transition(w.petition, workflow::approve_by("mary", at(i + 1)))).value() ==
                    workflow::write_status::applied);
    }
    storage::job_queue jobs(*db);
    REQUIRE(jobs.lease("host:1/0", 2, std::chrono::minutes(10), at(10)).value().size() == 2);
    storage::audit_log log(*db);
    workflow::audit_anchor_request anchor;
    anchor.at = at(11);
    anchor.posted_to = "log";
    anchor.trigger = "schedule";
    anchor.by = "checkpoint";
    REQUIRE(log.anchor(anchor));
    return db;
}

std::map<std::string, long long> counts(storage::database& db)
{
    std::map<std::string, long long> out;
    for (const char* t : {"petitions", "petition_steps", "step_reviewers", "decisions", "jobs", "audit_log",
                          "audit_head", "audit_seal", "audit_anchors"})
        out[t] = scalar(db, std::string("SELECT count(*) FROM ") + t);
    return out;
}

} // namespace

TEST_CASE("an SQLite database copied into PostgreSQL keeps every row, and its audit chain verifies with its key")
{
    checkpoint::test::temp_dir dir;
    auto source = lived_in_sqlite(dir.file("source.db"));
    const auto before = counts(*source);
    REQUIRE(before.at("audit_log") > 5);

    storage::database_options unsealed;
    unsealed.seal_audit = false;
    auto destination = storage::database::open(checkpoint::test::database_for(dir.file("copy.db")), unsealed).value();
    auto copied = storage::copy_database(*source, *destination);
    if (!checkpoint::test::on_postgresql()) {
        // Only a PostgreSQL database is copied into; an SQLite file is copied with `db backup`.
        REQUIRE_FALSE(copied);
        CHECK(copied.error().code == "not_supported");
        return;
    }
    REQUIRE(copied);
    CHECK(counts(*destination) == before);
    destination.reset();

    // Opened as checkpointd opens it, with the key: the seal is the source's, and the chain verifies.
    auto copy = open_db(dir.file("copy.db"), keyed());
    auto v = storage::audit_log(*copy).verify().value();
    CHECK(v.ok);
    CHECK(v.keyed);
    CHECK(v.checked == static_cast<std::uint64_t>(before.at("audit_log")));
    REQUIRE(v.anchor);
    CHECK(v.anchor->seq <= v.checked);

    // It carries on where the source stopped: new ids after the copied ones, and the chain grows keyed.
    storage::petition_store petitions(*copy);
    REQUIRE(petitions.file(filing("P-6", at(20))).value() == workflow::write_status::applied);
    CHECK(scalar(*copy, "SELECT seq FROM petitions WHERE id = 'P-6'") ==
          scalar(*source, "SELECT max(seq) FROM petitions") + 1);
    CHECK(storage::audit_log(*copy).verify().value().ok);
    CHECK(petitions.find("P-2").value()->state == workflow::petition_state::approved);

    SECTION("a second copy into the same database is refused and writes nothing")
    {
        auto again = storage::copy_database(*source, *copy);
        REQUIRE_FALSE(again);
        CHECK(again.error().code == "exists");
        CHECK(scalar(*copy, "SELECT count(*) FROM petitions") == before.at("petitions") + 1);
    }
}
