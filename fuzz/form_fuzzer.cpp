// The Slack form decoder: an application/x-www-form-urlencoded body as Slack POSTs a slash command,
// an interaction (`payload=`) or its ssl_check probe, through bot::form and parse_slack_request.

#include "bot/form.hpp"
#include "bot/slack_request.hpp"
#include "fuzz_support.hpp"
#include "workflow/command.hpp"
#include "workflow/intent.hpp"

#include <string>
#include <variant>

namespace {

using namespace checkpoint;

// Form encoding of `s`: every byte but the unreserved ones escaped, spaces as `+`.
std::string encode(std::string_view s)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

void decode_form(std::string_view body)
{
    std::string why;
    const auto f = bot::form::parse(body, &why);
    if (!f) {
        fuzz::check(!why.empty(), "a refused form says why");
        return;
    }
    // What the decoder hands on is UTF-8, and encoding it again gives the same fields back.
    std::string again;
    for (const auto& [k, v] : f->fields()) {
        fuzz::check(bot::is_valid_utf8(k) && bot::is_valid_utf8(v), "decoded fields are UTF-8");
        fuzz::check(f->get(k).has_value() && f->count(k) >= 1, "a decoded key is found");
        if (!again.empty())
            again += '&';
        again += encode(k) + '=' + encode(v);
    }
    const auto g = bot::form::parse(again, nullptr);
    fuzz::check(g.has_value(), "an encoded form decodes");
    fuzz::check(g->fields() == f->fields(), "encoding and decoding keeps every field");
}

void decode_slack(std::string_view content_type, std::string_view body)
{
    (void)bot::is_ssl_check(content_type, body);
    auto parsed = bot::parse_slack_request(content_type, body);
    auto* request = std::get_if<bot::slack_request>(&parsed);
    if (!request)
        return;
    // A slash command's text goes on to the command parser, as slack_commands does.
    if (auto* c = std::get_if<bot::slash_command>(request)) {
        if (auto line = workflow::parse_command_line(c->text))
            (void)workflow::to_intent(*line, fuzz::fixed_now());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto body = fuzz::text_of(data, size);
    decode_form(body);
    decode_slack("application/x-www-form-urlencoded", body);
    decode_slack("application/x-www-form-urlencoded; charset=utf-8", body);
    return 0;
}
