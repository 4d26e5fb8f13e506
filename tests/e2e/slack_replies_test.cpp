// What Slack users read when something does not apply (issue 22, items 8 and "Also"): the real
// checkpointd over the fake Slack, replies checked word for word where it matters.
#include "tests/e2e/slack_story.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

constexpr const char* kofi = "U01KOFI"; // Kofi Mensah, analytics-eng (u-4001)

std::string text(const json::value& reply) { return json::serialize(reply); }


} // namespace

TEST_CASE("replies: `ooo off` from someone who is not away says nothing changed, and records nothing",
          "[e2e][slack]")
{
    slack_story s;
    const auto reply = s.command(kofi, "ooo off");
    CHECK_THAT(text(reply), Catch::Contains("You are not out of office, so nothing changed"));
    CHECK_THAT(text(reply), !Catch::Contains("Welcome back"));
    CHECK(s.rows("SELECT count(*) FROM audit_log WHERE action = 'ooo_off'").at(0).at(0) == "0");

    // Away, then back: welcomed, and recorded.
    CHECK_THAT(text(s.command(kofi, "ooo 3d")), Catch::Contains("You are out of office"));
    CHECK_THAT(text(s.command(kofi, "ooo off")), Catch::Contains("Welcome back"));
    CHECK(s.rows("SELECT count(*) FROM audit_log WHERE action = 'ooo_off'").at(0).at(0) == "1");
}

