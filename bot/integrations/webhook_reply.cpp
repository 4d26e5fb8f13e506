#include "bot/integrations/webhook_reply.hpp"

#include "bot/integrations/pulled_resources.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace checkpoint::bot {

namespace json = boost::json;
using namespace std::chrono;

namespace {

// Enough of a receiver's answer to understand a failure, without flooding the audit.
constexpr std::size_t max_quoted_body = 300;

std::string quoted(std::string_view body)
{
    std::string out(body.substr(0, max_quoted_body));
    std::replace_if(out.begin(), out.end(), [](unsigned char c) { return c < 0x20; }, ' ');
    if (body.size() > max_quoted_body)
        out += "…";
    return out;
}

std::optional<sys_seconds> parse_http_date(std::string_view value)
{
    // IMF-fixdate, the only form RFC 9110 lets senders use: "Sun, 06 Nov 1994 08:49:37 GMT".
    static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (value.size() > 64)
        return std::nullopt;
    const std::string text(value);
    int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
    char mon[4] = {};
    char zone[4] = {};
    if (std::sscanf(text.c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d %3s", &d, mon, &y, &hh, &mm, &ss, zone) != 7)
        return std::nullopt;
    if (std::strcmp(zone, "GMT") != 0)
        return std::nullopt;
    const auto it = std::find_if(months.begin(), months.end(), [&](const char* m) { return std::strcmp(m, mon) == 0; });
    if (it == months.end())
        return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(it - months.begin() + 1)},
                             day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || hh > 23 || mm > 59 || ss > 60)
        return std::nullopt;
    return sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss};
}

// Case-insensitive, first match; kept here so this library needs only the client's interface.
std::optional<std::string_view> header_of(const outbound::outbound_response& res, std::string_view wanted)
{
    for (const auto& [k, v] : res.headers)
        if (k.size() == wanted.size() &&
            std::equal(k.begin(), k.end(), wanted.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return std::string_view(v);
    return std::nullopt;
}

// The receiver's own words when a body says `{"error": …}`; nothing when it does not.
std::optional<std::string> error_in(const json::value& doc)
{
    const json::object* o = doc.if_object();
    if (!o)
        return std::nullopt;
    const json::value* e = o->if_contains("error");
    if (!e || e->is_null() || (e->is_bool() && !e->get_bool()))
        return std::nullopt;
    if (e->is_string())
        return std::string(e->get_string());
    if (const json::object* eo = e->if_object())
        if (const json::value* m = eo->if_contains("message"); m && m->is_string())
            return std::string(m->get_string());
    return quoted(json::serialize(*e));
}

} // namespace

std::optional<seconds> parse_retry_after(std::string_view value, system_clock::time_point now)
{
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        long long n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        // Too many digits to fit is still "a very long time".
        if (ec == std::errc::result_out_of_range)
            return max_retry_after;
        if (ec != std::errc{} || end != value.data() + value.size())
            return std::nullopt;
        return std::min(seconds{n}, max_retry_after);
    }
    const auto at = parse_http_date(value);
    if (!at)
        return std::nullopt;
    // In whole seconds: nanoseconds overflow for dates beyond 2262, which a receiver may send.
    const auto wait = *at - floor<seconds>(now);
    return std::clamp(wait, seconds{0}, max_retry_after);
}

delivery_outcome classify_webhook_reply(const outbound::outbound_response& res, event_kind kind, system_clock::time_point now)
{
    const std::string status = "HTTP " + std::to_string(res.status);
    if (res.status >= 200 && res.status < 300) {
        boost::system::error_code ec;
        const json::value doc = res.body.empty() ? json::value{} : json::parse(res.body, ec);
        if (!ec)
            if (auto why = error_in(doc))
                return delivery_outcome::failed("the receiver answered " + status + " with an error: " + *why);
        if (kind != event_kind::pull_update)
            return delivery_outcome::done("the receiver answered " + status);
        auto resources = parse_pulled_resources(res.body);
        if (!resources)
            return delivery_outcome::failed(resources.error().message);
        auto out = delivery_outcome::done("the receiver listed " + std::to_string(resources->size()) + " resources");
        out.resources = std::move(*resources);
        return out;
    }

    const std::string said = res.body.empty() ? std::string{} : ": " + quoted(res.body);
    if (res.status == 408 || res.status == 429 || (res.status >= 500 && res.status < 600)) {
        std::optional<seconds> after;
        if (auto h = header_of(res, "Retry-After"))
            after = parse_retry_after(*h, now);
        return delivery_outcome::retry("the receiver answered " + status + said, after);
    }
    return delivery_outcome::failed("the receiver answered " + status + said);
}

delivery_outcome classify_webhook_transport_failure(const outbound::transport_failure& failure)
{
    switch (failure.kind) {
    case outbound::transport_failure_kind::bad_url:
        return delivery_outcome::failed("the webhook URL cannot be used: " + failure.message);
    case outbound::transport_failure_kind::tls:
        return delivery_outcome::failed("the receiver's TLS certificate did not verify: " + failure.message);
    case outbound::transport_failure_kind::resolve:
        return delivery_outcome::retry("the receiver's host name did not resolve: " + failure.message);
    case outbound::transport_failure_kind::connect:
        return delivery_outcome::retry("the receiver refused or did not take the connection: " + failure.message);
    case outbound::transport_failure_kind::timeout:
        return delivery_outcome::retry("the receiver did not answer in time: " + failure.message);
    case outbound::transport_failure_kind::io:
        return delivery_outcome::retry("the connection to the receiver failed: " + failure.message);
    }
    return delivery_outcome::retry(failure.message);
}

} // namespace checkpoint::bot
