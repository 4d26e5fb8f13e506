#include "fixture.hpp"
#include "app/effect_jobs.hpp"
#include "storage/grant_store.hpp"
#include "app/petition_ids.hpp"
#include "storage/petition_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "workflow/intent.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace checkpoint;
using namespace checkpoint::storage::test;
using workflow::petition_state;
using workflow::write_status;

TEST_CASE("filing stores the petition, its steps, its audit event and a job per effect in one write")
{
    struct row {
        const char* name;
        workflow::route_outcome outcome;
        petition_state state;
        const char* job_kind;
    };
    auto r = GENERATE(row{"needs approval", workflow::route_outcome::needs_approval, petition_state::pending, "post_card"},
                      row{"auto-approved", workflow::route_outcome::auto_approved, petition_state::approved, "provision"},
                      row{"break-glass", workflow::route_outcome::break_glass, petition_state::approved, "provision"});
    GIVEN("a new petition decided as " << r.name)
    {
        checkpoint::test::temp_dir dir;
        auto db = open_db(dir.file("c.db"));
        storage::petition_store store(*db);
        auto w = filing("P-1", at(), "sam", "prod-db", r.outcome);

        WHEN("it is filed")
        {
            auto filed = store.file(w);

            THEN("it reads back exactly, with indexed columns, audit event and jobs")
            {
                REQUIRE(filed);
                CHECK(*filed == write_status::applied);
                auto found = store.find("P-1");
                REQUIRE(found);
                REQUIRE(found->has_value());
                CHECK(workflow::petition_to_json(**found) == workflow::petition_to_json(w.petition));
                CHECK((*found)->state == r.state);
                CHECK(scalar(*db, "SELECT count(*) FROM petitions WHERE requester_id = 'sam' AND target = 'prod-db' "
                                  "AND version = 1") == 1);
                CHECK(scalar(*db, "SELECT count(*) FROM audit_log WHERE petition_id = 'P-1' AND action = 'file'") == 1);
                CHECK(scalar(*db, "SELECT count(*) FROM jobs") == static_cast<long long>(w.jobs.size()));
                CHECK(scalar(*db, std::string("SELECT count(*) FROM jobs WHERE kind = '") + r.job_kind + "'") >= 1);
                CHECK(scalar(*db, "SELECT count(*) FROM petition_steps JOIN petitions ON seq = petition_seq WHERE id = 'P-1'") ==
                      static_cast<long long>(w.petition.route.steps.size()));
            }
        }
    }
}

TEST_CASE("filing an id twice is a conflict that writes nothing")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    REQUIRE(store.file(filing("P-1", at())).value() == write_status::applied);
    const auto jobs = scalar(*db, "SELECT count(*) FROM jobs");

    auto again = store.file(filing("P-1", at(1)));

    REQUIRE(again);
    CHECK(*again == write_status::conflict);
    CHECK(scalar(*db, "SELECT count(*) FROM audit_log") == 1);
    CHECK(scalar(*db, "SELECT count(*) FROM jobs") == jobs);
}

TEST_CASE("a transition is compare-and-set: the second of two racing clicks is a conflict and changes nothing")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    auto filed = filing("P-1", at());
    REQUIRE(store.file(filed).value() == write_status::applied);

    GIVEN("two reviewers deciding from the same stored version")
    {
        auto approve = transition(filed.petition, workflow::approve_by("mary", at(5)));
        auto deny = transition(filed.petition, workflow::deny_by("lee", "not now", at(5)));

        WHEN("both are applied")
        {
            auto first = store.apply(approve);
            auto second = store.apply(deny);

            THEN("the first wins and the second is a typed conflict with no audit event or jobs")
            {
                REQUIRE(first);
                REQUIRE(second);
                CHECK(*first == write_status::applied);
                CHECK(*second == write_status::conflict);
                auto now = store.find("P-1").value().value();
                CHECK(now.state == petition_state::approved);
                CHECK(now.version == 2);
                CHECK(scalar(*db, "SELECT count(*) FROM audit_log WHERE petition_id = 'P-1'") == 2);
                CHECK(scalar(*db, "SELECT count(*) FROM audit_log WHERE action = 'deny'") == 0);
                CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE key LIKE 'P-1/v2/%'") ==
                      static_cast<long long>(approve.jobs.size()));
                CHECK(scalar(*db, "SELECT count(*) FROM decisions JOIN petitions p ON p.seq = petition_seq WHERE p.id = 'P-1'") == 1);
            }
        }
        WHEN("the same transition is applied twice, as a Slack retry would")
        {
            REQUIRE(store.apply(approve).value() == write_status::applied);
            auto retry = store.apply(approve);
            THEN("the retry is a conflict")
            {
                REQUIRE(retry);
                CHECK(*retry == write_status::conflict);
            }
        }
    }
}

