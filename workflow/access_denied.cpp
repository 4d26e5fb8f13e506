#include "workflow/access_denied.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace checkpoint::workflow {

namespace {

std::string folded(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    std::string out;
    out.reserve(s.size());
    for (char ch : s)
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    return out;
}

std::size_t grants_in(const bundle& b)
{
    std::size_t n = 0;
    for (const auto& p : b.provision.params)
        n += p.values.size();
    return n;
}

} // namespace

std::vector<denied_match> bundles_granting(const catalog& c, std::string_view entitlement,
                                           const std::set<std::string, std::less<>>& held)
{
    const auto want = folded(entitlement);
    std::vector<denied_match> out;
    if (want.empty())
        return out;
    for (const auto& b : c.bundles()) {
        if (b.deprecated)
            continue;
        std::string matched;
        if (folded(b.name) == want) {
            matched = b.name;
        } else {
            for (const auto& p : b.provision.params) {
                for (const auto& v : p.values)
                    if (folded(v) == want || folded(p.key + ": " + v) == want || folded(p.key + ":" + v) == want) {
                        matched = p.key + ": " + v;
                        break;
                    }
                if (!matched.empty())
                    break;
            }
        }
        if (!matched.empty())
            out.push_back({b.name, b.level, std::move(matched), held.count(b.name) > 0});
    }
    std::stable_sort(out.begin(), out.end(), [&](const denied_match& a, const denied_match& b) {
        const auto* ba = c.find(a.bundle);
        const auto* bb = c.find(b.bundle);
        return std::tuple(a.held, static_cast<int>(a.level), grants_in(*ba), a.bundle) <
               std::tuple(b.held, static_cast<int>(b.level), grants_in(*bb), b.bundle);
    });
    return out;
}

} // namespace checkpoint::workflow
