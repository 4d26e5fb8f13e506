#pragma once

#include <string>
#include <string_view>

namespace checkpoint::workflow {

// ASCII lower case, for names, emails and search terms compared without case.
std::string to_lower(std::string_view s);

// Characters as a person (and Slack's length limits) counts them: UTF-8 code points, not bytes, so
// "🙂" is one and "ok 🙂🙂🙂" six.
std::size_t char_count(std::string_view utf8);

// Without the spaces, tabs and line breaks around it: a reason of only spaces is no reason.
std::string_view trim(std::string_view s);

} // namespace checkpoint::workflow
