#include "tests/bot/slack_service.hpp"

#include "bot/slack_jobs.hpp"

#include <boost/json/serialize.hpp>

#include "app/effect_jobs.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <vector>

using namespace checkpoint;
namespace in = workflow::intent;

namespace {

in::request ask(std::string target, std::string length, std::string reason = "debugging latency")
{
    return {std::move(target), workflow::parse_duration(length).value(), std::move(reason), "", false};
}

} // namespace

TEST_CASE("submit files the decided petition with its audit event and jobs", "[access]")
{
    test::service_fixture svc;
    GIVEN("Kofi on analytics-eng asks for api-production for 7 days (owner approval)")
    {
        auto p = svc.access.submit("u-4001", ask("api-production", "7d"));
        REQUIRE(p.has_value());
        THEN("it is pending at step 1 and stored")
        {
            CHECK(p->state == workflow::petition_state::pending);
            CHECK(workflow::is_petition_id(p->id));
            auto stored = svc.access.get(p->id);
            REQUIRE(stored.has_value());
            CHECK(stored->version == p->version);
            auto audit = svc.audit.for_petition(p->id);
            REQUIRE(audit.has_value());
            CHECK(audit->size() == 1);
            CHECK(svc.audit.verify()->ok);
        }
        THEN("jobs were enqueued for its effects")
        {
            auto leased = svc.jobs.lease("t", 100, std::chrono::seconds{60}, svc.clock.now());
            REQUIRE(leased.has_value());
            CHECK_FALSE(leased->empty());
        }
        THEN("the reviewers see it waiting on them, and the requester in mine")
        {
            const auto& reviewer = p->route.steps.at(0).reviewers.at(0).person_id;
            auto waiting = svc.access.awaiting(reviewer);
            REQUIRE(waiting.has_value());
            REQUIRE(waiting->size() == 1);
            CHECK(svc.access.mine("u-4001")->size() == 1);
            CHECK(svc.access.awaiting("u-4001")->empty());
        }
    }
}

TEST_CASE("act applies events under the state machine's rules", "[access]")
{
    test::service_fixture svc;
    auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
    const auto reviewer = p.route.steps.at(0).reviewers.at(0).person_id;

    WHEN("the requester tries to approve their own request")
    {
        auto t = svc.access.act(p.id, workflow::approve_by("u-4001", svc.clock.now()));
        THEN("it is refused and nothing changes")
        {
            REQUIRE_FALSE(t.has_value());
            CHECK_FALSE(t.error().message.empty());
            CHECK(svc.access.get(p.id)->version == p.version);
        }
    }
    WHEN("a reviewer approves, then clicks again")
    {
        auto first = svc.access.act(p.id, workflow::approve_by(reviewer, svc.clock.now()));
        auto second = svc.access.act(p.id, workflow::approve_by(reviewer, svc.clock.now()));
        THEN("the first counts once and the second is refused")
        {
            REQUIRE(first.has_value());
            CHECK(first->petition.state == workflow::petition_state::approved);
            CHECK_FALSE(second.has_value());
            CHECK(svc.access.get(p.id)->version == p.version + 1);
            CHECK(svc.audit.for_petition(p.id)->size() == 2);
        }
    }
    WHEN("someone who is not a reviewer approves")
    {
        auto t = svc.access.act(p.id, workflow::approve_by("u-3002", svc.clock.now()));
        THEN("it is refused") { CHECK_FALSE(t.has_value()); }
    }
    WHEN("an unknown id is used")
    {
        auto t = svc.access.act("p-nothere", workflow::cancel_by("u-4001", svc.clock.now()));
        THEN("the error names it")
        {
            REQUIRE_FALSE(t.has_value());
            CHECK(t.error().code == "not_found");
        }
    }
}

TEST_CASE("a request the policy refuses is not filed", "[access]")
{
    test::service_fixture svc;
    auto p = svc.access.submit("u-2002", ask("kubernetes-prod-debug", "30d"));
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == "too_long");
    CHECK(svc.access.mine("u-2002")->empty());
}

