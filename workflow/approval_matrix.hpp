#pragma once

#include "workflow/duration.hpp"
#include "workflow/risk.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace checkpoint::workflow {

// What one cell of the matrix asks for.
enum class approval_rule {
    auto_all,   // instant for everyone
    auto_owner, // instant on the owning team, otherwise owner approval
    owner,      // the owning team approves
    platform,   // the platform team approves
};

constexpr std::string_view name(approval_rule r)
{
    switch (r) {
    case approval_rule::auto_all: return "auto";
    case approval_rule::auto_owner: return "auto_owner";
    case approval_rule::owner: return "owner";
    case approval_rule::platform: return "platform";
    }
    return "auto";
}

constexpr std::optional<approval_rule> parse_approval_rule(std::string_view s)
{
    for (auto r : {approval_rule::auto_all, approval_rule::auto_owner, approval_rule::owner, approval_rule::platform})
        if (name(r) == s)
            return r;
    return std::nullopt;
}

// Risk × requested duration, exactly as configured in checkpoint.yaml.
struct approval_matrix {
    static constexpr std::size_t columns = 4;

    // Inclusive upper bounds of the first three columns; the fourth holds everything longer.
    std::array<duration, columns - 1> up_to{};
    std::array<std::array<approval_rule, columns>, risk_count> cells{};

    std::size_t column(duration d) const noexcept;
    approval_rule cell(risk r, duration d) const noexcept;
    // "up to 1 day", "longer than 14 days": the column in words, for reasons.
    std::string describe_column(std::size_t column) const;

    // The seed's table: the shipped default and the tests' reference.
    static approval_matrix standard();
};

} // namespace checkpoint::workflow
