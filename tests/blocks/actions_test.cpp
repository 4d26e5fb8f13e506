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
        case blocks::action_kind::menu:
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

TEST_CASE("one row per button says its label, style, event, who may press it and its API verb")
{
    struct expected {
        blocks::action a;
        std::string_view label;
        std::optional<workflow::event_kind> event;
        blocks::who_may who;
        std::string_view api_verb;
    };
    const expected rows[] = {
        {blocks::action::approve, "Approve", workflow::event_kind::approve, blocks::who_may::reviewer, "approve"},
        {blocks::action::deny, "Deny", workflow::event_kind::deny, blocks::who_may::reviewer, "deny"},
        {blocks::action::ask_in_thread, "Ask in thread", std::nullopt, blocks::who_may::reviewer, ""},
        {blocks::action::extend, "Extend", workflow::event_kind::request_extension, blocks::who_may::requester, "extend"},
        {blocks::action::revoke, "Revoke", workflow::event_kind::revoke, blocks::who_may::requester_or_reviewer, "revoke"},
        {blocks::action::cancel, "Cancel", workflow::event_kind::cancel, blocks::who_may::requester, "cancel"},
    };
    for (const auto& e : rows) {
        const auto& row = blocks::info(e.a);
        INFO(row.name);
        CHECK(row.kind == blocks::action_kind::button);
        CHECK(row.label == e.label);
        CHECK(row.event == e.event);
        CHECK(row.who == e.who);
        CHECK(row.api_verb == e.api_verb);
        if (!e.api_verb.empty()) {
            // The API's action endpoint lands on the same row, and says what it is doing in words.
            REQUIRE(blocks::find_api_verb(e.api_verb) == &row);
            CHECK_FALSE(row.doing.empty());
        }
    }
    // Break-glass review cards relabel approve and deny; nothing else has a second label.
    CHECK(blocks::info(blocks::action::approve).review_label == "Mark reviewed");
    CHECK(blocks::info(blocks::action::deny).review_label == "Revoke access");
    CHECK_FALSE(blocks::find_api_verb("ask_in_thread"));
    CHECK_FALSE(blocks::find_api_verb(""));
    CHECK_FALSE(blocks::find_api_verb("escalate"));
}