TEST_CASE("the job runner runs due jobs by kind, retries and settles them", "[runner]")
{
    test::service_fixture svc;
    std::vector<std::string> ran;
    int flaky_calls = 0;
    svc.runner.handle("ok", {[&](const workflow::job& j) {
                                 ran.push_back(j.key);
                                 return bot::job_outcome::done();
                             },
                             {}});
    svc.runner.handle("flaky", {[&](const workflow::job&) {
                                    return ++flaky_calls < 3 ? bot::job_outcome::retry("not yet", std::chrono::seconds{30})
                                                             : bot::job_outcome::done();
                                },
                                {}});
    const auto now = svc.clock.now();
    REQUIRE(svc.jobs.enqueue({"ok", "a", "{}", now, workflow::on_duplicate::keep}, now).has_value());
    REQUIRE(svc.jobs.enqueue({"ok", "later", "{}", now + std::chrono::hours{1}, workflow::on_duplicate::keep}, now).has_value());
    REQUIRE(svc.jobs.enqueue({"flaky", "f", "{}", now, workflow::on_duplicate::keep}, now).has_value());

    CHECK(svc.runner.run_until_idle() == 2);
    CHECK(ran == std::vector<std::string>{"a"});
    CHECK(flaky_calls == 1);

    // Nothing more is due until time moves; a retry waits at least its retry-after.
    svc.clock.advance(std::chrono::seconds{29});
    CHECK(svc.runner.run_until_idle() == 0);
    svc.clock.advance(std::chrono::hours{2});
    svc.runner.run_until_idle();
    svc.clock.advance(std::chrono::hours{2});
    svc.runner.run_until_idle();
    CHECK(ran == std::vector<std::string>{"a", "later"});
    CHECK(flaky_calls == 3);
    CHECK(svc.jobs.find("f")->value().status == workflow::job_status::done);
}

TEST_CASE("a job kind with no handler is retried, not dropped", "[runner]")
{
    test::service_fixture svc;
    const auto now = svc.clock.now();
    REQUIRE(svc.jobs.enqueue({"unknown_kind", "u", "{}", now, workflow::on_duplicate::keep}, now).has_value());
    CHECK(svc.runner.run_once() == 1);
    auto j = svc.jobs.find("u")->value();
    CHECK(j.status == workflow::job_status::pending);
    CHECK_THAT(j.last_error, Catch::Contains("no handler"));
}


TEST_CASE("every change refreshes the App Home of the requester and of the reviewers it concerns", "[access]")
{
    test::service_fixture svc;
    auto p = svc.access.submit("u-4001", ask("api-production", "7d")).value();
    const auto reviewers = p.route.steps.at(0).reviewers;
    REQUIRE_FALSE(reviewers.empty());
    auto home_job = [&](const std::string& person) { return svc.jobs.find("home/person/" + person).value(); };
    REQUIRE(home_job("u-4001"));
    CHECK(home_job("u-4001")->kind == "publish_home");
    for (const auto& r : reviewers)
        CHECK(home_job(r.person_id));
    CHECK_FALSE(home_job("u-6001")); // Sam is not concerned

    // Settled, then an approval: the same one job per person runs again.
    for (auto& j : svc.jobs.lease("t", 100, std::chrono::seconds{60}, svc.clock.now()).value())
        (void)svc.jobs.complete(j.id, "t", svc.clock.now());
    REQUIRE(home_job("u-4001")->status == workflow::job_status::done);
    REQUIRE(svc.access.act(p.id, workflow::approve_by(reviewers.front().person_id, svc.clock.now())).has_value());
    CHECK(home_job("u-4001")->status == workflow::job_status::pending);
    CHECK(home_job(reviewers.back().person_id)->status == workflow::job_status::pending);

    SECTION("whom a change concerns: the requester, then each reviewer once")
    {
        CHECK(workflow::people_concerned(p).front() == "u-4001");
        CHECK(workflow::people_concerned(p).size() == 1 + reviewers.size());
    }
}

TEST_CASE("an extension waiting on a reviewer is among what awaits them, until it is decided", "[access]")
{
    test::service_fixture svc;
    // Lee, on api-team, gets api-production for a day at once; two days need the owner team.
    auto p = svc.access.submit("u-2001", ask("api-production", "1d")).value();
    REQUIRE(p.state == workflow::petition_state::approved);
    REQUIRE(svc.access.act(p.id, workflow::provisioning_started(svc.clock.now())).has_value());
    REQUIRE(svc.access.act(p.id, workflow::provisioned_at(svc.clock.now())).has_value());
    CHECK(svc.access.awaiting("u-2002", 20)->empty());

    auto t = svc.access.extend(p.id, "u-2001", std::chrono::hours{24}, "the load test runs another day", workflow::slack_origin());
    if (!t)
        FAIL(t.error().code << ": " << t.error().message);
    REQUIRE(t->petition.pending_extension);
    const auto& step = t->petition.pending_extension->route.steps.at(0);
    REQUIRE(step.has_reviewer("u-2002"));

    auto waiting = svc.access.awaiting("u-2002", 20).value();
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].id == p.id);
    CHECK(svc.access.awaiting("u-2001", 20)->empty()); // not the requester's own
    CHECK(svc.access.awaiting("u-4001", 20)->empty()); // not someone outside the step

    SECTION("approved")
    {
        REQUIRE(svc.access.act(p.id, workflow::approve_by("u-2002", svc.clock.now())).has_value());
        CHECK(svc.access.awaiting("u-2002", 20)->empty());
        // The rule line no longer reads as the one-day auto-approval alone.
        const auto stored = svc.access.get(p.id).value();
        CHECK(stored.route.length == std::chrono::hours{48});
        CHECK_THAT(stored.route.rule_reason,
                   Catch::StartsWith(p.route.rule_reason) && Catch::Contains("Extended to 2 days: "));
    }
    SECTION("denied: the decision says it was the extension, and why")
    {
        REQUIRE(svc.access.act(p.id, workflow::deny_by("u-2002", "one day is enough", svc.clock.now())).has_value());
        CHECK(svc.access.awaiting("u-2002", 20)->empty());
        const auto stored = svc.access.get(p.id).value();
        CHECK(stored.state == workflow::petition_state::active);
        REQUIRE_FALSE(stored.decisions.empty());
        CHECK(stored.decisions.back().step == "extension: " + step.name);
        CHECK_FALSE(stored.decisions.back().approved);
        CHECK(stored.decisions.back().reason == "one day is enough");
    }
}

