#include "fixture.hpp"
#include "workflow/grant_ledger.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;

TEST_CASE("grants are counted per person and entitlement")
{
    grant_ledger ledger;
    GIVEN("two overlapping grants of the same bundle")
    {
        CHECK(ledger.hold("sam", "api-production", "p-1", nov(26)));
        CHECK_FALSE(ledger.hold("sam", "api-production", "p-2", nov(30)));
        CHECK(ledger.holders("sam", "api-production") == 2);
        CHECK(ledger.covered_until("sam", "api-production") == nov(30));
        WHEN("the first ends")
        {
            bool revoke = ledger.release("sam", "api-production", "p-1");
            THEN("no revoke is sent: the second still covers it")
            {
                CHECK_FALSE(revoke);
                CHECK(ledger.covered("sam", "api-production"));
            }
            AND_WHEN("the second ends too")
            {
                THEN("the revoke is sent")
                {
                    CHECK(ledger.release("sam", "api-production", "p-2"));
                    CHECK_FALSE(ledger.covered("sam", "api-production"));
                }
            }
        }
        WHEN("one is extended")
        {
            CHECK_FALSE(ledger.hold("sam", "api-production", "p-1", dec(5)));
            THEN("it is still one grant, with its new end")
            {
                CHECK(ledger.holders("sam", "api-production") == 2);
                CHECK(ledger.covered_until("sam", "api-production") == dec(5));
            }
        }
        WHEN("someone else's grant or another bundle ends")
        {
            ledger.hold("alex", "api-production", "p-3", nov(26));
            ledger.hold("sam", "api-staging", "p-4", nov(26));
            CHECK(ledger.release("alex", "api-production", "p-3"));
            CHECK(ledger.release("sam", "api-staging", "p-4"));
            THEN("sam's api-production access is untouched")
            {
                CHECK(ledger.holders("sam", "api-production") == 2);
            }
        }
    }
    GIVEN("a grant that was never held (provisioning failed before it landed)")
    {
        THEN("releasing it asks for a revoke, to be safe")
        {
            CHECK(ledger.release("sam", "api-production", "p-9"));
        }
    }
}
