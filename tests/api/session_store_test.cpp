// Web sessions: stored as the hash of the cookie's secret, refused once ended, expired or their person gone,
// and every sign-in and sign-out audited through the web.
#include "app/web_sessions.hpp"
#include "storage/session_store.hpp"
#include "storage/token_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"
#include "workflow/directory.hpp"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

using namespace checkpoint;

namespace {

workflow::directory people()
{
    workflow::person kofi;
    kofi.id = "u-4001";
    kofi.name = "Kofi Mensah";
    kofi.email = "kofi@example.com";
    kofi.team = "analytics-eng";
    workflow::person eve;
    eve.id = "u-4002";
    eve.name = "Eve Moreau";
    eve.email = "eve@example.com";
    eve.team = "analytics-eng";
    return workflow::directory({kofi, eve}, {}, {});
}

// A database of its own, its session store, two people and a fixed time: what every case here starts from.
struct session_fixture {
    test::temp_dir dir;
    std::unique_ptr<storage::database> db = storage::database::open(checkpoint::test::database_for(dir.file("s.db"))).value();
    storage::session_store sessions{*db};
    workflow::directory dir_now = people();
    workflow::time_point now{std::chrono::seconds{1'795'428'000}};

    auto parts() { return std::tie(db, sessions, dir_now, now); }
};

} // namespace

TEST_CASE("web sessions: a sign-in by email opens a session kept only as a hash, audited through the web", "[web]")
{
    session_fixture f;
    auto [db, sessions, dir_now, now] = f.parts();

    auto opened = app::sign_in(sessions, dir_now, "KOFI@example.com", app::sign_in_via::trusted_header, now);
    REQUIRE(std::holds_alternative<workflow::opened_session>(opened));
    const auto& o = std::get<workflow::opened_session>(opened);
    CHECK(storage::token_store::looks_like_token(o.secret, storage::session_store::secret_prefix));
    CHECK(o.session.person_id == "u-4001");
    CHECK(o.session.expires_at == now + app::web_session_life);
    CHECK(o.session.csrf.size() > 30);

    auto found = sessions.find(o.secret).value();
    REQUIRE(found);
    CHECK(found->id == o.session.id);
    CHECK(found->csrf == o.session.csrf);
    CHECK(found->via == "trusted_header");
    CHECK(app::why_session_refused(*found, dir_now, now + std::chrono::hours{11}).empty());
    // Junk and other secrets find nothing, without a query for junk.
    CHECK_FALSE(sessions.find("cps_short").value());
    CHECK_FALSE(sessions.find(storage::token_store::generate_secret("cps_")).value());
    CHECK_FALSE(sessions.find(storage::token_store::generate_secret()).value());
    auto lock = db->lock();
    auto q = db->connection().use("SELECT sha256 FROM web_sessions");
    REQUIRE(q->executeStep());
    CHECK(q->getColumn(0).getString() == storage::token_store::hash_of(o.secret));
    auto a = db->connection().use("SELECT actor, action, details FROM audit_log ORDER BY seq DESC LIMIT 1");
    REQUIRE(a->executeStep());
    CHECK(a->getColumn(0).getString() == "u-4001");
    CHECK(a->getColumn(1).getString() == "web.signed_in");
    CHECK_THAT(a->getColumn(2).getString(), Catch::Contains("\"channel\":\"web\"") &&
                                               Catch::Contains("\"session_id\"") &&
                                               Catch::Contains("\"via\":\"trusted_header\""));
}

TEST_CASE("web sessions: why one no longer works", "[web]")
{
    session_fixture f;
    auto [db, sessions, dir_now, now] = f.parts();
    auto o = std::get<workflow::opened_session>(app::sign_in(sessions, dir_now, "u-4002", app::sign_in_via::dev, now));

    struct row {
        const char* what;
        workflow::time_point at;
        const workflow::directory* in;
        const char* says;
    };
    const workflow::directory without_eve({people().people()[0]}, {}, {});
    const std::vector<row> rows{
        {"in its life", now + std::chrono::hours{1}, &dir_now, ""},
        {"at its end", now + app::web_session_life, &dir_now, "Your session ended at"},
        {"its person left the directory", now + std::chrono::hours{1}, &without_eve, "no longer in Checkpoint's directory"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto why = app::why_session_refused(o.session, *r.in, r.at);
        if (std::string(r.says).empty())
            CHECK(why.empty());
        else
            CHECK_THAT(why, Catch::Contains(r.says));
    }

    CHECK(app::sign_out(sessions, o.session, now).value());
    CHECK_FALSE(app::sign_out(sessions, o.session, now).value());
    auto ended = sessions.find(o.secret).value();
    REQUIRE(ended);
    CHECK_THAT(app::why_session_refused(*ended, dir_now, now), Catch::Contains("signed out"));

    auto nobody = app::sign_in(sessions, dir_now, "mallory@elsewhere.example", app::sign_in_via::dev, now);
    REQUIRE(std::holds_alternative<app::sign_in_refusal>(nobody));
    CHECK_THAT(std::get<app::sign_in_refusal>(nobody).message, Catch::Contains("not a person in Checkpoint's directory"));
    CHECK(std::holds_alternative<app::sign_in_refusal>(app::sign_in(sessions, dir_now, "", app::sign_in_via::dev, now)));
}

TEST_CASE("web sessions: rows a day past their end are forgotten as new sessions open", "[web]")
{
    session_fixture f;
    auto [db, sessions, dir_now, now] = f.parts();
    auto first = std::get<workflow::opened_session>(app::sign_in(sessions, dir_now, "u-4001", app::sign_in_via::dev, now));
    // Ended, but within a day of its end: still known, and it says why it no longer works.
    const auto soon = first.session.expires_at + std::chrono::hours{23};
    auto second = std::get<workflow::opened_session>(app::sign_in(sessions, dir_now, "u-4002", app::sign_in_via::dev, soon));
    auto kept = sessions.find(first.secret).value();
    REQUIRE(kept);
    CHECK_THAT(app::why_session_refused(*kept, dir_now, soon), Catch::Contains("ended at"));
    // A day past its end, the next sign-in deletes it; the newer one stays.
    const auto later = first.session.expires_at + storage::session_store::kept_after_end + std::chrono::minutes{1};
    (void)app::sign_in(sessions, dir_now, "u-4001", app::sign_in_via::dev, later);
    CHECK_FALSE(sessions.find(first.secret).value());
    CHECK(sessions.find(second.secret).value());
}
