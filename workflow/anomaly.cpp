#include "workflow/anomaly.hpp"

#include <algorithm>
#include <cmath>

namespace checkpoint::workflow {

bool demand_watched(const demand_alert_policy& p, risk level)
{
    return p.enabled && std::find(p.risks.begin(), p.risks.end(), level) != p.risks.end();
}

std::optional<demand_spike> demand_spike_of(const demand_alert_policy& p, demand_counts c)
{
    if (!p.enabled || p.window <= duration{} || p.baseline < p.window)
        return std::nullopt;
    const double windows = static_cast<double>(p.baseline.count()) / static_cast<double>(p.window.count());
    const double usual = static_cast<double>(c.before) / windows;
    if (c.in_window < p.min_requests || static_cast<double>(c.in_window) <= static_cast<double>(p.factor) * usual)
        return std::nullopt;
    return demand_spike{c.in_window, c.before, usual};
}

std::string format_usual(double usual)
{
    const auto tenths = static_cast<long long>(std::llround(usual * 10));
    return std::to_string(tenths / 10) + (tenths % 10 == 0 ? std::string() : "." + std::to_string(tenths % 10));
}

} // namespace checkpoint::workflow
