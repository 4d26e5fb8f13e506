#include "blocks/extend_modal.hpp"
#include "blocks/format.hpp"
#include "blocks/request_modal.hpp"
#include "tests/blocks/scenario.hpp"
#include "tests/support/golden.hpp"
#include "tests/support/slack_limits.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace checkpoint;
using blocks::test::after;
using blocks::test::decided;
using blocks::test::example;
using blocks::test::filed;
using blocks::test::nov;

namespace {

const boost::json::object* block_with_id(const boost::json::object& view, std::string_view id)
{
    for (const auto& b : view.at("blocks").as_array())
        if (auto* bid = b.as_object().if_contains("block_id"); bid && bid->as_string() == std::string(id))
            return &b.as_object();
    return nullptr;
}

// What the bot does: one explain per offered duration, its route in a few words.
std::vector<blocks::duration_choice> hints_for(const std::string& person, const workflow::bundle& b)
{
    std::vector<blocks::duration_choice> out;
    for (auto d : blocks::offered_durations(b.durations)) {
        auto r = workflow::explain(example(), person, b.name, d, nov(25));
        out.push_back({d, r ? blocks::route_hint(*r) : r.error().message});
    }
    return out;
}

workflow::catalog big_catalog(std::size_t n)
{
    std::vector<workflow::bundle> bundles;
    for (std::size_t i = 0; i < n; ++i) {
        workflow::bundle b;
        b.name = "service-" + std::to_string(i) + "-production";
        b.description = "Service " + std::to_string(i);
        b.owner_team = "team-" + std::to_string(i % 7);
        b.level = workflow::risk::high;
        bundles.push_back(b);
    }
    return workflow::catalog(std::move(bundles));
}

} // namespace

TEST_CASE("the request modal before and after a bundle is chosen")
{
    GIVEN("no bundle yet")
    {
        auto view = blocks::request_modal({example().catalog, nullptr, {}, std::nullopt, "C0ENGPROD"});
        THEN("the bundle select groups open bundles by owner, and there is no duration yet")
        {
            CHECK(test::compare_golden("request_modal", view).empty());
            const auto* bundle = block_with_id(view, "bundle");
            REQUIRE(bundle);
            CHECK(bundle->at("dispatch_action") == true);
            CHECK(bundle->at("element").at("type") == "static_select");
            CHECK_FALSE(block_with_id(view, "duration"));
            CHECK_THAT(boost::json::serialize(view), !Catch::Contains("api-production-legacy"));
            CHECK(view.at("private_metadata") == "C0ENGPROD");
            CHECK(test::slack_limit_violations(view).empty());
        }
    }
    GIVEN("Sam Support chose api-production")
    {
        const auto* b = example().catalog.find("api-production");
        const auto hints = hints_for("u-6001", *b);
        auto view = blocks::request_modal({example().catalog, b, hints, std::nullopt, {}});
        THEN("the durations are the bundle's, each saying who would approve, the default selected")
        {
            CHECK(test::compare_golden("request_modal_api_production", view).empty());
            const auto* d = block_with_id(view, "duration");
            REQUIRE(d);
            const auto& opts = d->at("element").at("options").as_array();
            CHECK(opts.size() == 6);
            CHECK(d->at("element").at("initial_option").at("value") == "1d");
            CHECK(opts[0].at("description").at("text") == "Needs api-team");
            CHECK(test::slack_limit_violations(view).empty());
        }
    }
}

TEST_CASE("above 100 bundles the modal searches with an external select")
{
    auto big = big_catalog(200);
    auto view = blocks::request_modal({big, nullptr, {}, std::nullopt, {}});
    const auto& e = block_with_id(view, "bundle")->at("element");
    CHECK(e.at("type") == "external_select");
    CHECK(e.at("min_query_length") == blocks::bundle_min_query_length);
    CHECK(test::slack_limit_violations(view).empty());

    WHEN("Slack asks for options for \"production\"")
    {
        auto answer = blocks::bundle_suggestions(big, "production");
        std::size_t n = 0;
        for (const auto& g : answer.at("option_groups").as_array())
            n += g.at("options").as_array().size();
        THEN("at most 100 options come back, grouped by team")
        {
            CHECK(n == 100);
            CHECK(answer.at("option_groups").as_array().size() == 7);
        }
    }
    WHEN("the query has a typo")
    {
        auto answer = blocks::bundle_suggestions(example().catalog, "api-prodution");
        CHECK_THAT(boost::json::serialize(answer), Catch::Contains("\"value\":\"api-production\""));
    }
}

TEST_CASE("validation errors are keyed by the input's block id")
{
    std::vector<blocks::field_error> errors{{blocks::action::reason_input, "Say why, in at least 10 characters."},
                                           {blocks::action::duration_select, std::string(5000, 'x')},
                                           {blocks::action::approve, "buttons have no input block"}};
    auto out = blocks::modal_errors(errors);
    CHECK(out.at("response_action") == "errors");
    CHECK(out.at("errors").as_object().size() == 2);
    CHECK(out.at("errors").at("reason") == "Say why, in at least 10 characters.");
    CHECK(out.at("errors").at("duration").as_string().size() < 5000);
}

TEST_CASE("the extend modal offers what still fits under the maximum")
{
    auto p = filed("r-1", decided("u-2001", "api-production", "7d"), "on call");
    const auto* b = example().catalog.find("api-production");
    auto offered = blocks::offered_extensions(b->durations, p.length());
    CHECK(offered.size() == 5); // 4h, 1d, 3d, 7d, 14d; +30d would pass the 30-day maximum
    std::vector<blocks::duration_choice> choices;
    for (auto d : offered)
        choices.push_back({d, d <= std::chrono::days{7} ? "Needs api-team" : "Needs platform-team"});
    auto view = blocks::extend_modal(p, choices);
    CHECK(test::compare_golden("extend_modal", view).empty());
    CHECK(view.at("private_metadata") == "r-1");
    CHECK(test::slack_limit_violations(view).empty());
    auto none = blocks::extend_modal(p, {});
    CHECK_FALSE(none.contains("submit"));
}

TEST_CASE("a bundle without duration choices is offered a ladder up to its maximum, not its default alone")
{
    using namespace std::chrono;
    struct row {
        workflow::duration initial;
        workflow::duration max;
        std::vector<workflow::duration> offered;
    };
    const row rows[] = {
        // payments-ledger: 1d by default, up to 30d.
        {days{1}, days{30}, {hours{1}, hours{4}, hours{8}, days{1}, days{3}, days{7}, days{14}, days{30}}},
        // billing-db-admin: 4h, up to 8h.
        {hours{4}, hours{8}, {hours{1}, hours{4}, hours{8}}},
        // A maximum off the ladder is offered itself, and so is a default off it.
        {hours{2}, days{10}, {hours{1}, hours{2}, hours{4}, hours{8}, days{1}, days{3}, days{7}, days{10}}},
        // Only as long as the maximum, however short.
        {minutes{30}, minutes{30}, {minutes{30}}},
    };
    for (const auto& r : rows) {
        INFO(workflow::format_duration(r.initial) << " up to " << workflow::format_duration(r.max));
        workflow::duration_policy d{r.initial, r.max, {}};
        CHECK(blocks::offered_durations(d) == r.offered);
        // The extend form offers what still fits.
        for (auto length : blocks::offered_extensions(d, r.initial))
            CHECK(r.initial + length <= r.max);
    }
    // Choices in the manifest stand as they are.
    workflow::duration_policy chosen{days{1}, days{30}, {hours{4}, days{1}}};
    CHECK(blocks::offered_durations(chosen) == chosen.choices);
}
