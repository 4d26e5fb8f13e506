#include "storage/slack_user_cache.hpp"

#include "workflow/petition_json.hpp"

namespace checkpoint::storage {

namespace {

std::optional<workflow::slack_user> read_user(statement& q)
{
    if (!q.executeStep())
        return std::nullopt;
    return workflow::slack_user{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                                from_millis(q.getColumn(3).getInt64())};
}

} // namespace

workflow::result<void> slack_user_cache::put(const workflow::slack_user& u)
{
    return db_.write([&](connection& c) -> workflow::result<void> {
        auto q = c.use("INSERT INTO slack_users (slack_id, person_id, email, fetched_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (slack_id) DO UPDATE SET person_id = excluded.person_id, email = excluded.email, "
                       "fetched_at = excluded.fetched_at");
        q->bind(1, u.slack_id);
        q->bind(2, u.person_id);
        q->bind(3, u.email);
        q->bind(4, to_millis(u.fetched_at));
        q->exec();
        return {};
    });
}

workflow::result<std::optional<workflow::slack_user>> slack_user_cache::get(const std::string& slack_id,
                                                                            workflow::time_point fresh_since)
{
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::slack_user>> {
        auto q = c.use("SELECT slack_id, person_id, email, fetched_at FROM slack_users "
                       "WHERE slack_id = ? AND fetched_at >= ?");
        q->bind(1, slack_id);
        q->bind(2, to_millis(fresh_since));
        return read_user(*q);
    });
}

workflow::result<std::optional<workflow::slack_user>> slack_user_cache::by_person(const std::string& person_id)
{
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::slack_user>> {
        auto q = c.use("SELECT slack_id, person_id, email, fetched_at FROM slack_users WHERE person_id = ? "
                       "ORDER BY fetched_at DESC LIMIT 1");
        q->bind(1, person_id);
        return read_user(*q);
    });
}

} // namespace checkpoint::storage
