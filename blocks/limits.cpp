#include "blocks/limits.hpp"

namespace checkpoint::blocks {

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte offset where the code point numbered `n` starts (or the end).
std::size_t offset_of(std::string_view s, std::size_t n)
{
    std::size_t i = 0;
    for (std::size_t seen = 0; i < s.size(); ++i) {
        if (is_continuation(s[i]))
            continue;
        if (seen == n)
            return i;
        ++seen;
    }
    return s.size();
}

} // namespace

std::size_t char_count(std::string_view s)
{
    std::size_t n = 0;
    for (char c : s)
        n += is_continuation(c) ? 0 : 1;
    return n;
}

std::string truncate(std::string_view s, std::size_t max)
{
    if (char_count(s) <= max)
        return std::string(s);
    if (max == 0)
        return {};
    std::string out(s.substr(0, offset_of(s, max - 1)));
    out += "\u2026";
    return out;
}

} // namespace checkpoint::blocks
