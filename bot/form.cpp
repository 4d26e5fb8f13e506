#include "bot/form.hpp"

#include <cstdint>

#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/parse_query.hpp>

namespace checkpoint::bot {

bool is_valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n >= s.size())
            return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t min_for[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += n + 1;
    }
    return true;
}

std::optional<form> form::parse(std::string_view body, std::string* why)
{
    // Boost.URL 1.81's parse_query measures the query it returns with strlen(), not the view's size: a view
    // that does not end in a NUL is read past its end (found by fuzz/form_fuzzer). A copy ends in one.
    const std::string text(body);
    auto encoded = boost::urls::parse_query(text);
    if (!encoded) {
        if (why)
            *why = "the body is not application/x-www-form-urlencoded (" + encoded.error().message() + ")";
        return std::nullopt;
    }
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    form out;
    // Decode the pieces parse_query already found rather than parsing the body again.
    for (auto encoded_param : *encoded) {
        std::string key = encoded_param.key.decode(opts);
        std::string value = encoded_param.value.decode(opts);
        if (!is_valid_utf8(key) || !is_valid_utf8(value)) {
            if (why)
                *why = "form field '" + key.substr(0, 40) + "' is not valid UTF-8";
            return std::nullopt;
        }
        out.fields_.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

std::optional<std::string_view> form::get(std::string_view key) const
{
    for (const auto& [k, v] : fields_)
        if (k == key)
            return std::string_view(v);
    return std::nullopt;
}

std::size_t form::count(std::string_view key) const
{
    std::size_t n = 0;
    for (const auto& [k, v] : fields_)
        n += k == key ? 1 : 0;
    return n;
}

} // namespace checkpoint::bot
