// Whole stories with the real checkpointd, a fake Slack on loopback and signed requests: what a
// requester, a reviewer and a channel see, from the command to every updated copy of the card.
#include "tests/e2e/slack_story.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {

constexpr const char* kofi = "U01KOFI"; // Kofi Mensah, analytics-eng
constexpr const char* alex = "U01ALEX"; // Alex Chen, api-team (reviews api-production)
constexpr const char* lee = "U01LEE";   // Lee Lin, api-team, delegate of Mary Major (out of office)

// Files `text` for Kofi and waits until every card of step 0 is posted and recorded.
std::string file_and_wait_for_cards(slack_story& s, const std::string& user, const std::string& person,
                                    const std::string& text)
{
    auto reply = s.command(user, text);
    INFO(reply_text(reply));
    const auto id = s.latest_petition_of(person);
    REQUIRE_FALSE(id.empty());
    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0 && !s.cards_of(id).empty(); }));
    return id;
}

// Every stored copy of the card was updated by chat.update and offers no button any more.
bool every_copy_settled(slack_story& s, const std::string& id, const std::string& words)
{
    const auto copies = s.cards_of(id);
    if (copies.empty())
        return false;
    for (const auto& c : copies) {
        auto m = s.slack().message(c.channel, c.ts);
        if (!m || m->updates == 0 || has_action(m->message, "checkpoint.approve") ||
            text_of(m->message).find(words) == std::string::npos)
            return false;
    }
    return true;
}

std::size_t card_posts(fake_slack& slack)
{
    std::size_t n = 0;
    for (const auto& c : slack.calls("chat.postMessage"))
        n += c.ok() && json::serialize(c.args).find("checkpoint.approve") != std::string::npos ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("story: a request by command reaches every reviewer and the channel, and the requester is told",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    auto reply = s.command(kofi, "request api-production --duration 7d --reason \u201cdebugging p99 latency\u201d");
    CHECK_THAT(reply_text(reply), Catch::Contains("api-production"));
    CHECK_THAT(reply_text(reply), Catch::Contains("step 1"));
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    CHECK(s.state_of(id) == "pending");
    // The curly quotes a phone sends are read as quotes: the reason is the words inside.
    CHECK(s.audit_count(id, "file") == 1);

    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0 && !s.cards_of(id).empty(); }));
    const auto copies = s.cards_of(id);
    // One DM per reviewer of step 0 and the bundle's channel; each stored with its channel and ts.
    CHECK(copies.size() == s.reviewers_of(id, 0).size() + 1);
    CHECK(card_for(s, id, "C0ENGPROD"));
    for (const auto& c : copies) {
        auto m = s.slack().message(c.channel, c.ts);
        REQUIRE(m);
        CHECK(has_action(m->message, "checkpoint.approve"));
        CHECK_THAT(text_of(m->message), Catch::Contains("debugging p99 latency"));
    }
    CHECK(card_posts(s.slack()) == copies.size());
    CHECK(dm_contains(s.slack(), kofi, "is waiting for approval"));
    CHECK(s.dead_jobs() == 0);
}

