#include "fixture.hpp"
#include "app/effect_jobs.hpp"
#include "storage/grant_store.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/temp_dir.hpp"
#include "workflow/grant_ledger.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::storage::test;

TEST_CASE("grants are counted per person and entitlement: only the last release revokes")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::grant_store grants(*db);
    storage::job_queue jobs(*db);

    GIVEN("two overlapping petitions for the same access")
    {
        CHECK(grants.hold({"sam", "prod-db", "P-1", at(60)}).value());
        CHECK_FALSE(grants.hold({"sam", "prod-db", "P-2", at(120)}).value());
        CHECK(grants.hold({"sam", "logs", "P-3", at(60)}).value());

        WHEN("the first ends")
        {
            auto last = grants.release("sam", "prod-db", "P-1", app::revoke_job("sam", "prod-db", "P-1", at(60)),
                                       at(60));
            THEN("access stays, and no revoke is queued")
            {
                REQUIRE(last);
                CHECK_FALSE(*last);
                CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE kind = 'revoke'") == 0);
            }
            AND_WHEN("the second ends too")
            {
                auto final = grants.release("sam", "prod-db", "P-2",
                                            app::revoke_job("sam", "prod-db", "P-2", at(120)), at(120));
                THEN("the revoke is queued with the release")
                {
                    REQUIRE(final);
                    CHECK(*final);
                    auto job = jobs.find(app::revoke_key("sam", "prod-db", "P-2")).value();
                    REQUIRE(job);
                    CHECK(job->kind == "revoke");
                    CHECK(job->run_at == at(120));
                    CHECK(grants.holdings_of("sam").value().size() == 1);
                }
            }
        }
    }
}

TEST_CASE("holding again moves the end - holdings rebuild the ledger")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::grant_store grants(*db);
    REQUIRE(grants.hold({"sam", "prod-db", "P-1", at(60)}));
    REQUIRE(grants.hold({"sam", "prod-db", "P-1", at(180)}));
    REQUIRE(grants.hold({"alex", "prod-db", "P-2", at(30)}));

    workflow::grant_ledger ledger;
    for (const auto& g : grants.holdings().value())
        ledger.hold(g.person, g.entitlement, g.petition, g.ends);

    CHECK(ledger.holders("sam", "prod-db") == 1);
    CHECK(ledger.covered_until("sam", "prod-db") == at(180));
    CHECK(ledger.covered("alex", "prod-db"));
}
