#pragma once

#include "tests/support/golden.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace checkpoint::test {

// Terminal text as a JSON array of its lines, so golden files diff line by line.
inline boost::json::array text_lines(const std::string& text)
{
    boost::json::array out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto nl = text.find('\n', start);
        if (nl == std::string::npos) {
            out.emplace_back(text.substr(start) + "<no newline>");
            break;
        }
        out.emplace_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

inline std::string compare_golden_text(const std::string& name, const std::string& text)
{
    return compare_golden(name, text_lines(text));
}

} // namespace checkpoint::test