TEST_CASE("story: a request by modal opens the form from the command, checks the fields, then files it",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    const auto trigger = s.slack().new_trigger_id();
    auto reply = s.command(kofi, "request", trigger);
    CHECK_THAT(reply_text(reply), Catch::Contains("Opening the request form"));
    auto opened = s.slack().calls("views.open");
    REQUIRE(opened.size() == 1);
    CHECK(str(opened.front().args.at("trigger_id")) == trigger);
    CHECK(opened.front().ok());

    SECTION("picking a bundle re-renders the form with that bundle's durations, hinted for the requester")
    {
        const auto view_id = str(opened.front().response.at("view").at("id"));
        const auto hash = str(opened.front().response.at("view").at("hash"));
        json::object pick{{"type", "block_actions"},
                          {"user", json::object{{"id", kofi}}},
                          {"trigger_id", s.slack().new_trigger_id()},
                          {"container", json::object{{"type", "view"}, {"view_id", view_id}}},
                          {"view", json::object{{"id", view_id}, {"hash", hash}, {"type", "modal"},
                                                {"private_metadata", "C0GENERAL"}}},
                          {"actions", json::array{json::object{{"type", "static_select"},
                                                               {"action_id", "checkpoint.bundle"},
                                                               {"block_id", "bundle"},
                                                               {"selected_option", json::object{{"value", "api-staging"}}},
                                                               {"action_ts", "10.1"}}}}};
        REQUIRE(s.interact(pick).result() == http::status::ok);
        REQUIRE(slack_story::eventually([&] { return !s.slack().calls("views.update").empty(); }));
        auto update = s.slack().calls("views.update").front();
        CHECK(update.ok());
        CHECK(str(update.args.at("view_id")) == view_id);
        auto now = s.slack().view(view_id);
        REQUIRE(now);
        CHECK(has_action(now->view, "checkpoint.duration"));
        // api-staging is low risk: short lengths are instant for Kofi, and the form says which.
        CHECK_THAT(text_of(now->view), Catch::Contains("\"value\":\"30d\""));
        CHECK_THAT(text_of(now->view), Catch::Contains("Auto-approved"));
    }
    SECTION("a reason that is too short is refused on its field, and nothing is filed")
    {
        auto r = s.interact(view_submission(kofi, "checkpoint.request_modal", "C0GENERAL",
                                            request_values("api-staging", "1d", "x")));
        REQUIRE(r.result() == http::status::ok);
        auto body = json::parse(r.body()).as_object();
        CHECK(body.at("response_action") == "errors");
        CHECK(body.at("errors").as_object().contains("reason"));
        CHECK(s.latest_petition_of("u-4001").empty());
    }
    SECTION("a reason of spaces is refused on its field; one of emoji counts its characters, not its bytes")
    {
        auto blank = s.interact(view_submission(kofi, "checkpoint.request_modal", "C0GENERAL",
                                                request_values("api-staging", "1d", "                ")));
        CHECK(json::parse(blank.body()).at("errors").as_object().contains("reason"));
        auto command = s.command(kofi, "request api-staging --duration 1d --reason \"    \"");
        CHECK_THAT(json::serialize(command), Catch::Contains("Say why you need access"));
        CHECK(s.latest_petition_of("u-4001").empty());

        // "ok 🙂🙂🙂🙂" is 7 characters (19 bytes): under the form's 10.
        auto short_emoji = s.interact(view_submission(kofi, "checkpoint.request_modal", "C0GENERAL",
                                                      request_values("api-staging", "1d", "ok 🙂🙂🙂🙂")));
        CHECK(json::parse(short_emoji.body()).at("errors").as_object().contains("reason"));
        std::string emoji;
        for (int n = 0; n < 1000; ++n)
            emoji += "🙂"; // 1000 characters, 4000 bytes: within the 3000 allowed
        auto r = s.command(kofi, "request api-staging --duration 1d --reason \"" + emoji + "\"");
        CHECK_THAT(json::serialize(r), !Catch::Contains("characters; at most"));
        CHECK_FALSE(s.latest_petition_of("u-4001").empty());
    }
    SECTION("a duration over the bundle's maximum is refused on the duration field, not the bundle's")
    {
        // A form edited by hand (or an old one): api-staging allows at most 30 days.
        auto r = s.interact(view_submission(kofi, "checkpoint.request_modal", "C0GENERAL",
                                            request_values("api-staging", "60d", "a long staging investigation")));
        REQUIRE(r.result() == http::status::ok);
        const auto errors = json::parse(r.body()).at("errors").as_object();
        REQUIRE(errors.size() == 1);
        const auto& [field, says] = *errors.begin();
        CHECK_THAT(std::string(field), Catch::Contains("duration"));
        CHECK_THAT(std::string(says.as_string()), Catch::Contains("allows at most 30 days"));
        CHECK(s.latest_petition_of("u-4001").empty());
    }
    SECTION("a complete form closes the modal and files the request like the command")
    {
        auto r = s.interact(view_submission(kofi, "checkpoint.request_modal", "C0GENERAL",
                                            request_values("api-production", "7d", "debugging p99 latency")));
        REQUIRE(r.result() == http::status::ok);
        CHECK(r.body().empty());
        const auto id = s.latest_petition_of("u-4001");
        REQUIRE_FALSE(id.empty());
        CHECK(s.state_of(id) == "pending");
        CHECK(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "is waiting for approval"); }));
    }
}

TEST_CASE("story: auto-approval grants at once and says why", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    auto reply = s.command(kofi, "request api-staging --duration 1d --reason \"trying the staging API\"");
    CHECK_THAT(reply_text(reply), Catch::Contains("Access is being set up now"));
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    REQUIRE(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "is active until"); }));
    // Nobody was asked: no card anywhere.
    CHECK(s.cards_of(id).empty());
    CHECK(card_posts(s.slack()) == 0);
    // The Home tab's job is replaced at each step while it runs: that is not a lost lease, and the log
    // does not cry wolf (issue 22, item 8).
    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0; }));
    CHECK(s.server().stop() == 0);
    CHECK(s.server().output().find("lost their lease") == std::string::npos);
}

