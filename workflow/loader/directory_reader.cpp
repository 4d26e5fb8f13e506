#include "workflow/loader/readers.hpp"

namespace checkpoint::loader::detail {

namespace wf = checkpoint::workflow;

namespace {

std::optional<wf::time_point> time_field(file_reader& r, const YAML::Node& map, std::string_view key,
                                         std::string_view prefix, bool end_of_day)
{
    auto s = r.text(map, key, prefix, true);
    if (!s)
        return std::nullopt;
    auto t = parse_time(*s, end_of_day);
    if (!t)
        r.error(map[std::string(key)], join_field(prefix, key),
                "\"" + *s + "\" is not a date; write 2026-11-20 or 2026-11-02T09:00:00Z (UTC)");
    return t;
}

void read_person(file_reader& r, const YAML::Node& n, const std::string& f, directory_parts& out)
{
    if (!r.expect_map(n, f))
        return;
    r.check_keys(n, f, {"id", "external_id", "email", "name", "slack_id", "manager_id", "team", "out_of_office"});
    wf::person p;
    p.id = r.text(n, "id", f, true).value_or("");
    if (p.id == "checkpoint")
        r.error(n["id"], join_field(f, "id"), "\"checkpoint\" is reserved: the audit log names the service itself so");
    p.external_id = r.text(n, "external_id", f, false).value_or("");
    p.email = r.text(n, "email", f, false).value_or("");
    if (!p.email.empty() && p.email.find('@') == std::string::npos)
        r.error(n["email"], join_field(f, "email"), "\"" + p.email + "\" is not an email address");
    p.name = r.text(n, "name", f, true).value_or(p.id);
    p.slack_id = r.text(n, "slack_id", f, false).value_or("");
    p.manager_id = r.text(n, "manager_id", f, false).value_or("");
    if (!p.manager_id.empty())
        r.refer(n["manager_id"], join_field(f, "manager_id"), ref_kind::person, p.manager_id);
    p.team = r.text(n, "team", f, false).value_or("");
    if (!p.team.empty())
        r.check_slug(n["team"], join_field(f, "team"), p.team);
    if (const YAML::Node o = n["out_of_office"]; o && !o.IsNull()) {
        auto of = join_field(f, "out_of_office");
        if (r.expect_map(o, of)) {
            r.check_keys(o, of, {"from", "until", "delegate"});
            auto from = time_field(r, o, "from", of, false);
            const bool open_ended = !o["until"];
            std::optional<wf::time_point> until;
            if (!open_ended)
                until = time_field(r, o, "until", of, true);
            if (from && until && *until <= *from)
                r.error(o["until"], join_field(of, "until"), "must not be before \"from\"");
            wf::out_of_office away;
            away.from = from.value_or(wf::time_point{});
            // No `until`: on leave with no return date announced (away until the directory says otherwise).
            away.until = until;
            away.delegate = r.text(o, "delegate", of, false).value_or("");
            if (!away.delegate.empty()) {
                if (away.delegate == p.id || away.delegate == p.email || away.delegate == p.external_id)
                    r.error(o["delegate"], join_field(of, "delegate"), "a person cannot be their own delegate");
                else
                    r.refer(o["delegate"], join_field(of, "delegate"), ref_kind::person, away.delegate);
            }
            if (from && (until || open_ended))
                p.away = std::move(away);
        }
    }
    out.people_at.push_back(where{r.file(), file_reader::line(n), f});
    out.manager_at.push_back(where{r.file(), file_reader::line(n["manager_id"]), join_field(f, "manager_id")});
    out.people.push_back(std::move(p));
}

void read_group(file_reader& r, const YAML::Node& n, const std::string& f, directory_parts& out)
{
    if (!r.expect_map(n, f))
        return;
    r.check_keys(n, f, {"name", "members"});
    wf::group g;
    g.name = r.text(n, "name", f, true).value_or("");
    if (!g.name.empty())
        r.check_slug(n["name"], join_field(f, "name"), g.name);
    g.members = r.texts(n, "members", f);
    if (g.members.empty())
        r.error(n, join_field(f, "members"), "is required: the people in the group, by id or email");
    const YAML::Node members = n["members"];
    for (std::size_t i = 0; i < g.members.size() && members.IsSequence(); ++i)
        r.refer(members[i], index_field(join_field(f, "members"), i), ref_kind::person, g.members[i]);
    out.groups_at.push_back(where{r.file(), file_reader::line(n), join_field(f, "name")});
    out.groups.push_back(std::move(g));
}

void read_oncall(file_reader& r, const YAML::Node& n, const std::string& f, directory_parts& out)
{
    if (!r.expect_map(n, f))
        return;
    r.check_keys(n, f, {"name", "rotation", "starts", "every"});
    wf::oncall_rotation o;
    o.name = r.text(n, "name", f, true).value_or("");
    if (!o.name.empty())
        r.check_slug(n["name"], join_field(f, "name"), o.name);
    o.rotation = r.texts(n, "rotation", f);
    if (o.rotation.empty())
        r.error(n, join_field(f, "rotation"), "is required: the people who take turns, in order");
    const YAML::Node rotation = n["rotation"];
    for (std::size_t i = 0; i < o.rotation.size() && rotation.IsSequence(); ++i)
        r.refer(rotation[i], index_field(join_field(f, "rotation"), i), ref_kind::person, o.rotation[i]);
    o.starts = time_field(r, n, "starts", f, false).value_or(wf::time_point{});
    o.every = r.duration(n, "every", f, true).value_or(std::chrono::days{7});
    out.oncall_at.push_back(where{r.file(), file_reader::line(n), join_field(f, "name")});
    out.oncall.push_back(std::move(o));
}

} // namespace

void read_directory(file_reader& r, const YAML::Node& root, directory_parts& out)
{
    if (root.IsNull())
        return;
    if (!r.expect_map(root, ""))
        return;
    r.check_keys(root, "", {"people", "groups", "oncall"});
    if (const YAML::Node list = root["people"]; list && r.expect_list(list, "people"))
        for (std::size_t i = 0; i < list.size(); ++i)
            read_person(r, list[i], index_field("people", i), out);
    if (const YAML::Node list = root["groups"]; list && r.expect_list(list, "groups"))
        for (std::size_t i = 0; i < list.size(); ++i)
            read_group(r, list[i], index_field("groups", i), out);
    if (const YAML::Node list = root["oncall"]; list && r.expect_list(list, "oncall"))
        for (std::size_t i = 0; i < list.size(); ++i)
            read_oncall(r, list[i], index_field("oncall", i), out);
}

} // namespace checkpoint::loader::detail
