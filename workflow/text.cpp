#include "workflow/text.hpp"

#include <cstdio>

#include <cctype>

namespace checkpoint::workflow {

std::string slug_of(std::string_view s)
{
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u))
            out += static_cast<char>(std::tolower(u));
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out;
}

std::string to_lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::size_t char_count(std::string_view utf8)
{
    std::size_t n = 0;
    for (const char c : utf8)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0; // continuation bytes are not characters
    return n;
}

std::string_view trim(std::string_view s)
{
    constexpr std::string_view space = " \t\r\n\v\f";
    const auto first = s.find_first_not_of(space);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::vector<std::string_view> split_trimmed(std::string_view s, char separator)
{
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto at = s.find(separator);
        if (auto part = trim(s.substr(0, at)); !part.empty())
            out.push_back(part);
        s = at == std::string_view::npos ? std::string_view{} : s.substr(at + 1);
    }
    return out;
}

std::string format_utc(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    const auto secs = floor<seconds>(t);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return out;
}

} // namespace checkpoint::workflow