TEST_CASE("story: manager (out of office, so the delegate) then the next steps approve, and every copy is updated",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    // Alex's manager is Mary Major, out of office until 30 Nov with Lee Lin as delegate.
    const auto id = file_and_wait_for_cards(s, alex, "u-2002",
                                            "request api-production-admin --duration 4h --reason \"deploy override for the hotfix\"");
    REQUIRE(s.reviewers_of(id, 0) == std::vector<std::string>{"u-2001"});
    auto lee_card = card_for(s, id, "u-2001");
    REQUIRE(lee_card);
    auto m = s.slack().message(lee_card->channel, lee_card->ts);
    REQUIRE(m);
    CHECK_THAT(text_of(m->message), Catch::Contains("delegate for Mary Major"));
    CHECK(dms(s.slack(), "U01MARY").empty());

    // Each step: one of its reviewers (not the requester) approves on their own DM card.
    std::vector<std::string> approvers;
    for (std::size_t step = 0; s.state_of(id) == "pending"; ++step) {
        INFO("step " << step);
        REQUIRE(step < 6);
        REQUIRE(slack_story::eventually([&] { return s.step_of(id) == step && s.unsettled_jobs() == 0; }));
        const auto reviewers = s.reviewers_of(id, step);
        REQUIRE_FALSE(reviewers.empty());
        // One person approves one step: the first reviewer who has not approved an earlier one.
        const auto who = *std::find_if(reviewers.begin(), reviewers.end(), [&](const std::string& r) {
            return std::find(approvers.begin(), approvers.end(), r) == approvers.end();
        });
        auto card = card_for(s, id, who);
        REQUIRE(card);
        auto r = s.click(s.slack_id_of(who), "checkpoint.approve", id, card->channel, card->ts);
        CHECK(r.result() == http::status::ok);
        approvers.push_back(who);
        REQUIRE(slack_story::eventually([&] { return s.step_of(id) > step || s.state_of(id) != "pending"; }));
    }
    CHECK(approvers.front() == "u-2001");
    CHECK(approvers.size() >= 2);
    CHECK(s.audit_count(id, "approve") == static_cast<int>(approvers.size()));
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    // chat.update reached every stored copy (every step's DMs and the channel), buttons gone.
    CHECK(slack_story::eventually([&] { return every_copy_settled(s, id, "Approved"); }));
    CHECK(slack_story::eventually([&] { return dm_contains(s.slack(), alex, "is active until"); }));
    CHECK(dm_count(s.slack(), alex, "passed a step") == approvers.size() - 1);
    CHECK(s.dead_jobs() == 0);
    // A channel asked at several steps keeps one card, carried from step to step.
    for (const auto& c : s.cards_of(id)) {
        if (c.channel.rfind("C", 0) != 0)
            continue;
        std::size_t posted = 0;
        for (const auto& posted_message : s.slack().messages_in(c.channel))
            posted += text_of(posted_message.message).find(id) != std::string::npos ? 1 : 0;
        INFO(c.channel);
        CHECK(posted == 1);
    }
}

TEST_CASE("story: a reviewer denies with a reason from the deny modal", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    const auto id = file_and_wait_for_cards(s, kofi, "u-4001",
                                            "request api-production --duration 7d --reason \"debugging p99 latency\"");
    auto card = card_for(s, id, "u-2002");
    REQUIRE(card);
    const auto trigger = s.slack().new_trigger_id();
    REQUIRE(s.click(alex, "checkpoint.deny", id, card->channel, card->ts, trigger).result() == http::status::ok);
    auto opened = s.slack().calls("views.open");
    REQUIRE(opened.size() == 1);
    CHECK(str(opened.front().args.at("trigger_id")) == trigger);
    CHECK(opened.front().args.at("view").at("callback_id") == "checkpoint.deny_modal");
    CHECK(str(opened.front().args.at("view").at("private_metadata")) == id);
    CHECK(s.state_of(id) == "pending");

    auto short_reason = s.interact(view_submission(alex, "checkpoint.deny_modal", id, deny_values("no")));
    CHECK(json::parse(short_reason.body()).at("response_action") == "errors");
    CHECK(s.state_of(id) == "pending");
    // Spaces are no reason: the requester would read an empty quote.
    auto blank = s.interact(view_submission(alex, "checkpoint.deny_modal", id, deny_values("          ")));
    CHECK(json::parse(blank.body()).at("response_action") == "errors");
    CHECK(s.state_of(id) == "pending");

    auto r = s.interact(view_submission(alex, "checkpoint.deny_modal", id, deny_values("not during the code freeze")));
    REQUIRE(r.result() == http::status::ok);
    CHECK(r.body().empty());
    CHECK(s.state_of(id) == "denied");
    CHECK(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "not during the code freeze"); }));
    CHECK(slack_story::eventually([&] { return every_copy_settled(s, id, "Denied"); }));
}

