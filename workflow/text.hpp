#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// ASCII lower case, for names, emails and search terms compared without case.
std::string to_lower(std::string_view s);
// "Data Platform" → "data-platform": a department as the manifests name a team (letters and digits lower-cased,
// anything else one hyphen between them).
std::string slug_of(std::string_view s);

// Characters as a person (and Slack's length limits) counts them: UTF-8 code points, not bytes, so
// "🙂" is one and "ok 🙂🙂🙂" six.
std::size_t char_count(std::string_view utf8);

// Without the spaces, tabs and line breaks around it: a reason of only spaces is no reason.
std::string_view trim(std::string_view s);

// The parts of `s` between `separator`s, each trimmed, empty ones left out ("a, b,,c" → a, b, c). Views into `s`.
std::vector<std::string_view> split_trimmed(std::string_view s, char separator);

// RFC 3339 in UTC to the second: "2026-01-02T03:04:05Z" (API and webhook timestamps).
std::string format_utc(std::chrono::system_clock::time_point t);

} // namespace checkpoint::workflow
