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

    auto made = tokens.create("ci", "service", "", {"requests", "audit:read"}, now).value();
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
    auto made = tokens.create("lee", "personal", "u-2001", {"requests"}, now).value();
    REQUIRE(tokens.touch(made.token, now).has_value());
    auto t = *tokens.find_by_secret(made.secret).value();
    REQUIRE(t.last_used_at);
    CHECK(*t.last_used_at == now);
    REQUIRE(tokens.touch(t, now + std::chrono::seconds(30)).has_value());
    CHECK(*tokens.find_by_secret(made.secret).value()->last_used_at == now);
    CHECK(tokens.revoke(made.token.id, now).value());
    CHECK_FALSE(tokens.revoke(made.token.id, now).value());
    CHECK(tokens.find_by_secret(made.secret).value()->revoked_at);
}
