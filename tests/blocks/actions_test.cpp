#include "blocks/actions.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace checkpoint;

TEST_CASE("every action round-trips through parse_action_id")
{
    for (const auto& row : blocks::actions()) {
        GIVEN("the action " + std::string(row.name))
        {
            WHEN("its id is parsed")
            {
                auto parsed = blocks::parse_action_id(row.name);
                THEN("it is the same action, and the table finds its row")
                {
                    REQUIRE(parsed);
                    CHECK(*parsed == row.id);
                    CHECK(blocks::info(row.id).name == row.name);
                }
            }
        }
    }
}

TEST_CASE("action ids and input block ids are unique, Checkpoint's own, and within Slack's limits")
{
    std::set<std::string_view> ids;
    std::set<std::string_view> block_ids;
    for (const auto& row : blocks::actions()) {
        CHECK(ids.insert(row.name).second);
        CHECK(row.name.starts_with(blocks::action_prefix));
        CHECK(row.name.size() <= 255);
        switch (row.kind) {
        case blocks::action_kind::select:
        case blocks::action_kind::input:
            CHECK_FALSE(row.block_id.empty());
            CHECK(block_ids.insert(row.block_id).second);
            break;
        case blocks::action_kind::button:
        case blocks::action_kind::view:
            CHECK(row.block_id.empty());
            break;
        }
    }
    CHECK(ids.size() == blocks::actions().size());
}

TEST_CASE("ids Checkpoint never rendered are not actions")
{
    auto id = GENERATE(as<std::string>{}, "", "approve", "checkpoint.", "checkpoint.approve ", "CHECKPOINT.APPROVE",
                       "checkpoint.approvex");
    CHECK_FALSE(blocks::parse_action_id(id));
}

TEST_CASE("a petition's buttons share a block id made from the petition id")
{
    CHECK(blocks::petition_block_id("r-42") == "petition:r-42");
    CHECK(blocks::petition_block_id("r-42") != blocks::petition_block_id("r-43"));
}
