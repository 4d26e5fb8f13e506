#include "workflow/catalog.hpp"
#include "workflow/text.hpp"

#include "workflow/command.hpp"

#include <algorithm>
#include <cctype>

namespace checkpoint::workflow {

std::vector<std::string> entitlement_lines(const bundle& b)
{
    std::vector<std::string> out;
    for (const auto& e : b.entitlements)
        out.push_back(e.description);
    if (!out.empty())
        return out;
    for (const auto& param : b.provision.params)
        for (const auto& v : param.values)
            out.push_back(param.key + ": " + v);
    return out;
}

catalog::catalog(std::vector<bundle> bundles) : bundles_(std::move(bundles))
{
    by_name_.reserve(bundles_.size());
    for (std::size_t i = 0; i < bundles_.size(); ++i)
        by_name_.emplace(bundles_[i].name, i);
}

const bundle* catalog::find(std::string_view name) const
{
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &bundles_[it->second];
}

std::vector<std::string_view> catalog::closest(std::string_view name, std::size_t at_most) const
{
    std::vector<std::pair<std::size_t, std::string_view>> scored;
    // Farther than a third of the word is a different word, not a typo.
    const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
    for (const auto& b : bundles_) {
        auto d = edit_distance(name, b.name);
        bool prefix = name.size() >= 3 && b.name.starts_with(name);
        if (d <= limit || prefix)
            scored.emplace_back(prefix ? 0 : d, b.name);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < scored.size() && i < at_most; ++i)
        out.push_back(scored[i].second);
    return out;
}

std::vector<const bundle*> catalog::search(std::string_view words) const
{
    std::vector<std::string> terms;
    std::string w;
    for (char c : words) {
        if (c == ' ' || c == '\t') {
            if (!w.empty())
                terms.push_back(to_lower(w));
            w.clear();
        } else {
            w += c;
        }
    }
    if (!w.empty())
        terms.push_back(to_lower(w));
    std::vector<const bundle*> out;
    for (const auto& b : bundles_) {
        auto text = to_lower(b.name + " " + b.description + " " + b.owner_team + " " + std::string(name(b.level)));
        if (std::all_of(terms.begin(), terms.end(), [&](const auto& t) { return text.find(t) != std::string::npos; }))
            out.push_back(&b);
    }
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return out;
}

} // namespace checkpoint::workflow
