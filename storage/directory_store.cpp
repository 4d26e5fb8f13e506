#include "storage/directory_store.hpp"

#include "storage/audit_log.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::storage {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v)
{
    json::array a;
    for (const auto& m : v)
        a.push_back(json::value(m));
    return a;
}

std::vector<std::string> strings_of(const json::value* v)
{
    std::vector<std::string> out;
    if (!v || !v->is_array())
        return out;
    for (const auto& m : v->get_array())
        if (m.is_string())
            out.emplace_back(m.get_string());
    return out;
}

std::string text(const json::object& o, std::string_view k)
{
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t number(const json::object& o, std::string_view k)
{
    const auto* v = o.if_contains(k);
    return v && v->is_int64() ? v->get_int64() : 0;
}

json::object person_json(const workflow::directory_record& r)
{
    return {{"source", r.source},           {"key", r.key},           {"user_name", r.user_name},
            {"external_id", r.external_id}, {"email", r.email},       {"name", r.name},
            {"slack_id", r.slack_id},       {"manager", r.manager},   {"team", r.team},
            {"active", r.active},           {"person", r.person},     {"resource", r.resource},
            {"created", to_millis(r.created)}, {"modified", to_millis(r.modified)}};
}

workflow::directory_record person_of(const json::object& o)
{
    workflow::directory_record r;
    r.source = text(o, "source");
    r.key = text(o, "key");
    r.user_name = text(o, "user_name");
    r.external_id = text(o, "external_id");
    r.email = text(o, "email");
    r.name = text(o, "name");
    r.slack_id = text(o, "slack_id");
    r.manager = text(o, "manager");
    r.team = text(o, "team");
    const auto* a = o.if_contains("active");
    r.active = !a || !a->is_bool() || a->get_bool();
    r.person = text(o, "person");
    r.resource = text(o, "resource");
    r.created = from_millis(number(o, "created"));
    r.modified = from_millis(number(o, "modified"));
    return r;
}

json::object group_json(const workflow::directory_group_record& g)
{
    return {{"source", g.source},     {"key", g.key},         {"name", g.name},
            {"external_id", g.external_id}, {"members", strings(g.members)}, {"resource", g.resource},
            {"created", to_millis(g.created)}, {"modified", to_millis(g.modified)}};
}

workflow::directory_group_record group_of(const json::object& o)
{
    workflow::directory_group_record g;
    g.source = text(o, "source");
    g.key = text(o, "key");
    g.name = text(o, "name");
    g.external_id = text(o, "external_id");
    g.members = strings_of(o.if_contains("members"));
    g.resource = text(o, "resource");
    g.created = from_millis(number(o, "created"));
    g.modified = from_millis(number(o, "modified"));
    return g;
}

std::string change_text(const workflow::directory_change& c)
{
    json::array people, groups;
    for (const auto& r : c.put_people)
        people.push_back(person_json(r));
    for (const auto& g : c.put_groups)
        groups.push_back(group_json(g));
    return json::serialize(json::object{{"source", c.source},
                                        {"put_people", std::move(people)},
                                        {"put_groups", std::move(groups)},
                                        {"remove_people", strings(c.remove_people)},
                                        {"remove_groups", strings(c.remove_groups)}});
}

workflow::directory_change change_of(const std::string& textual)
{
    workflow::directory_change c;
    boost::system::error_code ec;
    auto v = json::parse(textual, ec);
    if (ec || !v.is_object())
        return c;
    const auto& o = v.get_object();
    c.source = text(o, "source");
    if (const auto* p = o.if_contains("put_people"); p && p->is_array())
        for (const auto& r : p->get_array())
            if (r.is_object())
                c.put_people.push_back(person_of(r.get_object()));
    if (const auto* g = o.if_contains("put_groups"); g && g->is_array())
        for (const auto& r : g->get_array())
            if (r.is_object())
                c.put_groups.push_back(group_of(r.get_object()));
    c.remove_people = strings_of(o.if_contains("remove_people"));
    c.remove_groups = strings_of(o.if_contains("remove_groups"));
    return c;
}

// The next `seq` of `table`: records are laid over in the order they were first written.
std::int64_t next_seq(connection& c, const std::string& table)
{
    auto q = c.use("SELECT COALESCE(MAX(seq), 0) + 1 FROM " + table);
    q->executeStep();
    return q->getColumn(0).getInt64();
}

} // namespace

