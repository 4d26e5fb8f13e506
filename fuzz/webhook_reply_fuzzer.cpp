// Webhook replies: a provisioning receiver's answer, written as an HTTP response head and body
// (`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n\r\n{"error": …}`), classified for each kind of
// event as the worker does (bot/integrations/webhook_reply.hpp), with every header tried as Retry-After.

#include "bot/integrations/webhook_reply.hpp"
#include "fuzz_support.hpp"

#include <charconv>
#include <string>

namespace {

using namespace checkpoint;
using std::chrono::seconds;

// "HTTP/1.1 503 …" or just "503": the first number on the line is the status.
unsigned status_of(std::string_view line)
{
    const auto at = line.find_first_of("0123456789");
    if (at == std::string_view::npos)
        return 0;
    unsigned status = 0;
    std::from_chars(line.data() + at, line.data() + line.size(), status);
    return status;
}

outbound::outbound_response response_of(std::string_view text)
{
    outbound::outbound_response res;
    auto next_line = [&text]() {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        return line;
    };
    res.status = status_of(next_line());
    while (!text.empty()) {
        const auto line = next_line();
        if (line.empty())
            break;
        const auto colon = line.find(':');
        auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        res.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    res.body = std::string(text);
    return res;
}

void check_outcome(const bot::delivery_outcome& out, const outbound::outbound_response& res)
{
    fuzz::check(!out.message.empty(), "an outcome says what happened");
    if (out.retry_after)
        fuzz::check(*out.retry_after >= seconds{0} && *out.retry_after <= bot::max_retry_after,
                    "Retry-After is clamped to [0, 24h]");
    if (res.status >= 200 && res.status < 300)
        fuzz::check(out.status != bot::delivery_status::retry, "a 2xx answer is never retried");
    if (res.status == 429 || (res.status >= 500 && res.status < 600))
        fuzz::check(out.status == bot::delivery_status::retry, "429 and 5xx are retried");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    const auto res = response_of(text);
    const auto now = fuzz::fixed_now();
    for (auto kind : {bot::event_kind::grant, bot::event_kind::revoke, bot::event_kind::pull_update})
        check_outcome(bot::classify_webhook_reply(res, kind, now), res);
    for (const auto& [name, value] : res.headers) {
        if (auto after = bot::parse_retry_after(value, now))
            fuzz::check(*after >= seconds{0} && *after <= bot::max_retry_after, "Retry-After is clamped to [0, 24h]");
    }
    return 0;
}