TEST_CASE("a request that repeats an open one, or asks for access held, is refused and points at it", "[access]")
{
    test::service_fixture svc;
    auto first = svc.access.submit("u-2001", ask("api-production", "7d")).value();
    REQUIRE(first.state == workflow::petition_state::pending);

    auto again = svc.access.submit("u-2001", ask("api-production", "1d"));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().code == workflow::petition_error::already_open);
    CHECK_THAT(again.error().message, Catch::Contains("You already asked for api-production: request " + first.id +
                                                      " is waiting for approval") &&
                                          Catch::Contains("`/checkpoint cancel " + first.id + "`"));
    // Someone else's request is not theirs; another bundle is another request.
    CHECK(svc.access.submit("u-2002", ask("api-production", "7d")).has_value());
    CHECK(svc.access.submit("u-2001", ask("data-warehouse", "1d")).has_value());

    // Held: refused with the way to keep it longer.
    REQUIRE(svc.access.act(first.id, workflow::approve_by("u-2002", svc.clock.now())).has_value());
    REQUIRE(svc.access.act(first.id, workflow::provisioning_started(svc.clock.now())).has_value());
    REQUIRE(svc.access.act(first.id, workflow::provisioned_at(svc.clock.now())).has_value());
    auto held = svc.access.submit("u-2001", ask("api-production", "1d"));
    REQUIRE_FALSE(held.has_value());
    CHECK_THAT(held.error().message, Catch::Contains("You already have access to api-production (request " + first.id) &&
                                         Catch::Contains("`/checkpoint extend " + first.id + " <duration>`"));

    // Ended: asking again files a new request.
    REQUIRE(svc.access.act(first.id, workflow::revoke_by("u-2001", svc.clock.now())).has_value());
    CHECK(svc.access.submit("u-2001", ask("api-production", "1d")).has_value());
}

TEST_CASE("requests sent at once for the same thing file one", "[access]")
{
    test::service_fixture svc;
    std::vector<workflow::result<workflow::petition>> results;
    std::mutex m;
    std::condition_variable cv;
    for (int i = 0; i < 5; ++i)
        svc.access.submit("u-4001", ask("api-production", "3d"), [&](workflow::result<workflow::petition> r) {
            std::lock_guard lock(m);
            results.push_back(std::move(r));
            cv.notify_all();
        });
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return results.size() == 5; }));
    int filed = 0, refused = 0;
    for (const auto& r : results) {
        filed += r.has_value();
        refused += !r && r.error().code == workflow::petition_error::already_open;
    }
    CHECK(filed == 1);
    CHECK(refused == 4);
}

