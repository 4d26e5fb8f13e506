#include "app/tokens.hpp"
#include "app/jobs.hpp"
#include "storage/audit_log.hpp"
#include "storage/job_queue.hpp"
#include "storage/report_queries.hpp"
#include "storage/token_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <set>

using namespace checkpoint;

namespace {

workflow::api_token spec(std::string name, std::string kind, std::string person, std::vector<std::string> scopes)
{
    workflow::api_token t;
    t.name = std::move(name);
    t.kind = std::move(kind);
    t.person_id = std::move(person);
    t.scopes = std::move(scopes);
    return t;
}

} // namespace

TEST_CASE("token store: secrets are random, well-formed, and only their hash is stored", "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("t.db"))).value();
    storage::token_store tokens(*db);
    const workflow::time_point now{std::chrono::seconds{1'795'428'000}};

    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        auto s = storage::token_store::generate_secret();
        CHECK(storage::token_store::looks_like_token(s));
        seen.insert(s);
    }
    CHECK(seen.size() == 50);
    CHECK_FALSE(storage::token_store::looks_like_token("cpt_short"));
    CHECK_FALSE(storage::token_store::looks_like_token("xyz_" + std::string(40, 'a')));
    CHECK_FALSE(storage::token_store::looks_like_token("cpt_" + std::string(39, 'a') + "!"));

    auto made = tokens.create(spec("ci", "service", "", {"requests", "audit:read"}), now, {"test", "token.create", now, "", "", "", ""}, {}).value();
    auto found = tokens.find_by_secret(made.secret).value();
    REQUIRE(found);
    CHECK(found->name == "ci");
    CHECK(found->scopes == std::vector<std::string>{"requests", "audit:read"});
    CHECK(found->person_id.empty());
    CHECK_FALSE(tokens.find_by_secret(storage::token_store::generate_secret()).value());

    auto lock = db->lock();
    auto q = db->connection().use("SELECT sha256 FROM api_tokens");
    REQUIRE(q->executeStep());
    CHECK(q->getColumn(0).getString() == storage::token_store::hash_of(made.secret));
    CHECK(q->getColumn(0).getString() != made.secret);
}

TEST_CASE("token store: revoke once, touch at most once a minute", "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("t.db"))).value();
    storage::token_store tokens(*db);
    const workflow::time_point now{std::chrono::seconds{1'795'428'000}};
    auto made = tokens.create(spec("lee", "personal", "u-2001", {"requests"}), now, {"test", "token.create", now, "", "", "", ""}, {}).value();
    REQUIRE(tokens.touch(made.token, now).has_value());
    auto t = *tokens.find_by_secret(made.secret).value();
    REQUIRE(t.last_used_at);
    CHECK(*t.last_used_at == now);
    REQUIRE(tokens.touch(t, now + std::chrono::seconds(30)).has_value());
    CHECK(*tokens.find_by_secret(made.secret).value()->last_used_at == now);
    CHECK(tokens.revoke(made.token.id, now, {"test", "token.revoke", now, "", "", "", ""}).value());
    CHECK_FALSE(tokens.revoke(made.token.id, now, {"test", "token.revoke", now, "", "", "", ""}).value());
    CHECK(tokens.find_by_secret(made.secret).value()->revoked_at);
}

TEST_CASE("token requests are checked in one place, field by field, before anything is stored", "[tokens]")
{
    const workflow::directory dir({{"u-2001", "00u2001", "lee@example.com", "Lee Lin", "U01LEE", "", "api-team", {}}}, {},
                                  {});
    struct row {
        app::token_request r;
        std::optional<app::token_field> refused;
        std::string person_id;
        std::optional<workflow::duration> lifetime;
    };
    using std::chrono::days;
    using std::chrono::hours;
    const auto d90 = std::optional<workflow::duration>(days{90});
    const row rows[] = {
        {{"ci", "service", "", {"requests", "audit:read"}}, std::nullopt, "", std::nullopt},
        {{"lee", "personal", "lee@example.com", {"admin"}}, std::nullopt, "u-2001", d90},
        {{"", "service", "", {"requests"}}, app::token_field::name, "", {}},
        {{"   ", "service", "", {"requests"}}, app::token_field::name, "", {}},
        {{std::string(101, 'n'), "service", "", {"requests"}}, app::token_field::name, "", {}},
        {{"ci", "robot", "", {"requests"}}, app::token_field::kind, "", {}},
        {{"ci", "service", "", {}}, app::token_field::scopes, "", {}},
        {{"ci", "service", "", {"requests", "root"}}, app::token_field::scopes, "", {}},
        {{"ci", "service", "u-2001", {"requests"}}, app::token_field::person, "", {}},
        {{"lee", "personal", "", {"requests"}}, app::token_field::person, "", {}},
        {{"lee", "personal", "u-9999", {"requests"}}, app::token_field::person, "", {}},
        // Expiry: personal tokens 90 days unless asked, a year at most, never "never"; service tokens may.
        {{"ci", "service", "", {"requests"}, "30d"}, std::nullopt, "", days{30}},
        {{"ci", "service", "", {"requests"}, "never"}, std::nullopt, "", std::nullopt},
        {{"ci", "service", "", {"requests"}, "1000d"}, std::nullopt, "", days{1000}},
        {{"lee", "personal", "u-2001", {"requests"}, "7d"}, std::nullopt, "u-2001", days{7}},
        {{"lee", "personal", "u-2001", {"requests"}, "1h"}, std::nullopt, "u-2001", hours{1}},
        {{"lee", "personal", "u-2001", {"requests"}, "365d"}, std::nullopt, "u-2001", days{365}},
        {{"lee", "personal", "u-2001", {"requests"}, "366d"}, app::token_field::expires, "", {}},
        {{"lee", "personal", "u-2001", {"requests"}, "never"}, app::token_field::expires, "", {}},
        {{"ci", "service", "", {"requests"}, "30m"}, app::token_field::expires, "", {}},
        {{"ci", "service", "", {"requests"}, "soon"}, app::token_field::expires, "", {}},
        {{"ci", "service", "", {"requests"}, "-5d"}, app::token_field::expires, "", {}},
    };
    for (const auto& [r, refused, person_id, lifetime] : rows) {
        INFO(r.name.substr(0, 10) << " " << r.kind << " " << r.person << " expires " << r.expires);
        auto checked = app::check_token_request(r, dir);
        if (refused) {
            REQUIRE(std::holds_alternative<app::token_refusal>(checked));
            CHECK(std::get<app::token_refusal>(checked).field == *refused);
            CHECK_FALSE(std::get<app::token_refusal>(checked).message.empty());
        } else {
            REQUIRE(std::holds_alternative<app::token_plan>(checked));
            CHECK(std::get<app::token_plan>(checked).person_id == person_id);
            CHECK(std::get<app::token_plan>(checked).lifetime == lifetime);
        }
    }
}

TEST_CASE("a stored token stops working when revoked, when expired, and when its person leaves", "[tokens]")
{
    const workflow::directory dir({{"u-2001", "00u2001", "lee@example.com", "Lee Lin", "U01LEE", "", "api-team", {}}}, {},
                                  {});
    const workflow::time_point now{std::chrono::seconds{1'795'428'000}};
    workflow::api_token t;
    t.name = "lee";
    t.kind = "personal";
    t.person_id = "u-2001";
    t.expires_at = now + std::chrono::hours{1};
    CHECK(app::why_token_refused(t, dir, now).empty());
    CHECK(app::why_token_refused(t, dir, now + std::chrono::minutes{59}).empty());
    CHECK_THAT(app::why_token_refused(t, dir, now + std::chrono::hours{1}), Catch::Contains("expired at"));
    t.expires_at.reset();
    t.person_id = "u-9999";
    CHECK_THAT(app::why_token_refused(t, dir, now), Catch::Contains("no longer in the directory"));
    t.person_id = "u-2001";
    t.revoked_at = now;
    CHECK_THAT(app::why_token_refused(t, dir, now), Catch::Contains("revoked"));
}

TEST_CASE("a personal token made for someone else is told in the security channel and names them as subject",
          "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("t.db"))).value();
    storage::token_store tokens(*db);
    storage::audit_log audit(*db);
    storage::report_queries reports(*db);
    storage::job_queue jobs(*db);
    const workflow::time_point now{std::chrono::seconds{1'795'428'000}};
    const app::token_request lee{"lee-laptop", "personal", "u-2001", {"requests", "review"}};
    const app::token_plan plan{"u-2001", app::default_personal_token_life};

    SECTION("an admin makes one for Lee: told, audited with Lee as subject, and expiring in 90 days")
    {
        auto made = app::create_token(tokens, lee, plan, {"u-0001", {"api", 7}, "C0SECURITY"}, now).value();
        REQUIRE(made.token.expires_at);
        CHECK(*made.token.expires_at == now + std::chrono::days{90});
        CHECK(tokens.find_by_secret(made.secret).value()->expires_at == made.token.expires_at);

        const auto key = "token/" + std::to_string(made.token.id) + "/notice";
        auto job = jobs.find(key).value();
        REQUIRE(job);
        CHECK(job->kind == "post_token_notice");
        auto notice = app::token_notice_of(*job).value();
        CHECK(notice.channel == "C0SECURITY");
        CHECK(notice.person == "u-2001");
        CHECK(notice.by == "u-0001");
        CHECK(notice.token_id == made.token.id);
        CHECK(notice.expires_at == made.token.expires_at);

        workflow::audit_query q;
        q.subject = "u-2001";
        auto page = reports.audit_events(q).value();
        REQUIRE(page.records.size() == 1);
        const auto& e = page.records[0].event;
        CHECK(e.actor == "u-0001");
        CHECK(e.action == "token.create");
        auto details = boost::json::parse(e.details).as_object();
        CHECK(details.at("subject") == "u-2001");
        CHECK(details.at("announced_in") == "C0SECURITY");
        CHECK(details.at("channel") == "api");
        CHECK(details.at("caller_token") == 7);
        CHECK(details.at("token_id") == made.token.id);
    }
    SECTION("Lee makes one for themself: nothing to tell")
    {
        auto made = app::create_token(tokens, lee, plan, {"u-2001", {"api", 3}, "C0SECURITY"}, now).value();
        CHECK_FALSE(jobs.find("token/" + std::to_string(made.token.id) + "/notice").value());
    }
    SECTION("no security channel: the audit says it was told nowhere")
    {
        auto made = app::create_token(tokens, lee, plan, {"checkpoint-cli", {"cli", 0}, ""}, now).value();
        CHECK_FALSE(jobs.find("token/" + std::to_string(made.token.id) + "/notice").value());
        workflow::audit_query q;
        q.subject = "u-2001";
        auto page = reports.audit_events(q).value();
        REQUIRE(page.records.size() == 1);
        auto details = boost::json::parse(page.records[0].event.details).as_object();
        CHECK_THAT(std::string(details.at("announced_in").as_string()), Catch::Contains("no security channel"));
        CHECK(details.at("channel") == "cli");
        CHECK(details.at("caller_token").is_null());
    }
    CHECK(audit.verify()->ok);
}

TEST_CASE("making and revoking a token each commit with their audit event", "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(checkpoint::test::database_for(dir.file("t.db"))).value();
    storage::token_store tokens(*db);
    storage::audit_log audit(*db);
    const workflow::time_point now{std::chrono::seconds{1'795'428'000}};
    auto events = [&](const std::string& action) {
        return db->read([&](storage::connection& c) -> workflow::result<long long> {
            auto q = c.use("SELECT count(*) FROM audit_log WHERE action = ? AND actor = 'u-0001'");
            q->bind(1, action);
            q->executeStep();
            return q->getColumn(0).getInt64();
        }).value();
    };
    const app::token_maker admin{"u-0001", {"api", 1}, "C0SECURITY"};
    auto made = app::create_token(tokens, {"ci", "service", "", {"requests"}}, {"", std::nullopt}, admin, now).value();
    CHECK(events("token.create") == 1);
    CHECK_FALSE(made.token.expires_at);
    REQUIRE(app::revoke_token(tokens, made.token.id, admin, now).value());
    // A second revoke finds nothing to revoke and records nothing.
    CHECK_FALSE(app::revoke_token(tokens, made.token.id, admin, now).value());
    CHECK_FALSE(app::revoke_token(tokens, 999, admin, now).value());
    CHECK(events("token.revoke") == 1);
    CHECK(audit.verify()->ok);
}
