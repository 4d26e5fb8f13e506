#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace checkpoint::bot {

// An application/x-www-form-urlencoded body, decoded: `+` is a space, `%XX` a byte. Keys may repeat
// and values may be empty; order is kept.
class form {
public:
    // Decodes with Boost.URL; returns the reason when the body is not form encoding or not UTF-8.
    static std::optional<form> parse(std::string_view body, std::string* why);

    // The first value of `key`, if present.
    std::optional<std::string_view> get(std::string_view key) const;
    std::size_t count(std::string_view key) const;
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

bool is_valid_utf8(std::string_view s);

} // namespace checkpoint::bot
