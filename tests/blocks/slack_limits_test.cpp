#include "blocks/app_home.hpp"
#include "blocks/approval_card.hpp"
#include "blocks/catalog_message.hpp"
#include "blocks/command_replies.hpp"
#include "blocks/deny_modal.hpp"
#include "blocks/error_text.hpp"
#include "blocks/extend_modal.hpp"
#include "blocks/limits.hpp"
#include "blocks/notifications.hpp"
#include "blocks/request_modal.hpp"
#include "tests/blocks/scenario.hpp"
#include "tests/support/slack_limits.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace checkpoint;
using blocks::test::nov;

namespace {

// Text as long as people and manifests make it, with everything mrkdwn must escape and multi-byte characters.
std::string longest(std::size_t chars, std::string_view seed = "Zoë <O'Brien> & 🚀 ")
{
    std::string out;
    while (blocks::char_count(out) < chars)
        out += seed;
    return blocks::truncate(out, chars);
}

workflow::route huge_route(std::size_t steps, std::size_t reviewers)
{
    workflow::route r;
    r.outcome = workflow::route_outcome::needs_approval;
    r.requester_id = "u-requester";
    r.requester_name = longest(300);
    r.target = longest(120, "service-<x>&-");
    r.owner_team = longest(200, "team&<>");
    r.platform_team = longest(200, "platform<>");
    r.level = workflow::risk::critical;
    r.length = std::chrono::days{30} + std::chrono::hours{23} + std::chrono::minutes{59};
    r.rule_reason = longest(2000);
    r.notes = {longest(1000), longest(1000), longest(1000)};
    r.escalate_after = std::chrono::hours{24};
    for (std::size_t s = 0; s < steps; ++s) {
        workflow::route_step st;
        st.kind = s == 0 ? workflow::step_kind::manager : workflow::step_kind::bundle;
        st.name = longest(150, "step<&>");
        st.min_approvals = 3;
        st.assign = s % 2 ? workflow::assign_mode::round_robin : workflow::assign_mode::broadcast;
        st.fallback = longest(800);
        for (std::size_t i = 0; i < reviewers; ++i)
            st.reviewers.push_back({"u-" + std::to_string(i), longest(200), longest(400)});
        r.steps.push_back(std::move(st));
    }
    return r;
}

workflow::petition huge_petition(workflow::petition_state state, std::string id = "r-" + std::string(40, '9'))
{
    workflow::petition p;
    p.id = std::move(id);
    p.route = huge_route(4, 60);
    p.reason = longest(3000);
    p.ticket = longest(200);
    p.state = state;
    p.created_at = nov(25);
    p.active_since = nov(25, 11);
    p.ends_at = nov(30);
    p.progress.step = 1;
    p.progress.assigned = 7;
    p.progress.approvals = {"u-1", "u-2"};
    for (int i = 0; i < 40; ++i)
        p.decisions.push_back({"u-" + std::to_string(i), p.route.steps[static_cast<std::size_t>(i % 4)].name, i % 3 != 0,
                               nov(25, 10, i), {}});
    p.closed_by = "u-3";
    p.close_reason = longest(3000);
    workflow::extension e;
    e.added = std::chrono::days{14};
    e.reason = longest(3000);
    e.route = huge_route(3, 60);
    e.progress.step = 2;
    e.progress.approvals = {"u-5"};
    p.pending_extension = e;
    p.review_pending = true;
    return p;
}

workflow::bundle huge_bundle(std::size_t i)
{
    workflow::bundle b;
    b.name = "bundle-" + std::to_string(i) + "-" + std::string(40, 'n');
    b.description = longest(3000);
    b.owner_team = "team-" + std::to_string(i % 30) + longest(100, "<&>");
    b.level = workflow::risk::high;
    b.durations.choices = {std::chrono::hours{1}, std::chrono::hours{4}, std::chrono::days{1}, std::chrono::days{7}};
    b.provision.params = {{longest(100), {longest(500), longest(500)}, true}};
    b.deprecated = i % 10 == 0;
    b.successor = longest(100);
    return b;
}

void check_within_limits(const boost::json::object& rendered, const std::string& what)
{
    auto v = test::slack_limit_violations(rendered);
    INFO(what << "\n" << v);
    CHECK(v.empty());
    CHECK(boost::json::serialize(rendered).size() < 250 * 1000);
}

const std::vector<workflow::petition_state> all_states{
    workflow::petition_state::pending,  workflow::petition_state::approved, workflow::petition_state::provisioning,
    workflow::petition_state::active,   workflow::petition_state::expired,  workflow::petition_state::denied,
    workflow::petition_state::cancelled, workflow::petition_state::revoked, workflow::petition_state::failed};

// Every text Slack reads as mrkdwn (and so as mentions and links) in a message or view: a "text" that is not
// plain_text, the notification text among them. plain_text shows `<!channel>` as it is.
void collect_mrkdwn(const boost::json::value& v, std::vector<std::string>& out)
{
    if (const auto* o = v.if_object()) {
        const auto* type = o->if_contains("type");
        const bool plain = type && type->is_string() && type->as_string() == "plain_text";
        for (const auto& [key, value] : *o) {
            if (key == "text" && value.is_string() && !plain)
                out.emplace_back(value.as_string());
            else
                collect_mrkdwn(value, out);
        }
    } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a)
            collect_mrkdwn(e, out);
    }
}

