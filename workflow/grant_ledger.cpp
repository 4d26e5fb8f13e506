#include "workflow/grant_ledger.hpp"

#include <algorithm>

namespace checkpoint::workflow {

std::string grant_ledger::key(std::string_view person, std::string_view entitlement)
{
    // A newline appears in neither ids nor entitlement names, so keys cannot collide.
    std::string k;
    k.reserve(person.size() + entitlement.size() + 1);
    k.append(person).append(1, '\n').append(entitlement);
    return k;
}

bool grant_ledger::hold(std::string_view person, std::string_view entitlement, std::string_view petition,
                        time_point ends)
{
    auto& list = grants_[key(person, entitlement)];
    bool fresh = list.empty();
    auto it = std::find_if(list.begin(), list.end(), [&](const grant& g) { return g.petition == petition; });
    if (it == list.end())
        list.push_back(grant{std::string(petition), ends});
    else
        it->ends = ends;
    return fresh;
}

bool grant_ledger::release(std::string_view person, std::string_view entitlement, std::string_view petition)
{
    auto it = grants_.find(key(person, entitlement));
    if (it == grants_.end())
        return true;
    auto& list = it->second;
    std::erase_if(list, [&](const grant& g) { return g.petition == petition; });
    if (!list.empty())
        return false;
    grants_.erase(it);
    return true;
}

bool grant_ledger::covered(std::string_view person, std::string_view entitlement) const
{
    return holders(person, entitlement) > 0;
}

std::size_t grant_ledger::holders(std::string_view person, std::string_view entitlement) const
{
    auto it = grants_.find(key(person, entitlement));
    return it == grants_.end() ? 0 : it->second.size();
}

std::optional<time_point> grant_ledger::covered_until(std::string_view person, std::string_view entitlement) const
{
    auto it = grants_.find(key(person, entitlement));
    if (it == grants_.end() || it->second.empty())
        return std::nullopt;
    time_point latest = it->second.front().ends;
    for (const auto& g : it->second)
        latest = std::max(latest, g.ends);
    return latest;
}

} // namespace checkpoint::workflow