TEST_CASE("story: Ask in thread posts once in the card's thread and the request stays pending", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    const auto id = file_and_wait_for_cards(s, kofi, "u-4001",
                                            "request api-production --duration 7d --reason \"debugging p99 latency\"");
    auto card = card_for(s, id, "C0ENGPROD");
    REQUIRE(card);
    const auto before = s.slack().messages_in("C0ENGPROD").size();
    REQUIRE(s.click(alex, "checkpoint.ask_in_thread", id, card->channel, card->ts).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.slack().messages_in("C0ENGPROD").size() == before + 1; }));
    const auto posted = s.slack().messages_in("C0ENGPROD").back();
    CHECK(str(posted.message.at("thread_ts")) == card->ts);
    CHECK_THAT(text_of(posted.message), Catch::Contains("<@U01KOFI>"));
    CHECK_THAT(text_of(posted.message), Catch::Contains("<@U01ALEX>"));
    CHECK(s.state_of(id) == "pending");

    // The requester is told by DM where the question is; the asker is told it went there.
    REQUIRE(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "has a question about your request"); }));
    CHECK(dm_contains(s.slack(), kofi, "<#C0ENGPROD>"));
    const auto ephemeral_with = [&](const std::string& user, const std::string& words) {
        for (const auto& c : s.slack().calls("chat.postEphemeral"))
            if (str(c.args.at("user")) == user && json::serialize(c.args).find(words) != std::string::npos)
                return true;
        return false;
    };
    REQUIRE(slack_story::eventually([&] { return ephemeral_with(alex, "Asked in the card's thread"); }));

    // Asking again posts nothing more and says so.
    REQUIRE(s.click(alex, "checkpoint.ask_in_thread", id, card->channel, card->ts).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return ephemeral_with(alex, "You already asked"); }));
    CHECK(s.slack().messages_in("C0ENGPROD").size() == before + 1);

    // The requester cannot ask themselves.
    REQUIRE(s.click(kofi, "checkpoint.ask_in_thread", id, card->channel, card->ts).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return ephemeral_with(kofi, "Ask in thread is for reviewers"); }));

    // From a reviewer's DM copy, the question goes under the channel's card, where the requester can answer.
    auto lee_card = card_for(s, id, "u-2001");
    REQUIRE(lee_card);
    REQUIRE(lee_card->channel.starts_with("D"));
    const auto in_dm = s.slack().messages_in(lee_card->channel).size();
    REQUIRE(s.click(lee, "checkpoint.ask_in_thread", id, lee_card->channel, lee_card->ts).result() ==
            http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.slack().messages_in("C0ENGPROD").size() == before + 2; }));
    const auto from_dm = s.slack().messages_in("C0ENGPROD").back();
    CHECK(str(from_dm.message.at("thread_ts")) == card->ts);
    CHECK_THAT(text_of(from_dm.message), Catch::Contains("<@U01LEE>"));
    CHECK(s.slack().messages_in(lee_card->channel).size() == in_dm);
    CHECK(s.state_of(id) == "pending");
}

TEST_CASE("story: a stranger's click is refused ephemerally and changes nothing", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    const auto id = file_and_wait_for_cards(s, kofi, "u-4001",
                                            "request api-production --duration 7d --reason \"debugging p99 latency\"");
    auto card = card_for(s, id, "C0ENGPROD");
    REQUIRE(card);
    SECTION("someone Slack knows but the directory does not")
    {
        s.slack().add_user({"U0STRANGER", "stranger@elsewhere.example", "Stranger"});
        REQUIRE(s.click("U0STRANGER", "checkpoint.approve", id, card->channel, card->ts).result() ==
                http::status::ok);
        REQUIRE(slack_story::eventually([&] { return !s.slack().calls("chat.postEphemeral").empty(); }));
        auto e = s.slack().calls("chat.postEphemeral").front();
        CHECK(e.args.at("user") == "U0STRANGER");
        CHECK(e.args.at("channel") == "C0ENGPROD");
    }
    SECTION("a directory person who is not a reviewer of the step")
    {
        REQUIRE(s.click("U01NINA", "checkpoint.approve", id, card->channel, card->ts).result() == http::status::ok);
        REQUIRE(slack_story::eventually([&] { return !s.slack().calls("chat.postEphemeral").empty(); }));
        auto e = s.slack().calls("chat.postEphemeral").front();
        CHECK(e.args.at("user") == "U01NINA");
        CHECK_THAT(json::serialize(e.args), Catch::Contains("Only the reviewers"));
    }
    SECTION("a directory person who is not a reviewer presses Deny: refused at once, no form opens")
    {
        const auto trigger = s.slack().new_trigger_id();
        REQUIRE(s.click("U01NINA", "checkpoint.deny", id, card->channel, card->ts, trigger).result() ==
                http::status::ok);
        REQUIRE(slack_story::eventually([&] { return !s.slack().calls("chat.postEphemeral").empty(); }));
        CHECK_THAT(json::serialize(s.slack().calls("chat.postEphemeral").front().args),
                   Catch::Contains("Only the reviewers"));
        CHECK(s.slack().calls("views.open").empty());
    }
    CHECK(s.state_of(id) == "pending");
    CHECK(s.audit_count(id, "approve") == 0);
}

