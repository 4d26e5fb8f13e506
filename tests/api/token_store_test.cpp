#include "app/tokens.hpp"
#include "storage/audit_log.hpp"
#include "storage/token_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace checkpoint;

TEST_CASE("token store: secrets are random, well-formed, and only their hash is stored", "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(dir.file("t.db")).value();
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

    auto made = tokens.create("ci", "service", "", {"requests", "audit:read"}, now, {"test", "token.create", now, "", "", "", ""}).value();
    auto found = tokens.find_by_secret(made.secret).value();
    REQUIRE(found);
    CHECK(found->name == "ci");
    CHECK(found->scopes == std::vector<std::string>{"requests", "audit:read"});
    CHECK(found->person_id.empty());
    CHECK_FALSE(tokens.find_by_secret(storage::token_store::generate_secret()).value());

    auto lock = db->lock();
    SQLite::Statement q(db->connection(), "SELECT sha256 FROM api_tokens");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == storage::token_store::hash_of(made.secret));
    CHECK(q.getColumn(0).getString() != made.secret);
}

TEST_CASE("token store: revoke once, touch at most once a minute", "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(dir.file("t.db")).value();
    storage::token_store tokens(*db);
    const workflow::time_point now{std::chrono::seconds{1'795'428'000}};
    auto made = tokens.create("lee", "personal", "u-2001", {"requests"}, now, {"test", "token.create", now, "", "", "", ""}).value();
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
    };
    const row rows[] = {
        {{"ci", "service", "", {"requests", "audit:read"}}, std::nullopt, ""},
        {{"lee", "personal", "lee@example.com", {"admin"}}, std::nullopt, "u-2001"},
        {{"", "service", "", {"requests"}}, app::token_field::name, ""},
        {{"   ", "service", "", {"requests"}}, app::token_field::name, ""},
        {{std::string(101, 'n'), "service", "", {"requests"}}, app::token_field::name, ""},
        {{"ci", "robot", "", {"requests"}}, app::token_field::kind, ""},
        {{"ci", "service", "", {}}, app::token_field::scopes, ""},
        {{"ci", "service", "", {"requests", "root"}}, app::token_field::scopes, ""},
        {{"ci", "service", "u-2001", {"requests"}}, app::token_field::person, ""},
        {{"lee", "personal", "", {"requests"}}, app::token_field::person, ""},
        {{"lee", "personal", "u-9999", {"requests"}}, app::token_field::person, ""},
    };
    for (const auto& [r, refused, person_id] : rows) {
        INFO(r.name.substr(0, 10) << " " << r.kind << " " << r.person);
        auto checked = app::check_token_request(r, dir);
        if (refused) {
            REQUIRE(std::holds_alternative<app::token_refusal>(checked));
            CHECK(std::get<app::token_refusal>(checked).field == *refused);
            CHECK_FALSE(std::get<app::token_refusal>(checked).message.empty());
        } else {
            REQUIRE(std::holds_alternative<std::string>(checked));
            CHECK(std::get<std::string>(checked) == person_id);
        }
    }
}

TEST_CASE("making and revoking a token each commit with their audit event", "[tokens]")
{
    test::temp_dir dir;
    auto db = storage::database::open(dir.file("t.db")).value();
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
    auto made = app::create_token(tokens, {"ci", "service", "", {"requests"}}, "", "u-0001", "api", now).value();
    CHECK(events("token.create") == 1);
    REQUIRE(app::revoke_token(tokens, made.token.id, "u-0001", "api", now).value());
    // A second revoke finds nothing to revoke and records nothing.
    CHECK_FALSE(app::revoke_token(tokens, made.token.id, "u-0001", "api", now).value());
    CHECK_FALSE(app::revoke_token(tokens, 999, "u-0001", "api", now).value());
    CHECK(events("token.revoke") == 1);
    CHECK(audit.verify()->ok);
}