TEST_CASE("replies: an action that does not apply to a request says so in words, with no internal names",
          "[e2e][slack]")
{
    slack_story s;
    s.command(kofi, "request api-production --duration 1d --reason \"replies: a pending request\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(s.state_of(id) == "pending");
    const auto reply = text(s.command(kofi, "extend " + id + " 1d"));
    CHECK_THAT(reply, Catch::Contains("Request " + id + " is pending, so it cannot be extended now."));
    CHECK_THAT(reply, !Catch::Contains("request_extension"));
    CHECK_THAT(reply, !Catch::Contains("does not apply"));
}

TEST_CASE("replies: extending past the bundle's maximum says by how much it can still be extended",
          "[e2e][slack]")
{
    slack_story s;
    // api-staging: instant for Kofi, at most 30 days in total.
    s.command(kofi, "request api-staging --duration 1d --reason \"replies: staging checks\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));

    const auto reply = text(s.command(kofi, "extend " + id + " 30d"));
    CHECK_THAT(reply, Catch::Contains("allows at most 30 days in total; this access already has 1 day, so extend by "
                                      "29d or less."));
    CHECK_THAT(reply, !Catch::Contains("ask for 30d or less"));
    CHECK(s.state_of(id) == "active");
}

TEST_CASE("replies: `<bundle>` in the catalog's footer and in an empty `mine` reaches Slack escaped", "[e2e][slack]")
{
    slack_story s;
    // Unescaped, Slack would read `<bundle>` as a link and show nothing in its place.
    const auto catalog = text(s.command(kofi, "catalog"));
    CHECK_THAT(catalog, Catch::Contains("/checkpoint request &lt;bundle&gt; --duration 7d"));
    CHECK_THAT(catalog, !Catch::Contains("<bundle>"));
    const auto mine = text(s.command(kofi, "mine"));
    CHECK_THAT(mine, Catch::Contains("`/checkpoint request &lt;bundle&gt;` asks for some"));
    CHECK_THAT(mine, !Catch::Contains("<bundle>"));
}

TEST_CASE("replies: a break-glass card's notification asks for a review, and #security gets it once", "[e2e][slack]")
{
    slack_story s;
    const auto reply = text(s.command("U01ALEX", "request kubernetes-prod-debug --break-glass --duration 2h "
                                                 "--reason \"replies: node pressure incident\""));
    CHECK_THAT(reply, Catch::Contains("Break-glass"));
    REQUIRE(slack_story::eventually([&] {
        for (const auto& m : s.slack().messages())
            if (text_of(m.message).find("Break-glass access: Alex Chen") != std::string::npos)
                return true;
        return false;
    }));
    std::size_t cards = 0;
    for (const auto& m : s.slack().messages()) {
        const auto* t = m.message.if_contains("text");
        if (!t || !t->is_string() || std::string_view(t->get_string()).rfind("Break-glass access:", 0) != 0)
            continue;
        ++cards;
        INFO(std::string(t->get_string()));
        CHECK_THAT(std::string(t->get_string()),
                   Catch::Contains("granted at once. Review it in Slack.") && !Catch::Contains("Approve or deny"));
    }
    CHECK(cards >= 1);
    // #security hears of it once: the review card, not a notice and a card.
    REQUIRE(slack_story::eventually([&] {
        return s.unsettled_jobs() == 0 && !s.slack().messages_in("C0SECURITY").empty();
    }));
    std::string in_security;
    for (const auto& m : s.slack().messages_in("C0SECURITY"))
        in_security += text_of(m.message).substr(0, 200) + "\n";
    INFO(in_security);
    CHECK(s.slack().messages_in("C0SECURITY").size() == 1);
}

TEST_CASE("replies: a one-day grant is told it ends soon halfway through, not the moment it starts", "[e2e][slack]")
{
    slack_story s;
    // expiring_before is 24h in the example policy: as long as the whole grant.
    s.command(kofi, "request api-staging --duration 1d --reason \"replies: a short grant\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    REQUIRE(slack_story::eventually([&] { return !dm_with(s.slack(), kofi, "is active until").empty(); }));

    // The reminder waits for the second half of the day, and the expiry for its end.
    const auto created = std::stoll(s.rows("SELECT created_at FROM jobs WHERE kind = 'remind'").at(0).at(0));
    const auto remind_at = std::stoll(s.rows("SELECT run_at FROM jobs WHERE kind = 'remind'").at(0).at(0));
    const auto expire_at = std::stoll(s.rows("SELECT run_at FROM jobs WHERE kind = 'expire'").at(0).at(0));
    CHECK(s.rows("SELECT status FROM jobs WHERE kind = 'remind'").at(0).at(0) == "0");
    const double share = static_cast<double>(remind_at - created) / static_cast<double>(expire_at - created);
    CHECK(share == Approx(0.5).margin(0.02));

    const auto ends_soon = [&] { return !dm_with(s.slack(), kofi, "Access to *api-staging* ends").empty(); };
    CHECK_FALSE(ends_soon());
    s.move_time(std::chrono::hours(13));
    CHECK(slack_story::eventually(ends_soon));
}

TEST_CASE("replies: explain says a customer that does not exist does not exist, as request does", "[e2e][slack]")
{
    slack_story s;
    const auto request = text(s.command(kofi, "request customer:999999 --duration 1d --reason \"replies: a ticket\""));
    CHECK_THAT(request, Catch::Contains("There is no customer with id \\\"999999\\\""));
    const auto explain = text(s.command(kofi, "explain customer:999999"));
    CHECK_THAT(explain, Catch::Contains("There is no customer with id \\\"999999\\\""));
}

TEST_CASE("replies: a mention typed in a reason reaches the card as a mention, not as markup", "[e2e][slack]")
{
    slack_story s;
    // Slack sends a typed mention as <@U…|name> in a command's text.
    s.command(kofi, "request api-production --duration 1d --reason \"pairing with <@U01ALEX|alex> on p99\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    std::string card;
    REQUIRE(slack_story::eventually([&] {
        for (const auto& m : s.slack().messages_in("C0ENGPROD"))
            if (text_of(m.message).find(id) != std::string::npos)
                card = text_of(m.message);
        return !card.empty();
    }));
    CHECK_THAT(card, Catch::Contains("> pairing with <@U01ALEX> on p99"));
    CHECK_THAT(card, !Catch::Contains("&lt;@U01ALEX"));
}

TEST_CASE("replies: a request the matrix would auto-approve but whose bundle asks the manager says who approves",
          "[e2e][slack]")
{
    // api-staging is low risk (automatic for everyone for a day); here it also asks the manager.
    slack_story s([](const std::filesystem::path& manifests, std::map<std::string, std::string>&) {
        std::ofstream(manifests / "bundles" / "api-staging.yaml", std::ios::app)
            << "approval:\n  require_manager: true\n";
    });
    const auto reply = text(s.command(kofi, "request api-staging --duration 1d --reason \"replies: manager first\""));
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(s.state_of(id) == "pending");
    CHECK_THAT(reply, !Catch::Contains("Auto-approved"));
    CHECK_THAT(reply, Catch::Contains("The manager approves: api-staging has its own approval steps"));
    std::string waiting;
    REQUIRE(slack_story::eventually(
        [&] { return !(waiting = dm_with(s.slack(), kofi, "is waiting for approval")).empty(); }));
    CHECK_THAT(waiting, !Catch::Contains("Auto-approved"));
    CHECK_THAT(waiting, Catch::Contains("The manager approves"));
}

TEST_CASE("replies: a reviewer out of office who clicks is told who decides in their place", "[e2e][slack]")
{
    slack_story s;
    // Mary Major (api-team lead) is on leave, her delegate Lee Lin takes her place on api-team's step.
    s.command(kofi, "request api-production --duration 1d --reason \"replies: while Mary is away\"");
    const auto id = s.latest_petition_of("u-4001");
    std::optional<slack_story::card_copy> card;
    REQUIRE(slack_story::eventually([&] { return (card = card_for(s, id, "C0ENGPROD")).has_value(); }));
    REQUIRE(s.click("U01MARY", "checkpoint.approve", id, card->channel, card->ts).result() == http::status::ok);
    std::string told;
    REQUIRE(slack_story::eventually([&] {
        for (const auto& c : s.slack().calls("chat.postEphemeral"))
            if (c.args.at("user") == "U01MARY")
                told = json::serialize(c.args);
        return !told.empty();
    }));
    CHECK_THAT(told, Catch::Contains("You are out of office") && Catch::Contains("*Lee Lin* decides in your place") &&
                         Catch::Contains("Only the reviewers"));
    CHECK(s.state_of(id) == "pending");
}

TEST_CASE("replies: a customer's card and messages name it by its uploaded name", "[e2e][slack]")
{
    slack_story s;
    const auto token = s.service_token("e2e", "resources:write");
    INFO(token);
    REQUIRE(token.rfind("cpt_", 0) == 0);
    const auto upload = http_request(
        s.server().port(), http::verb::put, "/api/v1/resources",
        R"({"resources":[{"kind":"customer","id":"4242","displayName":"Acme <Corp>","labels":{}}]})",
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    REQUIRE(upload.result() == http::status::ok);

    const auto reply = text(s.command(kofi, "request customer:4242 --duration 1d --reason \"replies: ticket 981\""));
    CHECK_THAT(reply, Catch::Contains("Acme &lt;Corp&gt; (customer:4242)"));
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    std::string card;
    REQUIRE(slack_story::eventually([&] {
        for (const auto& m : s.slack().messages())
            if (const auto t = text_of(m.message); t.find(id) != std::string::npos && t.find("Access Request") != std::string::npos)
                card = t;
        return !card.empty();
    }));
    CHECK_THAT(card, Catch::Contains("Acme &lt;Corp&gt; (customer:4242)"));
    CHECK_THAT(card, !Catch::Contains("customer:4242 (resource)"));
    CHECK_THAT(text(s.command(kofi, "status " + id)), Catch::Contains("Acme &lt;Corp&gt;"));
}
