#pragma once

#include <optional>
#include <string_view>

namespace checkpoint::workflow {

// A bundle's blast radius, set by its owners; a row of the approval matrix.
enum class risk { low, medium, high, critical };

constexpr std::size_t risk_count = 4;

constexpr std::string_view name(risk r)
{
    switch (r) {
    case risk::low: return "low";
    case risk::medium: return "medium";
    case risk::high: return "high";
    case risk::critical: return "critical";
    }
    return "low";
}

// "High", as the catalog and the card show it.
constexpr std::string_view title(risk r)
{
    switch (r) {
    case risk::low: return "Low";
    case risk::medium: return "Medium";
    case risk::high: return "High";
    case risk::critical: return "Critical";
    }
    return "Low";
}

constexpr std::optional<risk> parse_risk(std::string_view s)
{
    for (risk r : {risk::low, risk::medium, risk::high, risk::critical})
        if (name(r) == s)
            return r;
    return std::nullopt;
}

} // namespace checkpoint::workflow
