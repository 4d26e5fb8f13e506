#include "workflow/directory_overlay.hpp"

#include "workflow/text.hpp"

#include <algorithm>
#include <map>

namespace checkpoint::workflow {

namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

std::string record_ref(std::string_view source, std::string_view key)
{
    std::string out(source);
    out += '\n';
    out += key;
    return out;
}

} // namespace

directory_overlay apply_change(directory_overlay o, const directory_change& c)
{
    const auto drop = [&](auto& records, const std::vector<std::string>& keys) {
        std::erase_if(records, [&](const auto& r) {
            return r.source == c.source && std::find(keys.begin(), keys.end(), r.key) != keys.end();
        });
    };
    drop(o.people, c.remove_people);
    drop(o.groups, c.remove_groups);
    const auto put = [](auto& records, const auto& puts) {
        for (const auto& r : puts) {
            auto same = std::find_if(records.begin(), records.end(),
                                     [&](const auto& x) { return x.source == r.source && x.key == r.key; });
            if (same != records.end())
                *same = r;
            else
                records.push_back(r);
        }
    };
    put(o.people, c.put_people);
    put(o.groups, c.put_groups);
    return o;
}

namespace {

// `ref` in `dir` by id, external id or email; an id also lower-cased.
person_index find_any_case(const directory& dir, const std::string& ref)
{
    if (ref.empty())
        return no_person;
    if (auto i = dir.find(ref); i != no_person)
        return i;
    return dir.find(to_lower(ref));
}

bool same_text(const std::string& a, const std::string& b) { return !a.empty() && to_lower(a) == to_lower(b); }

} // namespace

std::string bind_record(const directory_record& r, const directory& base, const directory_overlay& records)
{
    for (const auto& x : records.people)
        if (x.source == r.source && x.key == r.key && !x.person.empty())
            return x.person;
    for (const auto& x : records.people) {
        if (x.person.empty())
            continue;
        for (const auto* mine : {&r.user_name, &r.email, &r.external_id})
            for (const auto* theirs : {&x.user_name, &x.email, &x.external_id})
                if (same_text(*mine, *theirs))
                    return x.person;
    }
    for (const auto* ref : {&r.user_name, &r.external_id, &r.email})
        if (auto i = find_any_case(base, *ref); i != no_person)
            return base.at(i).id;
    return to_lower(r.user_name);
}

std::vector<std::string> identity_conflicts(const directory& d)
{
    std::vector<std::string> out;
    std::map<std::string, std::string> seen;
    const auto check = [&](const std::string& kind, const std::string& value, const std::string& id) {
        if (value.empty())
            return;
        auto [it, fresh] = seen.emplace(kind + " " + value, id);
        if (!fresh && it->second != id)
            out.push_back(kind + " " + value + ": " + it->second + " and " + id);
    };
    for (const auto& p : d.people()) {
        check("id", to_lower(p.id), p.id);
        check("email", to_lower(p.email), p.id);
        check("external id", p.external_id, p.id);
        check("Slack id", p.slack_id, p.id);
    }
    return out;
}

manifests lay_over(const manifests& base, const directory_overlay& o)
{
    if (o.empty())
        return base;
    const auto& dir = base.directory;
    std::vector<person> people(dir.people().begin(), dir.people().end());
    std::vector<bool> gone(people.size(), false);
    string_map<std::size_t> added;
    // Which person each record became, by source and key: for managers and group members.
    string_map<std::string> person_of;
    struct manager_link {
        std::size_t person;
        std::string source;
        std::string ref;
    };
    std::vector<manager_link> managers;

    const auto index_of = [&](const directory_record& r) -> std::size_t {
        const std::string id = r.person.empty() ? bind_record(r, dir, {}) : r.person;
        if (auto i = find_any_case(dir, id); i != no_person)
            return i;
        if (auto it = added.find(to_lower(id)); it != added.end())
            return it->second;
        if (id.empty())
            return none;
        people.push_back(person{to_lower(id), {}, {}, {}, {}, {}, {}, std::nullopt});
        gone.push_back(false);
        added.emplace(people.back().id, people.size() - 1);
        return people.size() - 1;
    };
    for (const auto& r : o.people) {
        const auto i = index_of(r);
        if (i == none)
            continue;
        auto& p = people[i];
        person_of[record_ref(r.source, r.key)] = p.id;
        if (!r.active) {
            // Any source may say someone left; no other source brings them back.
            gone[i] = true;
            continue;
        }
        const auto set = [](std::string& field, const std::string& value) {
            if (!value.empty())
                field = value;
        };
        set(p.external_id, r.external_id);
        set(p.email, r.email);
        set(p.name, r.name);
        set(p.slack_id, r.slack_id);
        set(p.team, r.team);
        if (p.name.empty())
            p.name = p.id;
        if (!r.manager.empty())
            managers.push_back({i, r.source, r.manager});
    }
    for (const auto& m : managers) {
        auto it = person_of.find(record_ref(m.source, m.ref));
        people[m.person].manager_id = it != person_of.end() ? it->second : m.ref;
    }

    std::vector<group> groups(dir.groups().begin(), dir.groups().end());
    for (const auto& g : o.groups) {
        group next{g.name, {}};
        for (const auto& ref : g.members) {
            auto it = person_of.find(record_ref(g.source, ref));
            next.members.push_back(it != person_of.end() ? it->second : ref);
        }
        auto same = std::find_if(groups.begin(), groups.end(), [&](const group& x) { return x.name == g.name; });
        if (same != groups.end())
            *same = std::move(next);
        else
            groups.push_back(std::move(next));
    }

    std::vector<person> kept;
    kept.reserve(people.size());
    for (std::size_t i = 0; i < people.size(); ++i)
        if (!gone[i])
            kept.push_back(std::move(people[i]));
    return manifests{base.settings, base.catalog,
                     directory(std::move(kept), std::move(groups),
                               std::vector<oncall_rotation>(dir.oncall().begin(), dir.oncall().end()))};
}

} // namespace checkpoint::workflow
