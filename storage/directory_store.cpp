#include "storage/directory_store.hpp"

#include "storage/audit_log.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::storage {

namespace json = boost::json;

namespace {

std::string members_text(const std::vector<std::string>& members)
{
    json::array a;
    for (const auto& m : members)
        a.push_back(json::value(m));
    return json::serialize(a);
}

std::vector<std::string> members_of(const std::string& text)
{
    std::vector<std::string> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array())
        return out;
    for (const auto& m : v.as_array())
        if (m.is_string())
            out.emplace_back(m.as_string());
    return out;
}

bool is_unique_violation(const SQLite::Exception& e)
{
    return e.getExtendedErrorCode() == 2067 /* SQLITE_CONSTRAINT_UNIQUE */;
}

} // namespace

workflow::result<workflow::directory_overlay> directory_store::overlay()
{
    return db_.read([&](connection& c) -> workflow::result<workflow::directory_overlay> {
        workflow::directory_overlay out;
        auto q = c.use("SELECT source, key, user_name, external_id, email, name, slack_id, manager, team, active, "
                       "resource, created_at, modified_at FROM directory_people ORDER BY seq");
        while (q->executeStep()) {
            workflow::directory_record r;
            r.source = q->getColumn(0).getString();
            r.key = q->getColumn(1).getString();
            r.user_name = q->getColumn(2).getString();
            r.external_id = q->getColumn(3).getString();
            r.email = q->getColumn(4).getString();
            r.name = q->getColumn(5).getString();
            r.slack_id = q->getColumn(6).getString();
            r.manager = q->getColumn(7).getString();
            r.team = q->getColumn(8).getString();
            r.active = q->getColumn(9).getInt() != 0;
            r.resource = q->getColumn(10).getString();
            r.created = from_millis(q->getColumn(11).getInt64());
            r.modified = from_millis(q->getColumn(12).getInt64());
            out.people.push_back(std::move(r));
        }
        auto g = c.use("SELECT source, key, name, external_id, members, resource, created_at, modified_at "
                       "FROM directory_groups ORDER BY seq");
        while (g->executeStep()) {
            workflow::directory_group_record r;
            r.source = g->getColumn(0).getString();
            r.key = g->getColumn(1).getString();
            r.name = g->getColumn(2).getString();
            r.external_id = g->getColumn(3).getString();
            r.members = members_of(g->getColumn(4).getString());
            r.resource = g->getColumn(5).getString();
            r.created = from_millis(g->getColumn(6).getInt64());
            r.modified = from_millis(g->getColumn(7).getInt64());
            out.groups.push_back(std::move(r));
        }
        return out;
    });
}

workflow::result<void> directory_store::apply(const workflow::directory_change& change, const workflow::audit_event& audit)
{
    auto event = audit_log::checked(audit);
    if (!event)
        return event.error();
    return db_.write([&](connection& c) -> workflow::result<void> {
        try {
            for (const auto& key : change.remove_people) {
                auto q = c.use("DELETE FROM directory_people WHERE source = ? AND key = ?");
                q->bind(1, change.source);
                q->bind(2, key);
                q->exec();
            }
            for (const auto& key : change.remove_groups) {
                auto q = c.use("DELETE FROM directory_groups WHERE source = ? AND key = ?");
                q->bind(1, change.source);
                q->bind(2, key);
                q->exec();
            }
            for (const auto& r : change.put_people) {
                auto q = c.use(
                    "INSERT INTO directory_people (source, key, user_name, external_id, email, name, slack_id, manager, "
                    "team, active, resource, created_at, modified_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM directory_people)) ON CONFLICT (source, key) DO UPDATE SET "
                    "user_name = excluded.user_name, external_id = excluded.external_id, email = excluded.email, "
                    "name = excluded.name, slack_id = excluded.slack_id, manager = excluded.manager, team = excluded.team, "
                    "active = excluded.active, resource = excluded.resource, modified_at = excluded.modified_at");
                q->bind(1, r.source);
                q->bind(2, r.key);
                q->bind(3, r.user_name);
                q->bind(4, r.external_id);
                q->bind(5, r.email);
                q->bind(6, r.name);
                q->bind(7, r.slack_id);
                q->bind(8, r.manager);
                q->bind(9, r.team);
                q->bind(10, r.active ? 1 : 0);
                q->bind(11, r.resource);
                q->bind(12, to_millis(r.created));
                q->bind(13, to_millis(r.modified));
                q->exec();
            }
            for (const auto& r : change.put_groups) {
                auto q = c.use("INSERT INTO directory_groups (source, key, name, external_id, members, resource, created_at, "
                               "modified_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                               "directory_groups)) ON CONFLICT (source, key) DO UPDATE SET name = excluded.name, "
                               "external_id = excluded.external_id, members = excluded.members, resource = "
                               "excluded.resource, modified_at = excluded.modified_at");
                q->bind(1, r.source);
                q->bind(2, r.key);
                q->bind(3, r.name);
                q->bind(4, r.external_id);
                q->bind(5, members_text(r.members));
                q->bind(6, r.resource);
                q->bind(7, to_millis(r.created));
                q->bind(8, to_millis(r.modified));
                q->exec();
            }
        } catch (const SQLite::Exception& e) {
            if (is_unique_violation(e))
                return workflow::error{"conflict", "Another record already holds that user name or group name."};
            throw;
        }
        audit_log::append_in(c, *event);
        return {};
    });
}

} // namespace checkpoint::storage
