#include "workflow/approval_matrix.hpp"

namespace checkpoint::workflow {

std::size_t approval_matrix::column(duration d) const noexcept
{
    for (std::size_t c = 0; c < up_to.size(); ++c)
        if (d <= up_to[c])
            return c;
    return columns - 1;
}

approval_rule approval_matrix::cell(risk r, duration d) const noexcept
{
    return cells[static_cast<std::size_t>(r)][column(d)];
}

std::string approval_matrix::describe_column(std::size_t c) const
{
    if (c < up_to.size())
        return "up to " + describe_duration(up_to[c]);
    return "longer than " + describe_duration(up_to.back());
}

approval_matrix approval_matrix::standard()
{
    using enum approval_rule;
    approval_matrix m;
    m.up_to = {std::chrono::days{1}, std::chrono::days{7}, std::chrono::days{14}};
    m.cells = {{
        {auto_all, auto_all, auto_owner, owner},
        {auto_all, auto_owner, owner, owner},
        {auto_owner, owner, owner, platform},
        {owner, owner, platform, platform},
    }};
    return m;
}

} // namespace checkpoint::workflow
