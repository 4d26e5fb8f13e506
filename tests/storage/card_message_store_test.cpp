#include "fixture.hpp"
#include "storage/card_message_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::storage::test;

TEST_CASE("every posted copy of a card is recorded so it can be updated, and a re-post replaces its record")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::card_message_store cards(*db);
    REQUIRE(cards.record({"P-1", 0, "C-APPROVALS", workflow::card_kind::channel, "C-APPROVALS", "1700.01", at()}));
    REQUIRE(cards.record({"P-1", 0, "mary", workflow::card_kind::dm, "D-MARY", "1700.02", at()}));
    REQUIRE(cards.record({"P-2", 0, "mary", workflow::card_kind::dm, "D-MARY", "1700.03", at()}));

    SECTION("all copies of one petition")
    {
        auto all = cards.for_petition("P-1").value();
        REQUIRE(all.size() == 2);
        CHECK(all[0].destination == "C-APPROVALS");
        CHECK(all[0].kind == workflow::card_kind::channel);
        CHECK(all[1].channel == "D-MARY");
        CHECK(all[1].kind == workflow::card_kind::dm);
    }
    SECTION("a retried post finds the message it already posted")
    {
        auto found = cards.find("P-1", 0, "mary").value();
        REQUIRE(found);
        CHECK(found->ts == "1700.02");
        CHECK_FALSE(cards.find("P-1", 1, "mary").value());
    }
    SECTION("recording the same copy again replaces it")
    {
        REQUIRE(cards.record({"P-1", 0, "mary", workflow::card_kind::dm, "D-MARY", "1800.00", at(5)}));
        CHECK(cards.for_petition("P-1").value().size() == 2);
        CHECK(cards.find("P-1", 0, "mary").value()->ts == "1800.00");
    }
    SECTION("a card remembers what it asked, so updates draw it as that kind of card")
    {
        CHECK(cards.find("P-1", 0, "mary").value()->asked == workflow::notice::submitted);
        REQUIRE(cards.record({"P-1", 0, "mary", workflow::card_kind::dm, "D-MARY", "1900.00", at(6),
                              workflow::notice::extension_requested}));
        CHECK(cards.find("P-1", 0, "mary").value()->asked == workflow::notice::extension_requested);
    }
}