workflow::result<workflow::directory_overlay> directory_store::overlay()
{
    return db_.read([&](connection& c) -> workflow::result<workflow::directory_overlay> {
        workflow::directory_overlay out;
        auto q = c.use("SELECT source, key, user_name, external_id, email, name, slack_id, manager, team, active, "
                       "resource, created_at, modified_at, person FROM directory_people ORDER BY seq");
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
            r.person = q->getColumn(13).getString();
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
            boost::system::error_code ec;
            auto members = json::parse(g->getColumn(4).getString(), ec);
            r.members = strings_of(ec ? nullptr : &members);
            r.resource = g->getColumn(5).getString();
            r.created = from_millis(g->getColumn(6).getInt64());
            r.modified = from_millis(g->getColumn(7).getInt64());
            out.groups.push_back(std::move(r));
        }
        return out;
    });
}

workflow::result<std::int64_t> directory_store::apply(const workflow::directory_change& change,
                                                      const workflow::directory_change& undo,
                                                      const workflow::audit_event& audit)
{
    auto event = audit_log::checked(audit);
    if (!event)
        return event.error();
    return db_.write([&](connection& c) -> workflow::result<std::int64_t> {
        // Other replicas lay the records over their manifests again once this commits.
        c.notify_at_commit("checkpoint_directory");
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
            auto seq = next_seq(c, "directory_people");
            for (const auto& r : change.put_people) {
                auto q = c.use(
                    "INSERT INTO directory_people (source, key, user_name, external_id, email, name, slack_id, manager, "
                    "team, active, resource, created_at, modified_at, seq, person) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE SET user_name = excluded.user_name, "
                    "external_id = excluded.external_id, email = excluded.email, name = excluded.name, slack_id = "
                    "excluded.slack_id, manager = excluded.manager, team = excluded.team, active = excluded.active, "
                    "resource = excluded.resource, modified_at = excluded.modified_at");
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
                q->bind(14, seq++);
                q->bind(15, r.person);
                q->exec();
            }
            auto gseq = next_seq(c, "directory_groups");
            for (const auto& r : change.put_groups) {
                auto q = c.use("INSERT INTO directory_groups (source, key, name, external_id, members, resource, created_at, "
                               "modified_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE "
                               "SET name = excluded.name, external_id = excluded.external_id, members = excluded.members, "
                               "resource = excluded.resource, modified_at = excluded.modified_at");
                q->bind(1, r.source);
                q->bind(2, r.key);
                q->bind(3, r.name);
                q->bind(4, r.external_id);
                q->bind(5, json::serialize(strings(r.members)));
                q->bind(6, r.resource);
                q->bind(7, to_millis(r.created));
                q->bind(8, to_millis(r.modified));
                q->bind(9, gseq++);
                q->exec();
            }
        } catch (const sql_error& e) {
            if (e.unique_violation())
                return workflow::error{"conflict", "Another record already holds that user name or group name."};
            throw;
        }
        auto f = c.use("INSERT INTO directory_follow (undo, at) VALUES (?, ?) RETURNING id");
        f->bind(1, change_text(undo));
        f->bind(2, to_millis(audit.at));
        f->executeStep();
        const auto id = f->getColumn(0).getInt64();
        audit_log::append_in(c, *event);
        return id;
    });
}

workflow::result<void> directory_store::followed(std::int64_t id)
{
    return db_.write([&](connection& c) -> workflow::result<void> {
        auto q = c.use("DELETE FROM directory_follow WHERE id = ?");
        q->bind(1, id);
        q->exec();
        return {};
    });
}

workflow::result<std::int64_t> directory_store::note_departures(const std::vector<std::string>& people,
                                                                workflow::time_point at)
{
    return db_.write([&](connection& c) -> workflow::result<std::int64_t> {
        auto f = c.use("INSERT INTO directory_follow (undo, leaving, at) VALUES ('{}', ?, ?) RETURNING id");
        f->bind(1, json::serialize(strings(people)));
        f->bind(2, to_millis(at));
        f->executeStep();
        return f->getColumn(0).getInt64();
    });
}

workflow::result<std::vector<workflow::directory_store::unfollowed_change>> directory_store::unfollowed()
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<unfollowed_change>> {
        std::vector<unfollowed_change> out;
        auto q = c.use("SELECT id, undo, leaving FROM directory_follow ORDER BY id");
        while (q->executeStep()) {
            unfollowed_change u;
            u.id = q->getColumn(0).getInt64();
            u.undo = change_of(q->getColumn(1).getString());
            boost::system::error_code ec;
            auto leaving = json::parse(q->getColumn(2).getString(), ec);
            u.leaving = strings_of(ec ? nullptr : &leaving);
            out.push_back(std::move(u));
        }
        return out;
    });
}

} // namespace checkpoint::storage