std::vector<std::string> mrkdwn_texts(const boost::json::object& rendered)
{
    std::vector<std::string> out;
    collect_mrkdwn(rendered, out);
    return out;
}

// Calls `f(rendered, what)` for every card, notice, reply and modal drawn for `p`.
template <class F>
void each_rendering(const workflow::petition& p, F&& f)
{
    const std::string s(workflow::name(p.state));
    for (auto kind : {blocks::card_kind::request, blocks::card_kind::extension, blocks::card_kind::break_glass_review})
        for (std::size_t step = 0; step < 4; ++step)
            for (std::string_view to : {"u-1", "u-59", "", "u-stranger"}) {
                f(blocks::approval_card({p, kind, step, to}), "card " + s);
                f(blocks::already_decided_reply({p, kind, step, to}), "decided " + s);
            }
    for (int i = 0; i <= static_cast<int>(workflow::last_notice); ++i)
        for (std::string_view to : {"u-requester", "u-1", ""})
            f(blocks::notice_message(p, static_cast<workflow::notice>(i), to), "notice " + s + " " + std::to_string(i));
    f(blocks::request_reply(p), "request reply " + s);
    f(blocks::status_reply(p), "status " + s);
    f(blocks::explain_reply(p.route), "explain " + s);
    f(blocks::deny_modal(p), "deny modal " + s);
    for (int e = 0; e <= static_cast<int>(workflow::event_kind::escalate); ++e)
        f(blocks::changed_reply(p, static_cast<workflow::event_kind>(e)), "changed " + s);
    f(blocks::ask_in_thread_message(p, longest(30), longest(30), longest(300)), "ask " + s);
}

} // namespace

TEST_CASE("every card, notice, reply and modal for the longest petition stays within Slack's limits")
{
    for (auto state : all_states)
        each_rendering(huge_petition(state), check_within_limits);
    auto glass = huge_petition(workflow::petition_state::active);
    glass.route.outcome = workflow::route_outcome::break_glass;
    check_within_limits(blocks::request_reply(glass), "break-glass reply");
    glass.route.outcome = workflow::route_outcome::auto_approved;
    check_within_limits(blocks::request_reply(glass), "auto reply");
}

TEST_CASE("no word a person or an upload supplies can ping a channel or plant a link, in any message or its notification")
{
    // Resource ids and names come from uploads, reasons and tickets from requesters, names from the directory.
    // (A channel or person typed in a reason, <#C…> or <@U…>, stays a link: "reasons keep the mentions people type".)
    const std::string hostile = "<!channel> <!here|here> <!everyone> <https://evil.example|click> <!subteam^S0ADMINS> ";
    for (auto state : all_states) {
        auto p = huge_petition(state);
        p.route.requester_name = longest(60, hostile);
        p.route.target = "customer:" + longest(60, hostile);
        p.route.target_name = longest(60, hostile);
        p.route.is_resource = true;
        p.reason = longest(300, hostile);
        p.ticket = longest(100, hostile);
        p.close_reason = longest(300, hostile);
        p.pending_extension->reason = longest(300, hostile);
        for (auto& step : p.route.steps)
            for (auto& r : step.reviewers)
                r.name = longest(40, hostile);
        each_rendering(p, [](const boost::json::object& rendered, const std::string& what) {
            INFO(what);
            for (const auto& text : mrkdwn_texts(rendered))
                for (std::string_view raw : {"<!channel>", "<!here", "<!everyone>", "<https://evil", "<!subteam"}) {
                    INFO(text.substr(0, 300));
                    CHECK(text.find(raw) == std::string::npos);
                }
        });
    }
}