TEST_CASE("story: a double click (and two reviewers at once) has exactly one effect", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    const auto id = file_and_wait_for_cards(s, kofi, "u-4001",
                                            "request api-production --duration 7d --reason \"debugging p99 latency\"");
    auto card = card_for(s, id, "C0ENGPROD");
    REQUIRE(card);
    // Two clicks from Alex and one from Lee, all at once, on the channel's copy.
    auto a1 = std::async(std::launch::async, [&] { return s.click(alex, "checkpoint.approve", id, card->channel, card->ts); });
    auto a2 = std::async(std::launch::async, [&] { return s.click(alex, "checkpoint.approve", id, card->channel, card->ts); });
    auto l1 = std::async(std::launch::async, [&] { return s.click(lee, "checkpoint.approve", id, card->channel, card->ts); });
    CHECK(a1.get().result() == http::status::ok);
    CHECK(a2.get().result() == http::status::ok);
    CHECK(l1.get().result() == http::status::ok);

    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    CHECK(s.audit_count(id, "approve") == 1);
    // The two clicks that came second are told why, ephemerally.
    CHECK(slack_story::eventually([&] { return s.slack().calls("chat.postEphemeral").size() == 2; }));
    // ...with the decision that was made, not as if the step had closed undecided (issue 22, item 8).
    for (const auto& told : s.slack().calls("chat.postEphemeral")) {
        const auto said = json::serialize(told.args);
        INFO(said);
        CHECK_THAT(said, Catch::Contains("no longer waiting on you") && Catch::Contains("*Approved* by") &&
                             !Catch::Contains("Closed without a decision"));
    }
    CHECK(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "is active until"); }));
    CHECK(dm_count(s.slack(), kofi, "is active until") == 1);
    // No message reached the requester twice.
    std::vector<std::string> texts;
    for (const auto& m : dms(s.slack(), kofi))
        texts.push_back(text_of(m.message));
    std::sort(texts.begin(), texts.end());
    CHECK(std::adjacent_find(texts.begin(), texts.end()) == texts.end());
    CHECK(slack_story::eventually([&] { return every_copy_settled(s, id, "Approved"); }));
}

TEST_CASE("story: Slack answering 429 with Retry-After and ok:false errors delays work but loses none",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    s.slack().rate_limit_next("chat.postMessage", 1, std::chrono::seconds(1));
    s.slack().error_next("chat.postMessage", 1, "internal_error");
    s.slack().http_error_next("chat.postMessage", 1, 503);
    s.slack().error_next("chat.update", 2, "service_unavailable");

    auto reply = s.command(kofi, "request api-production --duration 7d --reason \"debugging p99 latency\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    const auto expected = s.reviewers_of(id, 0).size() + 1;
    // Retries back off for a couple of seconds; move time past them instead of waiting.
    REQUIRE(slack_story::eventually([&] {
        if (s.cards_of(id).size() == expected && s.unsettled_jobs() == 0)
            return true;
        s.move_time(std::chrono::seconds(5));
        return false;
    }, std::chrono::seconds(30)));
    const auto rate_limited = s.slack().calls("chat.postMessage");
    CHECK(std::any_of(rate_limited.begin(), rate_limited.end(), [](const auto& c) { return c.status == 429; }));
    CHECK(card_posts(s.slack()) == expected);
    CHECK(dm_count(s.slack(), kofi, "is waiting for approval") == 1);

    auto card = card_for(s, id, "C0ENGPROD");
    REQUIRE(card);
    REQUIRE(s.click(alex, "checkpoint.approve", id, card->channel, card->ts).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] {
        if (every_copy_settled(s, id, "Approved") && s.unsettled_jobs() == 0)
            return true;
        s.move_time(std::chrono::seconds(5));
        return false;
    }, std::chrono::seconds(30)));
    CHECK(s.dead_jobs() == 0);
    CHECK(card_posts(s.slack()) == expected);
}

