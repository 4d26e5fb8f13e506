#include "bot/slack/slack_result.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <charconv>

namespace checkpoint::bot {

namespace json = boost::json;

namespace {

std::optional<std::string> string_at(const json::object& obj, std::string_view key)
{
    const auto* v = obj.if_contains(key);
    if (v == nullptr || !v->is_string())
        return std::nullopt;
    return std::string(v->get_string());
}

const json::object* object_at(const json::object& obj, std::string_view key)
{
    const auto* v = obj.if_contains(key);
    return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// Retry-After in delay-seconds; the HTTP-date form is not used by Slack and is ignored.
std::optional<std::chrono::milliseconds> retry_after_of(const outbound::outbound_response& res)
{
    const auto header = res.header("Retry-After");
    if (!header)
        return std::nullopt;
    std::string_view text = *header;
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc{} || end != text.data() + text.size() || seconds < 0)
        return std::nullopt;
    return std::chrono::milliseconds{std::chrono::seconds{seconds}};
}

} // namespace

std::string_view to_string(slack_outcome outcome) noexcept
{
    switch (outcome) {
    case slack_outcome::ok:
        return "ok";
    case slack_outcome::retryable:
        return "retryable";
    case slack_outcome::permanent:
        return "permanent";
    }
    return "permanent";
}

std::optional<std::string> slack_result::ts() const
{
    if (auto ts = string_at(body, "ts"))
        return ts;
    return string_at(body, "message_ts");
}

std::optional<std::string> slack_result::channel() const
{
    if (auto id = string_at(body, "channel"))
        return id;
    if (const auto* channel = object_at(body, "channel"))
        return string_at(*channel, "id");
    return std::nullopt;
}

std::optional<std::string> slack_result::view_id() const
{
    const auto* view = object_at(body, "view");
    return view != nullptr ? string_at(*view, "id") : std::nullopt;
}

std::optional<std::string> slack_result::view_hash() const
{
    const auto* view = object_at(body, "view");
    return view != nullptr ? string_at(*view, "hash") : std::nullopt;
}

std::optional<std::string> slack_result::user_id() const
{
    const auto* user = object_at(body, "user");
    return user != nullptr ? string_at(*user, "id") : std::nullopt;
}

std::optional<std::string> slack_result::user_email() const
{
    const auto* user = object_at(body, "user");
    const auto* profile = user != nullptr ? object_at(*user, "profile") : nullptr;
    return profile != nullptr ? string_at(*profile, "email") : std::nullopt;
}

bool slack_result::may_have_landed() const noexcept
{
    if (outcome == slack_outcome::ok)
        return false;
    if (http_status == 0)
        return error == "transport_timeout" || error == "transport_io";
    if (http_status >= 500)
        return true;
    return error == "internal_error" || error == "fatal_error" || error == "request_timeout" ||
           error == "service_unavailable";
}

bool is_retryable_slack_error(std::string_view error) noexcept
{
    constexpr std::array<std::string_view, 6> retryable{
        "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"};
    for (const auto code : retryable)
        if (code == error)
            return true;
    return false;
}

slack_result classify_slack_response(const outbound::outbound_response& res)
{
    slack_result out;
    out.http_status = res.status;
    out.retry_after = retry_after_of(res);

    boost::system::error_code ec;
    auto parsed = json::parse(res.body, ec);
    if (!ec && parsed.is_object())
        out.body = std::move(parsed.get_object());
    const auto error = string_at(out.body, "error");

    // A 429's body may be empty; the status alone says "rate limited".
    if (res.status == 429) {
        out.outcome = slack_outcome::retryable;
        out.error = error.value_or("ratelimited");
        return out;
    }
    if (res.status >= 500) {
        out.outcome = slack_outcome::retryable;
        out.error = error.value_or("http_" + std::to_string(res.status));
        return out;
    }
    const auto* ok = out.body.if_contains("ok");
    if (res.status >= 200 && res.status < 300 && ok != nullptr && ok->is_bool() && ok->get_bool()) {
        out.outcome = slack_outcome::ok;
        return out;
    }
    if (error) {
        out.error = *error;
        out.outcome = is_retryable_slack_error(*error) ? slack_outcome::retryable : slack_outcome::permanent;
        return out;
    }
    out.outcome = slack_outcome::permanent;
    out.error = res.status >= 200 && res.status < 300 ? "invalid_response" : "http_" + std::to_string(res.status);
    return out;
}

slack_result classify_transport_failure(const outbound::transport_failure& failure)
{
    slack_result out;
    out.outcome = outbound::is_retryable(failure.kind) ? slack_outcome::retryable : slack_outcome::permanent;
    out.error = "transport_" + std::string(to_string(failure.kind));
    return out;
}

} // namespace checkpoint::bot
