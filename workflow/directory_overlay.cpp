#include "workflow/directory_overlay.hpp"

#include "workflow/directory_store.hpp"
#include "workflow/text.hpp"

#include <algorithm>

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

    const auto match = [&](const directory_record& r) -> std::size_t {
        for (const auto* ref : {&r.user_name, &r.external_id, &r.email}) {
            if (ref->empty())
                continue;
            if (auto i = dir.find(*ref); i != no_person)
                return i;
            if (auto it = added.find(to_lower(*ref)); it != added.end())
                return it->second;
        }
        return none;
    };
    for (const auto& r : o.people) {
        auto i = match(r);
        if (i == none) {
            if (!r.active || r.user_name.empty())
                continue;
            i = people.size();
            people.push_back(person{to_lower(r.user_name), {}, {}, {}, {}, {}, {}, std::nullopt});
            gone.push_back(false);
            added.emplace(people.back().id, i);
        }
        auto& p = people[i];
        person_of[record_ref(r.source, r.key)] = p.id;
        if (!r.active) {
            gone[i] = true;
            continue;
        }
        gone[i] = false;
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