TEST_CASE("story: the service killed in the middle loses nothing and posts nothing twice", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    // Slack is rate-limiting every post for an hour when the request comes in.
    s.slack().rate_limit_next("chat.postMessage", 1, std::chrono::seconds(3600));
    (void)s.command(kofi, "request api-production --duration 7d --reason \"debugging p99 latency\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE_FALSE(id.empty());
    REQUIRE(slack_story::eventually([&] { return !s.slack().calls("chat.postMessage").empty(); }));
    CHECK(s.cards_of(id).empty());

    // Killed with the cards still owed; started again on the same database; the hour passes.
    s.kill_and_restart();
    s.move_time(std::chrono::hours(2));
    const auto expected = s.reviewers_of(id, 0).size() + 1;
    REQUIRE(slack_story::eventually([&] { return s.cards_of(id).size() == expected && s.unsettled_jobs() == 0; }));
    CHECK(card_posts(s.slack()) == expected);
    CHECK(dm_count(s.slack(), kofi, "is waiting for approval") == 1);

    // Killed again with the cards posted; the approval after the restart updates the copies it stored.
    s.kill_and_restart();
    auto card = card_for(s, id, "u-2002");
    REQUIRE(card);
    REQUIRE(s.click(alex, "checkpoint.approve", id, card->channel, card->ts).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    CHECK(slack_story::eventually([&] { return every_copy_settled(s, id, "Approved"); }));
    CHECK(card_posts(s.slack()) == expected);
    CHECK(s.audit_count(id, "approve") == 1);
    CHECK(slack_story::eventually([&] { return dm_count(s.slack(), kofi, "is active until") == 1; }));
    CHECK(s.dead_jobs() == 0);
}

TEST_CASE("story: the expiry reminder's Extend button opens the extend modal and extends the access",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    (void)s.command(kofi, "request api-staging --duration 3d --reason \"trying the staging API\"");
    const auto id = s.latest_petition_of("u-4001");
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    REQUIRE(slack_story::eventually([&] { return s.unsettled_jobs() == 0; }));
    CHECK_FALSE(dm_contains(s.slack(), kofi, "checkpoint.extend"));

    // Two days later the reminder falls due (a day before the end) with an Extend button.
    s.move_time(std::chrono::hours(49));
    std::optional<fake_slack_message> notice;
    REQUIRE(slack_story::eventually([&] {
        for (auto& m : dms(s.slack(), kofi))
            if (has_action(m.message, "checkpoint.extend"))
                notice = m;
        return notice.has_value();
    }));
    const auto trigger = s.slack().new_trigger_id();
    REQUIRE(s.click(kofi, "checkpoint.extend", id, notice->channel, notice->ts, trigger).result() ==
            http::status::ok);
    auto opened = s.slack().calls("views.open");
    REQUIRE(opened.size() == 1);
    CHECK(str(opened.front().args.at("trigger_id")) == trigger);
    const auto& view = opened.front().args.at("view").as_object();
    CHECK(view.at("callback_id") == "checkpoint.extend_modal");
    CHECK(str(view.at("private_metadata")) == id);
    CHECK_THAT(json::serialize(view), Catch::Contains("\"value\":\"1d\""));

    json::object values{{"extend_duration", json::object{{"checkpoint.extend_duration", selected("1d")}}},
                        {"extend_reason", json::object{{"checkpoint.extend_reason", typed("still testing the API")}}}};
    auto r = s.interact(view_submission(kofi, "checkpoint.extend_modal", id, values));
    REQUIRE(r.result() == http::status::ok);
    CHECK(r.body().empty());
    CHECK(s.audit_count(id, "request_extension") == 1);
    CHECK(slack_story::eventually([&] { return dm_contains(s.slack(), kofi, "is extended until"); }));

    SECTION("someone else's Extend click is refused")
    {
        REQUIRE(s.click(alex, "checkpoint.extend", id, notice->channel, notice->ts).result() == http::status::ok);
        CHECK(slack_story::eventually([&] { return !s.slack().calls("chat.postEphemeral").empty(); }));
        CHECK(s.slack().calls("views.open").size() == 1);
    }
}

TEST_CASE("story: App Home shows my access, my requests and what waits on me, and stays current", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    REQUIRE(s.event(json::object{{"type", "app_home_opened"}, {"user", kofi}, {"tab", "home"}}, "Ev1").result() ==
            http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.slack().home_view(kofi).has_value(); }));
    auto home = s.slack().home_view(kofi)->view;
    CHECK(home.at("type") == "home");
    CHECK(has_action(home, "checkpoint.open_request_modal"));
    // A retried delivery of the same event publishes nothing more.
    REQUIRE(s.event(json::object{{"type", "app_home_opened"}, {"user", kofi}, {"tab", "home"}}, "Ev1").result() ==
            http::status::ok);

    const auto id = file_and_wait_for_cards(s, kofi, "u-4001",
                                            "request api-production --duration 7d --reason \"debugging p99 latency\"");
    // The requester's Home has the request with Cancel; each reviewer's has it with Approve and Deny.
    CHECK(slack_story::eventually([&] {
        auto h = s.slack().home_view(kofi);
        return h && has_action(h->view, "checkpoint.cancel") && text_of(h->view).find(id) != std::string::npos;
    }));
    CHECK(slack_story::eventually([&] {
        auto h = s.slack().home_view(alex);
        return h && has_action(h->view, "checkpoint.approve") && text_of(h->view).find(id) != std::string::npos;
    }));

    // Approving from the Home tab (no channel): the change reaches both Homes.
    REQUIRE(s.interact(home_click(alex, "checkpoint.approve", id, s.slack())).result() == http::status::ok);
    REQUIRE(slack_story::eventually([&] { return s.state_of(id) == "active"; }));
    CHECK(slack_story::eventually([&] {
        auto h = s.slack().home_view(alex);
        return h && text_of(h->view).find(id) == std::string::npos;
    }));
    CHECK(slack_story::eventually([&] {
        auto h = s.slack().home_view(kofi);
        return h && has_action(h->view, "checkpoint.revoke") && has_action(h->view, "checkpoint.extend");
    }));

    // Request access on the Home tab opens the form.
    json::object open{{"type", "block_actions"},
                      {"user", json::object{{"id", kofi}}},
                      {"trigger_id", s.slack().new_trigger_id()},
                      {"container", json::object{{"type", "view"}, {"view_id", "VHOME"}}},
                      {"actions", json::array{json::object{{"action_id", "checkpoint.open_request_modal"},
                                                           {"value", ""},
                                                           {"action_ts", "1.2"}}}}};
    REQUIRE(s.interact(open).result() == http::status::ok);
    auto opened = s.slack().calls("views.open");
    REQUIRE(opened.size() == 1);
    CHECK(opened.front().args.at("view").at("callback_id") == "checkpoint.request_modal");

    SECTION("a Slack user the directory does not know sees what an admin must add")
    {
        s.slack().add_user({"U0STRANGER", "stranger@elsewhere.example", "Stranger"});
        REQUIRE(s.event(json::object{{"type", "app_home_opened"}, {"user", "U0STRANGER"}, {"tab", "home"}}, "Ev2")
                    .result() == http::status::ok);
        REQUIRE(slack_story::eventually([&] { return s.slack().home_view("U0STRANGER").has_value(); }));
        CHECK_THAT(text_of(s.slack().home_view("U0STRANGER")->view), Catch::Contains("stranger@elsewhere.example"));
    }
}

