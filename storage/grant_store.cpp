#include "storage/grant_store.hpp"

#include "storage/job_queue.hpp"
#include "workflow/petition_json.hpp"

namespace checkpoint::storage {

namespace {

std::int64_t holders(connection& c, const std::string& person, const std::string& entitlement)
{
    auto q = c.use("SELECT count(*) FROM grants WHERE person_id = ? AND entitlement = ?");
    q->bind(1, person);
    q->bind(2, entitlement);
    q->executeStep();
    return q->getColumn(0).getInt64();
}

std::vector<workflow::grant_holding> read_holdings(statement& q)
{
    std::vector<workflow::grant_holding> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       from_millis(q.getColumn(3).getInt64())});
    return out;
}

} // namespace

workflow::result<bool> grant_store::hold(const workflow::grant_holding& g)
{
    return db_.write([&](connection& c) -> workflow::result<bool> {
        const bool fresh = holders(c, g.person, g.entitlement) == 0;
        auto q = c.use("INSERT INTO grants (person_id, entitlement, petition_id, ends_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (person_id, entitlement, petition_id) DO UPDATE SET ends_at = excluded.ends_at");
        q->bind(1, g.person);
        q->bind(2, g.entitlement);
        q->bind(3, g.petition);
        q->bind(4, to_millis(g.ends));
        q->exec();
        return fresh;
    });
}

workflow::result<bool> grant_store::move_end(const workflow::grant_holding& g)
{
    return db_.write([&](connection& c) -> workflow::result<bool> {
        auto q = c.use("UPDATE grants SET ends_at = ? WHERE person_id = ? AND entitlement = ? AND petition_id = ?");
        q->bind(1, to_millis(g.ends));
        q->bind(2, g.person);
        q->bind(3, g.entitlement);
        q->bind(4, g.petition);
        return q->exec() > 0;
    });
}

workflow::result<bool> grant_store::release(const std::string& person, const std::string& entitlement,
                                            const std::string& petition, const workflow::job_spec& revoke,
                                            workflow::time_point now)
{
    return db_.write([&](connection& c) -> workflow::result<bool> {
        return release_in(c, {person, entitlement, petition, revoke}, now);
    });
}

bool grant_store::release_in(connection& c, const workflow::grant_release& r, workflow::time_point now)
{
    {
        auto q = c.use("DELETE FROM grants WHERE person_id = ? AND entitlement = ? AND petition_id = ?");
        q->bind(1, r.person);
        q->bind(2, r.entitlement);
        q->bind(3, r.petition);
        q->exec();
    }
    if (holders(c, r.person, r.entitlement) > 0)
        return false;
    // The revoke is enqueued with the release, so a crash cannot leave access without its revoke.
    job_queue::enqueue_in(c, r.revoke, now);
    return true;
}

workflow::result<std::vector<workflow::grant_holding>> grant_store::holdings()
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<workflow::grant_holding>> {
        auto q = c.use("SELECT person_id, entitlement, petition_id, ends_at FROM grants "
                       "ORDER BY person_id, entitlement, petition_id");
        return read_holdings(*q);
    });
}

workflow::result<std::vector<workflow::grant_holding>> grant_store::holdings_of(const std::string& person)
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<workflow::grant_holding>> {
        auto q = c.use("SELECT person_id, entitlement, petition_id, ends_at FROM grants WHERE person_id = ? "
                       "ORDER BY entitlement, petition_id");
        q->bind(1, person);
        return read_holdings(*q);
    });
}

} // namespace checkpoint::storage
