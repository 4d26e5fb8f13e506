#include "fixture.hpp"

#include "app/effect_jobs.hpp"
#include "tests/support/test_database.hpp"
#include "workflow/directory.hpp"

#include <catch2/catch.hpp>

namespace checkpoint::storage::test {

using namespace std::chrono;

workflow::time_point at(int minutes)
{
    // 2026-11-25T10:00:00Z
    return workflow::time_point(seconds(1795600800)) + std::chrono::minutes(minutes);
}

workflow::route sample_route(std::string requester, std::string target, std::string reviewer,
                             workflow::route_outcome outcome)
{
    workflow::route r;
    r.outcome = outcome;
    r.requester_id = std::move(requester);
    r.requester_name = "Sam Support";
    r.target = std::move(target);
    r.owner_team = "api-team";
    r.platform_team = "platform-team";
    r.level = workflow::risk::high;
    r.length = hours(4);
    r.cell = workflow::approval_rule::owner;
    r.applied = workflow::approval_rule::owner;
    r.rule_reason = "High risk for up to 1 day: api-team approves.";
    r.notes = {"capped at 4 hours"};
    if (outcome != workflow::route_outcome::auto_approved) {
        workflow::route_step s;
        s.kind = workflow::step_kind::owner;
        s.name = "api-team";
        s.reviewers = {{reviewer, "Mary Major", "on api-team, which owns it"}, {"lee", "Lee Lead", "on api-team"}};
        s.channels = {"C-APPROVALS"};
        r.steps.push_back(std::move(s));
    }
    r.integration = "webhook";
    r.pending_after = hours(4);
    r.escalate_after = hours(1);
    r.expiring_before = minutes(30);
    return r;
}

workflow::petition_write filing(const std::string& id, workflow::time_point now, std::string requester,
                                std::string target, workflow::route_outcome outcome)
{
    auto t = workflow::file(sample_route(std::move(requester), std::move(target), "mary", outcome),
                            {id, "debug the outage", "INC-42"}, now);
    return app::plan_write(t, app::filing_audit(t.petition, {}), now);
}

workflow::petition_write transition(const workflow::petition& p, const workflow::event& e)
{
    static const workflow::directory nobody;
    auto t = workflow::apply(p, e, nobody);
    if (!t)
        FAIL(t.error().code << ": " << t.error().message);
    return app::plan_write(*t, app::transition_audit(e, t->petition), e.at);
}

std::unique_ptr<database> open_db(const std::string& path, database_options options)
{
    auto db = database::open(checkpoint::test::database_for(path), options);
    if (!db)
        FAIL(db.error().code << ": " << db.error().message);
    return std::move(*db);
}

long long scalar(database& db, const std::string& sql)
{
    auto guard = db.lock();
    auto q = db.connection().use(sql);
    REQUIRE(q->executeStep());
    return q->getColumn(0).getInt64();
}

std::string text(database& db, const std::string& sql)
{
    auto guard = db.lock();
    auto q = db.connection().use(sql);
    REQUIRE(q->executeStep());
    return q->getColumn(0).getString();
}

void drop_audit_triggers(connection& c)
{
    const bool pg = c.backend() == backend::postgresql;
    for (const std::string table : {"audit_log", "audit_anchors"})
        for (const char* what : {"_no_update", "_no_delete"})
            c.exec_script("DROP TRIGGER IF EXISTS " + table + what + (pg ? " ON " + table : std::string()));
}

SQLite::Database& sqlite_of(connection& c)
{
    REQUIRE(c.backend() == backend::sqlite);
    return static_cast<sqlite_connection&>(c).db();
}

} // namespace checkpoint::storage::test
