#include "bot/integrations/webhook_url_policy.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace checkpoint::bot {

namespace urls = boost::urls;

namespace {

bool internal_ipv4(const urls::ipv4_address& a)
{
    const auto b = a.to_bytes();
    return b[0] == 127                                  // loopback
        || b[0] == 10                                   // RFC 1918
        || (b[0] == 172 && (b[1] & 0xf0) == 16)         // RFC 1918
        || (b[0] == 192 && b[1] == 168)                 // RFC 1918
        || (b[0] == 169 && b[1] == 254);                // link-local
}

bool internal_ipv6(const urls::ipv6_address& a)
{
    const auto b = a.to_bytes();
    if (a.is_loopback())
        return true;
    if (a.is_v4_mapped())
        return internal_ipv4(urls::ipv4_address(std::array<unsigned char, 4>{b[12], b[13], b[14], b[15]}));
    return (b[0] & 0xfe) == 0xfc                        // unique local fc00::/7
        || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);     // link-local fe80::/10
}

bool internal_name(std::string host)
{
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (host.ends_with('.'))
        host.pop_back();
    if (host.empty())
        return false;
    return host.find('.') == std::string::npos || host == "localhost" || host.ends_with(".localhost")
        || host.ends_with(".internal") || host.ends_with(".local");
}

} // namespace

std::optional<std::string> refuse_webhook_url(std::string_view url)
{
    auto parsed = urls::parse_absolute_uri(url);
    if (!parsed)
        return "the webhook URL \"" + std::string(url) + "\" is not a valid absolute URL";
    const urls::url_view u = *parsed;
    const std::string host(u.encoded_host());
    if (host.empty())
        return "the webhook URL \"" + std::string(url) + "\" has no host";
    if (u.scheme_id() == urls::scheme::https)
        return std::nullopt;
    if (u.scheme_id() != urls::scheme::http)
        return "the webhook URL \"" + std::string(url) + "\" must use https://";

    bool internal = false;
    switch (u.host_type()) {
    case urls::host_type::ipv4: internal = internal_ipv4(u.host_ipv4_address()); break;
    case urls::host_type::ipv6: internal = internal_ipv6(u.host_ipv6_address()); break;
    case urls::host_type::name: internal = internal_name(u.host_name()); break;
    case urls::host_type::none:
    case urls::host_type::ipvfuture: internal = false; break;
    }
    if (internal)
        return std::nullopt;
    return "refusing plain http:// to \"" + host +
           "\", which is not a loopback or internal host; use https:// so the grant is encrypted in transit";
}

} // namespace checkpoint::bot
