#include "fixture.hpp"
#include "workflow/petition_json.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;
using namespace checkpoint::storage::test;

TEST_CASE("a petition survives the JSON round trip field for field")
{
    auto p = filing("P-9", at() + std::chrono::nanoseconds(123456789)).petition;
    SECTION("as filed") {}
    SECTION("with every optional part set")
    {
        p.state = workflow::petition_state::active;
        p.active_since = at(3);
        p.ends_at = at(243);
        p.review_pending = true;
        p.progress = {1, {"mary", "lee"}, 1};
        p.decisions = {{"mary", "api-team", true, at(2), {}}, {"lee", "extension: api-team", false, at(3), "too long"}};
        auto r = sample_route();
        r.steps.front().assign = workflow::assign_mode::round_robin;
        r.steps.front().fallback = "platform stands in";
        r.level = workflow::risk::critical;
        r.applied = workflow::approval_rule::auto_owner;
        p.pending_extension = workflow::extension{std::chrono::hours(2), "more time", r, {0, {"lee"}, 0}, at(4)};
        p.closed_by = "pat";
        p.close_reason = "done \"early\"\n";
        p.version = 7;
    }

    auto text = workflow::petition_to_json(p);
    auto back = workflow::petition_from_json(text);

    REQUIRE(back);
    CHECK(workflow::petition_to_json(*back) == text);
    CHECK(back->created_at == p.created_at);
    if (p.pending_extension) {
        REQUIRE(back->pending_extension);
        CHECK(back->pending_extension->requested_at == p.pending_extension->requested_at);
    }
    REQUIRE(back->decisions.size() == p.decisions.size());
    for (std::size_t i = 0; i < p.decisions.size(); ++i)
        CHECK(back->decisions[i].reason == p.decisions[i].reason);
    CHECK(back->ends_at == p.ends_at);
    CHECK(back->route.steps.size() == p.route.steps.size());
    CHECK(back->route.steps.front().reviewers.front().reason == p.route.steps.front().reviewers.front().reason);
    CHECK(back->pending_extension.has_value() == p.pending_extension.has_value());
    CHECK(back->version == p.version);
}

TEST_CASE("a damaged petition body is an error, not a crash")
{
    auto text = GENERATE(as<std::string>{}, "", "[]", "{\"id\":1}", "{\"id\":\"P\"}");
    auto back = workflow::petition_from_json(text);
    REQUIRE_FALSE(back);
    CHECK(back.error().code == "corrupt_petition");
}

TEST_CASE("every petition state name parses back")
{
    for (int i = 0; i <= static_cast<int>(workflow::petition_state::failed); ++i) {
        auto s = static_cast<workflow::petition_state>(i);
        CHECK(workflow::parse_petition_state(name(s)) == s);
    }
    CHECK_FALSE(workflow::parse_petition_state("nope"));
}
