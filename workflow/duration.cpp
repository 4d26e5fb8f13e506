#include "workflow/duration.hpp"

#include <utility>
#include <vector>

#include <array>
#include <cstdint>

namespace checkpoint::workflow {

namespace {

struct unit {
    char letter;
    std::int64_t seconds;
    std::string_view singular;
    std::string_view plural;
};

// Largest first: the order units must appear in, and the order they are rendered.
constexpr std::array units{
    unit{'w', 7 * 86400, "week", "weeks"},
    unit{'d', 86400, "day", "days"},
    unit{'h', 3600, "hour", "hours"},
    unit{'m', 60, "minute", "minutes"},
    unit{'s', 1, "second", "seconds"},
};

// Ten years: longer than any grant should be, far below int64 overflow.
constexpr std::int64_t longest = 3650LL * 86400;

error bad(std::string_view text, std::string_view why)
{
    std::string m = "\"" + std::string(text) + "\" is not a duration";
    if (!why.empty())
        m += " (" + std::string(why) + ")";
    m += "; use forms like " + std::string(duration_forms);
    return error{"bad_duration", std::move(m)};
}

} // namespace

result<duration> parse_duration(std::string_view text)
{
    if (text.empty())
        return error{"bad_duration", "a duration is required; use forms like " + std::string(duration_forms)};
    if (text.front() == '-')
        return bad(text, "it is negative");
    std::int64_t total = 0;
    std::size_t last_unit = 0;
    bool any = false;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t n = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            n = n * 10 + (text[i] - '0');
            if (n > longest)
                return bad(text, "it is longer than ten years");
            ++i;
            ++digits;
        }
        // Plain syntax mistakes need no explanation beyond the accepted forms.
        if (digits == 0 || i == text.size())
            return bad(text, "");
        std::size_t u = 0;
        while (u < units.size() && units[u].letter != text[i])
            ++u;
        if (u == units.size())
            return bad(text, "");
        if (any && u <= last_unit)
            return bad(text, "units must go from largest to smallest, each once");
        total += n * units[u].seconds;
        if (total > longest)
            return bad(text, "it is longer than ten years");
        last_unit = u;
        any = true;
        ++i;
    }
    if (total == 0)
        return bad(text, "it is zero");
    return duration{total};
}

namespace {

// The duration split into days, hours, minutes and seconds (weeks read worse: "14 days").
std::vector<std::pair<std::int64_t, const unit*>> split(duration d)
{
    std::vector<std::pair<std::int64_t, const unit*>> parts;
    std::int64_t left = d.count();
    for (const auto& u : units) {
        if (u.letter == 'w' || left <= 0)
            continue;
        const std::int64_t n = left / u.seconds;
        if (n == 0)
            continue;
        left -= n * u.seconds;
        parts.emplace_back(n, &u);
    }
    return parts;
}

} // namespace

std::string describe_duration(duration d)
{
    if (d.count() <= 0)
        return "0 minutes";
    std::string out;
    for (const auto& [n, u] : split(d)) {
        if (!out.empty())
            out += ' ';
        out += std::to_string(n) + ' ' + std::string(n == 1 ? u->singular : u->plural);
    }
    return out;
}

std::string format_duration(duration d)
{
    if (d.count() <= 0)
        return "0m";
    std::string out;
    for (const auto& [n, u] : split(d))
        out += std::to_string(n) + u->letter;
    return out;
}

} // namespace checkpoint::workflow