TEST_CASE("lists of 60 petitions are summarised within the block limits")
{
    std::vector<workflow::petition> many;
    for (int i = 0; i < 60; ++i)
        many.push_back(huge_petition(i % 3 == 0 ? workflow::petition_state::active
                                     : i % 3 == 1 ? workflow::petition_state::pending
                                                  : workflow::petition_state::approved,
                                     "r-" + std::to_string(i)));
    auto pending = blocks::pending_reply(many, "u-1");
    check_within_limits(pending, "pending");
    CHECK_THAT(boost::json::serialize(pending), Catch::Contains("more; the App Home lists them all"));
    check_within_limits(blocks::mine_reply(many), "mine");
    auto home = blocks::app_home({"u-1", many, many, nullptr});
    check_within_limits(home, "home");
    CHECK_THAT(boost::json::serialize(home), Catch::Contains("`/checkpoint pending` lists them"));
}

TEST_CASE("a catalog of 200 long bundles fits the catalog reply, the modal and the suggestions")
{
    std::vector<workflow::bundle> bundles;
    for (std::size_t i = 0; i < 200; ++i)
        bundles.push_back(huge_bundle(i));
    const workflow::catalog big(bundles);
    std::vector<blocks::catalog_entry> entries;
    for (const auto& b : big.bundles())
        entries.push_back({&b, longest(500)});
    check_within_limits(blocks::catalog_reply(entries, longest(300)), "catalog");

    const auto* chosen = &big.bundles()[1];
    std::vector<blocks::duration_choice> hints;
    for (auto d : blocks::offered_durations(chosen->durations))
        hints.push_back({d, longest(300)});
    check_within_limits(blocks::request_modal({big, chosen, hints, std::nullopt, longest(5000)}), "modal 200");
    check_within_limits(blocks::request_modal({big, nullptr, {}, std::nullopt, {}}), "modal 200, nothing chosen");

    const workflow::catalog hundred(std::vector<workflow::bundle>(bundles.begin(), bundles.begin() + 100));
    check_within_limits(blocks::request_modal({hundred, &hundred.bundles()[1], hints, std::nullopt, {}}), "modal 100");

    // The suggestions answer is checked as the options of one select.
    auto answer = blocks::bundle_suggestions(big, "bundle");
    boost::json::object as_view{{"type", "modal"},
                                {"blocks", boost::json::array{boost::json::object{
                                               {"type", "actions"},
                                               {"elements", boost::json::array{boost::json::object{
                                                                {"type", "external_select"},
                                                                {"action_id", "x"},
                                                                {"option_groups", answer.at("option_groups")}}}}}}}};
    check_within_limits(as_view, "suggestions");
    std::size_t options = 0;
    for (const auto& g : answer.at("option_groups").as_array())
        options += g.at("options").as_array().size();
    CHECK(options <= 100);

    auto p = huge_petition(workflow::petition_state::active);
    check_within_limits(blocks::extend_modal(p, hints), "extend modal");
    check_within_limits(blocks::notice_message(p, workflow::notice::active, "u-requester", {nullptr, &bundles[3]}),
                        "active with grants");
}

TEST_CASE("replies built from user words stay within limits")
{
    const auto huge = longest(20000);
    std::vector<std::string_view> near{huge, huge, huge};
    check_within_limits(blocks::unknown_bundle_reply(huge, near), "unknown bundle");
    check_within_limits(blocks::error_reply({huge, huge}), "error");
    check_within_limits(blocks::error_reply({"too_long", huge}), "error known");
    check_within_limits(blocks::ooo_reply(workflow::out_of_office{nov(1), nov(30), huge}, huge), "ooo");
    check_within_limits(blocks::not_in_directory_reply(huge, huge), "not in directory");
    std::vector<blocks::field_error> errors{{blocks::action::reason_input, huge}};
    CHECK(blocks::char_count(blocks::modal_errors(errors).at("errors").at("reason").as_string()) <= 2000);
}
