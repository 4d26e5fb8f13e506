#include "outbound/http_client.hpp"

#include <algorithm>
#include <cctype>

namespace checkpoint::outbound {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::optional<std::string_view> outbound_response::header(std::string_view name) const
{
    for (const auto& [key, value] : headers)
        if (iequals(key, name))
            return std::string_view(value);
    return std::nullopt;
}

std::string_view to_string(transport_failure_kind kind) noexcept
{
    switch (kind) {
    case transport_failure_kind::bad_url:
        return "bad_url";
    case transport_failure_kind::resolve:
        return "resolve";
    case transport_failure_kind::connect:
        return "connect";
    case transport_failure_kind::tls:
        return "tls";
    case transport_failure_kind::timeout:
        return "timeout";
    case transport_failure_kind::io:
        return "io";
    }
    return "io";
}

bool is_retryable(transport_failure_kind kind) noexcept
{
    switch (kind) {
    case transport_failure_kind::bad_url:
    case transport_failure_kind::tls:
        return false;
    case transport_failure_kind::resolve:
    case transport_failure_kind::connect:
    case transport_failure_kind::timeout:
    case transport_failure_kind::io:
        return true;
    }
    return true;
}

} // namespace checkpoint::outbound