TEST_CASE("story: /checkpoint ooo routes manager approvals to the delegate until ooo off", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    // Carla Soto manages Sam Support; she is away from Slack's word, with Hank Ito approving for her.
    auto set = s.command("U01CARLA", "ooo 2026-11-30 --delegate <@U01HANK|hank>");
    CHECK_THAT(reply_text(set), Catch::Contains("Hank Ito"));
    (void)s.command("U01SAM", "request api-production-admin --duration 4h --reason \"deploy override for the hotfix\"");
    const auto first = s.latest_petition_of("u-6001");
    REQUIRE_FALSE(first.empty());
    CHECK(s.reviewers_of(first, 0) == std::vector<std::string>{"u-5000"});

    // The service restarted: the out of office is still there.
    s.kill_and_restart();
    (void)s.command("U01SAM", "cancel " + first);
    (void)s.command("U01SAM", "request api-production-admin --duration 1d --reason \"deploy override for the hotfix\"");
    const auto second = s.latest_petition_of("u-6001");
    REQUIRE(second != first);
    CHECK(s.reviewers_of(second, 0) == std::vector<std::string>{"u-5000"});

    auto off = s.command("U01CARLA", "ooo off");
    CHECK_FALSE(reply_text(off).empty());
    (void)s.command("U01SAM", "cancel " + second);
    (void)s.command("U01SAM", "request api-production-admin --duration 4h --reason \"deploy override for the hotfix\"");
    const auto third = s.latest_petition_of("u-6001");
    REQUIRE(third != second);
    CHECK(s.reviewers_of(third, 0) == std::vector<std::string>{"u-6000"});

    SECTION("a delegate outside the directory is refused")
    {
        auto r = s.command("U01CARLA", "ooo 2026-11-30 --delegate <@U0NOBODY>");
        CHECK_THAT(reply_text(r), Catch::Contains("not in the directory"));
    }
}