TEST_CASE("apply refuses unknown petitions and writes that are not transitions")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    auto filed = filing("P-1", at());

    SECTION("unknown id")
    {
        auto w = transition(filed.petition, workflow::approve_by("mary", at(1)));
        auto r = store.apply(w);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "petition_not_found");
    }
    SECTION("version 1 is a filing")
    {
        auto r = store.apply(filed);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "invalid_write");
    }
}

TEST_CASE("the lifecycle's scheduled jobs move with an extension and are cancelled by a revoke")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    auto w = filing("P-1", at());
    REQUIRE(store.file(w).value() == write_status::applied);

    auto step = [&](const workflow::event& e) {
        auto next = transition(store.find("P-1").value().value(), e);
        REQUIRE(store.apply(next).value() == write_status::applied);
        return next.petition;
    };
    step(workflow::approve_by("mary", at(1)));
    step(workflow::provisioning_started(at(2)));
    auto active = step(workflow::provisioned_at(at(3)));
    REQUIRE(active.state == petition_state::active);

    auto expiry = [&] {
        auto guard = db->lock();
        auto q = db->connection().use("SELECT status, run_at FROM jobs WHERE key = ?");
        q->bind(1, app::expiry_key("P-1"));
        REQUIRE(q->executeStep());
        return std::pair{q->getColumn(0).getInt(), q->getColumn(1).getInt64()};
    };
    CHECK(expiry().first == 0);
    CHECK(expiry().second == workflow::to_millis(*active.ends_at));

    SECTION("an extension moves the expiry instead of adding a second one")
    {
        auto r = sample_route();
        r.length = std::chrono::hours(6);
        step(workflow::extension_of("sam", std::chrono::hours(2), r, at(10)));
        auto extended = step(workflow::approve_by("mary", at(11)));
        CHECK(expiry().second == workflow::to_millis(*extended.ends_at));
        CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE kind = 'expire'") == 1);
    }
    SECTION("a revoke cancels the expiry and, when no other grant covers the access, queues its revoke")
    {
        step(workflow::revoke_by("sam", at(20)));
        CHECK(expiry().first == 4);
        CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE kind = 'release'") == 0);
        CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE key = '" +
                              app::revoke_key("sam", active.entitlement(), "P-1") + "'") == 1);
    }
    SECTION("an expiry drops its grant and queues no revoke while another grant covers the access")
    {
        storage::grant_store grants(*db);
        REQUIRE(grants.hold({"sam", active.entitlement(), "P-1", *active.ends_at}));
        REQUIRE(grants.hold({"sam", active.entitlement(), "P-9", *active.ends_at + std::chrono::hours(1)}));
        auto expired = step(workflow::expire_at(*active.ends_at));
        REQUIRE(expired.state == petition_state::expired);
        CHECK(scalar(*db, "SELECT count(*) FROM grants WHERE petition_id = 'P-1'") == 0);
        CHECK(scalar(*db, "SELECT count(*) FROM grants WHERE petition_id = 'P-9'") == 1);
        CHECK(scalar(*db, "SELECT count(*) FROM jobs WHERE kind = 'revoke'") == 0);
    }
}

namespace {

// Files `n` petitions, one a minute, alternating requesters, targets and states.
void seed_log(storage::petition_store& store, int n)
{
    for (int i = 0; i < n; ++i) {
        auto w = filing("P-" + std::to_string(1000 + i), at(i), i % 2 ? "sam" : "alex", i % 3 ? "prod-db" : "logs");
        REQUIRE(store.file(w).value() == write_status::applied);
        if (i % 4 == 0)
            REQUIRE(store.apply(transition(w.petition, workflow::deny_by("mary", "no", at(i) + std::chrono::seconds(1))))
                        .value() == write_status::applied);
    }
}

std::vector<std::string> ids(const workflow::request_log_page& page)
{
    std::vector<std::string> out;
    for (const auto& p : page.petitions)
        out.push_back(p.id);
    return out;
}

} // namespace

TEST_CASE("the request log filters by person, target, state and time, newest first")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    seed_log(store, 24);

    struct row {
        const char* name;
        workflow::request_log_query query;
        std::size_t expected;
    };
    workflow::request_log_query by_person;
    by_person.person = "sam";
    workflow::request_log_query by_target;
    by_target.target = "logs";
    workflow::request_log_query by_state;
    by_state.state = petition_state::denied;
    workflow::request_log_query by_range;
    by_range.from = at(5);
    by_range.until = at(10);
    workflow::request_log_query combined;
    combined.person = "alex";
    combined.state = petition_state::denied;
    auto r = GENERATE_COPY(row{"everything", {}, 24}, row{"by person", by_person, 12}, row{"by target", by_target, 8},
                           row{"by state", by_state, 6}, row{"by time range", by_range, 5},
                           row{"person and state", combined, 6});
    INFO(r.name);
    r.query.limit = 100;

    auto page = store.request_log(r.query);

    REQUIRE(page);
    CHECK(page->petitions.size() == r.expected);
    CHECK(page->next.empty());
    for (std::size_t i = 1; i < page->petitions.size(); ++i)
        CHECK(page->petitions[i - 1].created_at > page->petitions[i].created_at);
    for (const auto& p : page->petitions) {
        if (r.query.person)
            CHECK(p.requester() == *r.query.person);
        if (r.query.target)
            CHECK(p.entitlement() == *r.query.target);
        if (r.query.state)
            CHECK(p.state == *r.query.state);
    }
}

