#include "workflow/catalog_history.hpp"

#include <algorithm>

namespace checkpoint::workflow {

namespace {

duration nearest_rank(const std::vector<duration>& sorted, std::size_t percent)
{
    const auto rank = (percent * sorted.size() + 99) / 100; // ceil(p/100 × n), at least 1
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}

// When the last step approved a request that waited for reviewers (extension decisions aside).
std::optional<time_point> approved_at(const petition& p)
{
    if (p.route.outcome != route_outcome::needs_approval || p.state == petition_state::pending ||
        p.state == petition_state::denied || p.state == petition_state::cancelled)
        return std::nullopt;
    std::optional<time_point> last;
    for (const auto& d : p.decisions)
        if (d.approved && !d.step.starts_with("extension"))
            last = d.at;
    return last;
}

// "1–7 days" when both ends are whole days (or hours), else each end in its own words.
std::string span_text(duration low, duration high)
{
    using std::chrono::hours;
    if (low == high)
        return describe_duration(low);
    const auto whole = [&](duration unit) { return low % unit == duration{} && high % unit == duration{}; };
    if (whole(hours{24}))
        return std::to_string(low / hours{24}) + "–" + std::to_string(high / hours{24}) + " days";
    if (whole(hours{1}) && high < hours{24})
        return std::to_string(low / hours{1}) + "–" + std::to_string(high / hours{1}) + " hours";
    return describe_duration(low) + " to " + describe_duration(high);
}

} // namespace

std::map<std::string, bundle_history, std::less<>> summarize_history(const std::vector<petition>& newest_first)
{
    std::map<std::string, bundle_history, std::less<>> out;
    std::map<std::string, std::vector<duration>, std::less<>> lengths, waits;
    for (const auto& p : newest_first) {
        auto& h = out[p.entitlement()];
        ++h.requests;
        if (h.recent.size() < max_recent)
            h.recent.push_back({p.route.requester_name, p.length(), p.created_at, p.state});
        if (p.active_since) {
            ++h.granted;
            lengths[p.entitlement()].push_back(p.length());
        }
        if (auto at = approved_at(p))
            waits[p.entitlement()].push_back(std::chrono::duration_cast<duration>(*at - p.created_at));
    }
    for (auto& [target, ls] : lengths) {
        std::sort(ls.begin(), ls.end());
        auto& h = out[target];
        h.typical_low = nearest_rank(ls, 25);
        h.typical_high = nearest_rank(ls, 75);
    }
    for (auto& [target, ws] : waits) {
        std::sort(ws.begin(), ws.end());
        out[target].time_to_approval = nearest_rank(ws, 50);
    }
    return out;
}

std::string typical_text(const bundle_history& h)
{
    if (!h.typical_low || !h.typical_high)
        return {};
    if (*h.typical_low == *h.typical_high)
        return "Requests are approved for " + describe_duration(*h.typical_low);
    return "Most requests are approved for " + span_text(*h.typical_low, *h.typical_high);
}

} // namespace checkpoint::workflow