TEST_CASE("story: a request nobody answers is reminded past pending_after and escalated past escalate_after",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    const auto id = file_and_wait_for_cards(s, alex, "u-2002",
                                            "request api-production-admin --duration 4h --reason \"deploy override for the hotfix\"");
    REQUIRE(s.reviewers_of(id, 0) == std::vector<std::string>{"u-2001"});

    // Five hours on: Lee (the delegate) is reminded; nothing moves.
    s.move_time(std::chrono::hours(5));
    REQUIRE(slack_story::eventually([&] { return dm_contains(s.slack(), lee, "Reminder"); }));
    CHECK(s.reviewers_of(id, 0) == std::vector<std::string>{"u-2001"});

    // A day after filing: the next manager up (Dana; Mary is away) joins the step, gets a card, and Alex is told.
    s.move_time(std::chrono::hours(20));
    REQUIRE(slack_story::eventually([&] { return card_for(s, id, "u-0001").has_value(); }));
    CHECK(s.reviewers_of(id, 0) == std::vector<std::string>{"u-2001", "u-0001"});
    CHECK(s.audit_count(id, "escalate") == 1);
    CHECK(slack_story::eventually([&] { return dm_contains(s.slack(), alex, "so it moved on"); }));
    auto dana = card_for(s, id, "u-0001");
    auto m = s.slack().message(dana->channel, dana->ts);
    REQUIRE(m);
    CHECK_THAT(text_of(m->message), Catch::Contains("next manager up"));
    // Lee's copy says so too.
    auto lee_copy = card_for(s, id, "u-2001");
    CHECK(slack_story::eventually([&] {
        auto lm = s.slack().message(lee_copy->channel, lee_copy->ts);
        return lm->updates > 0 && text_of(lm->message).find("so Dana Whitfield was asked too") != std::string::npos;
    }));

    // Dana approves: the step is done.
    REQUIRE(s.click("U01DANA", "checkpoint.approve", id, dana->channel, dana->ts).result() == http::status::ok);
    CHECK(slack_story::eventually([&] { return s.step_of(id) == 1; }));
}

TEST_CASE("story: the bundle search answers block_suggestion within Slack's limits", "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    json::object payload{{"type", "block_suggestion"},
                         {"user", json::object{{"id", kofi}}},
                         {"team", json::object{{"id", "T1"}}},
                         {"api_app_id", "A1"},
                         {"block_id", "bundle"},
                         {"action_id", "checkpoint.bundle"},
                         {"value", "api-prod"},
                         {"view", json::object{{"id", "V1"}, {"type", "modal"}}}};
    auto r = s.interact(payload);
    REQUIRE(r.result() == http::status::ok);
    const auto body = r.body();
    CHECK_THAT(body, Catch::Contains("api-production"));
    CHECK(body.find("kubernetes-staging") == std::string::npos);
    auto v = json::parse(body).as_object();
    std::size_t options = 0;
    if (auto* groups = v.if_contains("option_groups"))
        for (const auto& g : groups->as_array())
            options += g.at("options").as_array().size();
    if (auto* plain = v.if_contains("options"))
        options += plain->as_array().size();
    CHECK(options >= 1);
    CHECK(options <= 100);

    SECTION("a search of another element answers no options")
    {
        payload["action_id"] = "checkpoint.unknown";
        auto other = s.interact(payload);
        CHECK(json::parse(other.body()).at("options").as_array().empty());
    }
}

TEST_CASE("story: a slow users.info does not make Slack time out a command: the answer says to try again",
          "[e2e][slack]")
{
    // Every story runs over both transports: signed HTTP requests, and Socket Mode envelopes.
    const auto transport = GENERATE(slack_transport::http, slack_transport::socket_mode);
    INFO("Slack " << transport);
    slack_story s{transport};
    // Eve has no slack_id in the directory: the command must ask Slack for her email.
    s.slack().delay_next("users.info", 1, std::chrono::milliseconds(2500));
    const auto start = std::chrono::steady_clock::now();
    auto reply = s.command("UXu-4002", "mine");
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took < std::chrono::milliseconds(2500));
    CHECK_THAT(reply_text(reply), Catch::Contains("try again"));
    // Slack answers in time the next time (once the slow answer is out of the way), and she is bound by her email.
    REQUIRE(s.slack().wait_for_calls("users.info", 1, std::chrono::seconds(10)));
    auto again = s.command("UXu-4002", "mine");
    CHECK_THAT(reply_text(again), !Catch::Contains("try again"));
    CHECK_THAT(reply_text(again), !Catch::Contains("does not know you"));
}