TEST_CASE("request log pages are stable while newer petitions arrive")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    seed_log(store, 25);

    GIVEN("the first page of 10")
    {
        workflow::request_log_query q;
        q.limit = 10;
        auto first = store.request_log(q).value();
        REQUIRE(first.petitions.size() == 10);
        REQUIRE_FALSE(first.next.empty());

        WHEN("new petitions are filed before the next pages are read")
        {
            for (int i = 0; i < 5; ++i)
                REQUIRE(store.file(filing("N-" + std::to_string(i), at(100 + i))).value() == write_status::applied);
            std::vector<std::string> seen = ids(first);
            q.cursor = first.next;
            int pages = 1;
            while (!q.cursor.empty()) {
                auto page = store.request_log(q).value();
                auto more = ids(page);
                seen.insert(seen.end(), more.begin(), more.end());
                q.cursor = page.next;
                ++pages;
            }

            THEN("the pages continue where they left off: every old petition once, none skipped")
            {
                CHECK(pages == 3);
                CHECK(seen.size() == 25);
                CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 25);
                CHECK(seen.front() == "P-1024");
                CHECK(seen.back() == "P-1000");
            }
        }
    }
}

TEST_CASE("a cursor the service did not hand out is refused")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    auto cursor = GENERATE(as<std::string>{}, "zz", "abc", "3132");
    workflow::request_log_query q;
    q.cursor = cursor;
    auto page = store.request_log(q);
    REQUIRE_FALSE(page);
    CHECK(page.error().code == "bad_cursor");
}

TEST_CASE("request log queries use an index for every filter", "[sqlite]")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    struct row {
        std::string where;
        const char* index;
    };
    auto r = GENERATE(row{"1", "petitions_created"}, row{"requester_id = 'sam'", "petitions_requester"},
                      row{"target = 'logs'", "petitions_target"}, row{"state = 'pending'", "petitions_state"},
                      row{"created_at >= 5 AND created_at < 10", "petitions_created"},
                      row{"(created_at, id) < (5, 'x')", "petitions_created"},
                      row{"requester_id = 'sam' AND +state = 'pending'", "petitions_requester"},
                      row{"requester_id = 'sam' AND +target = 'logs' AND +state = 'active'", "petitions_requester"},
                      row{"target = 'logs' AND +state = 'denied' AND created_at >= 5", "petitions_target"});
    const auto& where = r.where;
    INFO(where);
    auto guard = db->lock();
    SQLite::Statement plan(sqlite_of(db->connection()), "EXPLAIN QUERY PLAN SELECT body FROM petitions WHERE " + where +
                                                 " ORDER BY created_at DESC, id DESC LIMIT 51");
    std::string detail;
    while (plan.executeStep())
        detail += plan.getColumn(3).getString() + "\n";
    CHECK_THAT(detail, Catch::Contains(std::string("USING INDEX ") + r.index));
    CHECK_THAT(detail, !Catch::Contains("TEMP B-TREE"));
}

TEST_CASE("awaiting lists pending petitions whose current step the person reviews")
{
    checkpoint::test::temp_dir dir;
    auto db = open_db(dir.file("c.db"));
    storage::petition_store store(*db);
    auto a = filing("P-1", at(0));
    auto b = filing("P-2", at(1));
    REQUIRE(store.file(a).value() == write_status::applied);
    REQUIRE(store.file(b).value() == write_status::applied);
    REQUIRE(store.apply(transition(a.petition, workflow::approve_by("mary", at(2)))).value() == write_status::applied);

    auto mine = store.awaiting("lee", 10);
    REQUIRE(mine);
    REQUIRE(mine->size() == 1);
    CHECK(mine->front().id == "P-2");
    CHECK(store.awaiting("nobody", 10).value().empty());
}

TEST_CASE("petition ids sort by filing time and do not repeat", "[petition_store]")
{
    const auto t = workflow::time_point{std::chrono::seconds{1'795'428'000}};
    const auto a = app::new_petition_id(t);
    const auto b = app::new_petition_id(t + std::chrono::milliseconds{1});
    CHECK(workflow::is_petition_id(a));
    CHECK(a.size() == 16);
    CHECK(a < b);
    CHECK(app::new_petition_id(t) != app::new_petition_id(t));
}