TEST_CASE("out of office is one use case: checked, then stored with its audit event in one write", "[access]")
{
    test::service_fixture svc;
    auto count = [&](const std::string& sql) {
        return svc.db->read([&](storage::connection& c) -> workflow::result<long long> {
            auto q = c.use(sql);
            q->executeStep();
            return q->getColumn(0).getInt64();
        }).value();
    };
    const auto now = svc.clock.now();
    using away = app::access_service::away_request;

    struct bad_case {
        const char* what;
        away request;
        const char* code;
    };
    const bad_case refused[] = {
        {"a return day in the past", {now - std::chrono::hours{1}, ""}, "bad_date"},
        {"a return day that is now", {now, ""}, "bad_date"},
        {"oneself as delegate", {now + std::chrono::hours{48}, "u-2002"}, "bad_delegate"},
        {"a delegate not in the directory", {now + std::chrono::hours{48}, "u-9999"}, "unknown_delegate"},
    };
    for (const auto& c : refused) {
        INFO(c.what);
        auto r = svc.access.set_away("u-2002", c.request, workflow::slack_origin());
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == c.code);
    }
    CHECK(count("SELECT count(*) FROM out_of_office WHERE person_id = 'u-2002'") == 0);
    CHECK(count("SELECT count(*) FROM audit_log WHERE action LIKE 'ooo_%'") == 0);

    // Alex Chen (u-2002) goes away for two days with Lee Lin (u-2001) approving in his place.
    auto set = svc.access.set_away("u-2002", away{now + std::chrono::hours{48}, "u-2001"}, workflow::slack_origin());
    REQUIRE(set.has_value());
    REQUIRE(set->has_value());
    CHECK((*set)->delegate == "u-2001");
    CHECK(count("SELECT count(*) FROM out_of_office WHERE person_id = 'u-2002' AND away = 1") == 1);
    CHECK(count("SELECT count(*) FROM audit_log WHERE action = 'ooo_set' AND actor = 'u-2002' "
                "AND details LIKE '%u-2001%'") == 1);
    CHECK(svc.audit.verify()->ok);

    // Back now: the row says so and the audit log has both.
    auto back = svc.access.set_away("u-2002", std::nullopt, workflow::slack_origin());
    REQUIRE(back.has_value());
    CHECK_FALSE(back->has_value());
    CHECK(count("SELECT count(*) FROM out_of_office WHERE person_id = 'u-2002' AND away = 0") == 1);
    CHECK(count("SELECT count(*) FROM audit_log WHERE action = 'ooo_off' AND actor = 'u-2002'") == 1);
    CHECK(svc.audit.verify()->ok);
}

// Puts in force a bundle "rota" whose one step is the platform team (Paula, Omar, Grace), one reviewer at a
// time.
static void add_rota_bundle(test::service_fixture& svc)
{
    auto m = *svc.live.now();
    auto rota = *m.catalog.find("api-staging");
    rota.name = "rota";
    rota.approval.steps.push_back(
        {"platform rota", {{workflow::reviewer_kind::team, "platform-team"}}, 1, workflow::assign_mode::round_robin});
    std::vector<workflow::bundle> bundles(m.catalog.bundles().begin(), m.catalog.bundles().end());
    bundles.push_back(rota);
    m.catalog = workflow::catalog(std::move(bundles));
    svc.live.replace(std::move(m), {});
}

TEST_CASE("round-robin steps rotate across requests, and the rotation survives a restart", "[access]")
{
    test::service_fixture svc;
    add_rota_bundle(svc);

    auto first_assignee = [](const workflow::petition& p) { return p.route.steps.at(0).assignee(0).person_id; };
    std::vector<std::string> assigned;
    for (const auto* who : {"u-2001", "u-2002", "u-2003", "u-4001"}) {
        auto p = svc.access.submit(who, ask("rota", "1d"));
        REQUIRE(p.has_value());
        assigned.push_back(first_assignee(*p));
    }
    CHECK(assigned == std::vector<std::string>{"u-1000", "u-1001", "u-1002", "u-1000"});
    CHECK(svc.petitions.rotation("rota/platform rota").value() == 4);

    // A new service over the same database (a restart) goes on where the rotation was.
    app::access_service restarted{svc.live, svc.clock, svc.petitions, [] {}, &svc.resources};
    auto next = restarted.submit("u-4002", ask("rota", "1d"));
    REQUIRE(next.has_value());
    CHECK(first_assignee(*next) == "u-1001");
}

TEST_CASE("a round-robin step's reminder goes to the reviewer the rotation assigned", "[access]")
{
    test::slack_service s;
    auto& svc = s.svc;
    add_rota_bundle(svc);
    bot::register_slack_jobs(svc.runner, svc.ctx);

    // The second request of the rotation is Omar's; its reminder at pending_after goes to him, not Paula.
    REQUIRE(svc.access.submit("u-2001", ask("rota", "1d")).has_value());
    auto second = svc.access.submit("u-2002", ask("rota", "1d"));
    REQUIRE(second.has_value());
    REQUIRE(second->route.steps.at(0).assignee(0).person_id == "u-1001");
    svc.runner.run_until_idle();
    s.slack.clear_calls();
    svc.clock.advance(svc.manifests.settings.reminders.pending_after + std::chrono::minutes{1});
    svc.runner.run_until_idle();
    std::vector<std::string> reminded;
    for (const auto& c : s.slack.calls("chat.postMessage"))
        if (boost::json::serialize(c.args).find(second->id) != std::string::npos)
            reminded.push_back(std::string(c.args.at("channel").as_string()));
    CHECK(std::count(reminded.begin(), reminded.end(), "U01OMAR") == 1);
    CHECK(std::count(reminded.begin(), reminded.end(), "U01PAULA") == 0);
}
