#include "workflow/directory.hpp"
#include "workflow/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

namespace checkpoint::workflow {

namespace {


template <class Map>
person_index lookup(const Map& m, std::string_view key)
{
    auto it = m.find(key);
    return it == m.end() ? no_person : it->second;
}

} // namespace

directory::directory(std::vector<person> people, std::vector<group> groups, std::vector<oncall_rotation> oncall)
    : people_(std::move(people)), groups_(std::move(groups)), oncall_(std::move(oncall))
{
    by_id_.reserve(people_.size());
    by_email_.reserve(people_.size());
    for (person_index i = 0; i < people_.size(); ++i) {
        const auto& p = people_[i];
        // The first definition wins; duplicates are the loader's to report.
        by_id_.emplace(p.id, i);
        if (!p.external_id.empty())
            by_external_id_.emplace(p.external_id, i);
        if (!p.email.empty())
            by_email_.emplace(to_lower(p.email), i);
        if (!p.slack_id.empty())
            by_slack_id_.emplace(p.slack_id, i);
        if (!p.team.empty())
            teams_[p.team].push_back(i);
    }
    manager_.assign(people_.size(), no_person);
    delegate_.assign(people_.size(), no_person);
    for (person_index i = 0; i < people_.size(); ++i) {
        if (!people_[i].manager_id.empty())
            manager_[i] = find(people_[i].manager_id);
        if (people_[i].away && !people_[i].away->delegate.empty())
            delegate_[i] = find(people_[i].away->delegate);
    }
    for (const auto& g : groups_) {
        auto& members = group_members_[g.name];
        std::unordered_set<person_index> in;
        for (const auto& ref : g.members)
            if (auto p = find(ref); p != no_person && in.insert(p).second)
                members.push_back(p);
    }
    for (std::size_t r = 0; r < oncall_.size(); ++r) {
        oncall_by_name_.emplace(oncall_[r].name, r);
        std::vector<person_index> members;
        for (const auto& ref : oncall_[r].rotation)
            if (auto p = find(ref); p != no_person)
                members.push_back(p);
        oncall_members_.push_back(std::move(members));
    }
}

person_index directory::find(std::string_view ref) const
{
    if (auto p = lookup(by_id_, ref); p != no_person)
        return p;
    if (auto p = lookup(by_external_id_, ref); p != no_person)
        return p;
    return find_by_email(ref);
}

person_index directory::find_by_slack_id(std::string_view slack_id) const { return lookup(by_slack_id_, slack_id); }

person_index directory::find_by_email(std::string_view email) const
{
    if (email.find('@') == std::string_view::npos)
        return no_person;
    return lookup(by_email_, to_lower(email));
}

bool directory::is_away(person_index p, time_point now) const
{
    const auto& away = people_[p].away;
    return away && away->covers(now);
}

bool directory::has_team(std::string_view team) const { return teams_.find(team) != teams_.end(); }

std::span<const person_index> directory::team_members(std::string_view team) const
{
    auto it = teams_.find(team);
    if (it == teams_.end())
        return {};
    return it->second;
}

bool directory::has_group(std::string_view name) const { return group_members_.find(name) != group_members_.end(); }

std::span<const person_index> directory::group_members(std::string_view name) const
{
    auto it = group_members_.find(name);
    if (it == group_members_.end())
        return {};
    return it->second;
}

bool directory::has_oncall(std::string_view name) const { return oncall_by_name_.find(name) != oncall_by_name_.end(); }

const oncall_rotation* directory::find_oncall(std::string_view name) const
{
    auto it = oncall_by_name_.find(name);
    return it == oncall_by_name_.end() ? nullptr : &oncall_[it->second];
}

person_index directory::on_call(std::string_view name, time_point now) const
{
    auto it = oncall_by_name_.find(name);
    if (it == oncall_by_name_.end())
        return no_person;
    const auto& r = oncall_[it->second];
    const auto& members = oncall_members_[it->second];
    if (members.empty() || r.every.count() <= 0)
        return no_person;
    auto elapsed = std::chrono::duration_cast<duration>(now - r.starts).count();
    auto shift = elapsed / r.every.count();
    // Floor, so a moment before `starts` belongs to the previous shift, not the first.
    if (elapsed < 0 && elapsed % r.every.count() != 0)
        --shift;
    auto n = static_cast<std::int64_t>(members.size());
    return members[static_cast<std::size_t>(((shift % n) + n) % n)];
}

void directory::set_out_of_office(person_index p, std::optional<out_of_office> away)
{
    people_[p].away = std::move(away);
    delegate_[p] = people_[p].away && !people_[p].away->delegate.empty() ? find(people_[p].away->delegate) : no_person;
}

std::string describe_day(time_point t)
{
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
           std::string(months[static_cast<unsigned>(ymd.month()) - 1]);
}

} // namespace checkpoint::workflow
