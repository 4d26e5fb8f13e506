// The load for bench/http/run.sh's durable mode: a wrk script that posts COUNT distinct, signed
// `/checkpoint request …` slash commands, each of which checkpointd must store before it answers.
//
// wrk's Lua has no HMAC, so the signatures are computed here, with checkpointd's own signing
// function, and written into the script; the command text of request n is TEMPLATE with every `{n}`
// replaced by n, for n from START to START + COUNT - 1, and its trigger_id ends in n, so no two are the
// same signed bytes (checkpointd refuses a replay). A person holds one open request per target, so a
// template that files names a distinct target per n (`request customer:bench-{n} …`, customers uploaded
// beforehand); `help` needs no {n}. Each wrk thread takes every Nth request, so threads never send the same one; a thread
// that runs out says so on stderr and starts over, which run.sh reports as a failed measurement (it
// compares answered requests with stored ones).
//
// usage: bench_http_requests OUT.lua START COUNT SLACK_USER TEMPLATE
//   START, COUNT  the numbers used (size COUNT to the rate × the duration; a later run starts after)
//   SLACK_USER    the user_id sent (a directory person's slack_id, so no Slack look-up is made)
//   TEMPLATE      the command text, e.g. `request customer:bench-{n} --duration 1d --reason "bench {n}"`
// The signing secret comes from SLACK_SIGNING_SECRET; the timestamp is now.

#include "bot/slack_signature.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string form_encode(std::string_view s)
{
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    return boost::urls::encode(s, boost::urls::unreserved_chars, opts);
}

// A Lua long-bracket-free string literal: the form body has no quote or backslash after encoding.
std::string lua_quoted(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

// A positive (or, with `zero_ok`, any) whole number from an argument; false, said on stderr, otherwise.
bool whole_number(std::string_view name, std::string_view arg, bool zero_ok, std::size_t& out)
{
    if (auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), out);
        ec != std::errc{} || end != arg.data() + arg.size() || (!zero_ok && out == 0)) {
        std::cerr << "bench_http_requests: " << name << " must be a " << (zero_ok ? "" : "positive ")
                  << "whole number, not '" << arg << "'\n";
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 6) {
        std::cerr << "usage: bench_http_requests OUT.lua START COUNT SLACK_USER TEMPLATE\n";
        return 2;
    }
    const char* secret = std::getenv("SLACK_SIGNING_SECRET");
    if (!secret || !*secret) {
        std::cerr << "bench_http_requests: SLACK_SIGNING_SECRET is not set\n";
        return 2;
    }
    std::size_t start = 0, count = 0;
    if (!whole_number("START", argv[2], true, start) || !whole_number("COUNT", argv[3], false, count))
        return 2;
    const std::string user = argv[4];
    const std::string_view text = argv[5];
    // The same fields Slack sends; the text is cut at every {n}, each piece form-encoded.
    std::vector<std::string> parts{"token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id="
                                   "C2147483705&channel_name=ops&user_id=" +
                                   form_encode(user) + "&user_name=bench&command=%2Fcheckpoint&text="};
    for (std::size_t at = 0;;) {
        const auto mark = text.find("{n}", at);
        parts.back() += form_encode(text.substr(at, mark == std::string_view::npos ? std::string_view::npos : mark - at));
        if (mark == std::string_view::npos)
            break;
        parts.emplace_back();
        at = mark + 3;
    }
    parts.back() += "&api_app_id=A123456&is_enterprise_install=false"
                    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0001%2F5678%2FabcdefGHIJKL"
                    "&trigger_id=13345224609.738474920.";
    parts.emplace_back();
    const auto body_of = [&](std::size_t n) {
        std::string body = parts.front();
        for (std::size_t i = 1; i < parts.size(); ++i)
            body += std::to_string(n) + parts[i];
        return body;
    };
    const auto ts = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());

    std::ofstream out(argv[1], std::ios::trunc);
    if (!out) {
        std::cerr << "bench_http_requests: cannot write " << argv[1] << "\n";
        return 1;
    }
    // The signatures go to OUT.sigs, 64 hex digits each, back to back: LuaJIT allows 65,536
    // constants per function, too few for a table literal of them.
    const std::string sigs_path = std::string(argv[1]) + ".sigs";
    std::ofstream sigs(sigs_path, std::ios::binary | std::ios::trunc);
    for (std::size_t i = 0; i < count; ++i)
        sigs << checkpoint::bot::hmac_sha256_v0_hex(secret, ts, body_of(start + i));
    if (!sigs.flush()) {
        std::cerr << "bench_http_requests: writing " << sigs_path << " failed\n";
        return 1;
    }
    out << "-- generated by bench_http_requests: " << count << " distinct signed /checkpoint request commands\n"
        << "local parts = {";
    for (std::size_t i = 0; i < parts.size(); ++i)
        out << (i ? ", " : "") << lua_quoted(parts[i]);
    out << "}\n"
        << "local start = " << start << "\n"
        << "local count = " << count << "\n"
        << "local next_id = 0\n"
        << "function setup(thread)\n"
        << "  thread:set(\"id\", next_id)\n"
        << "  next_id = next_id + 1\n"
        << "end\n"
        << "function init(args)\n"
        << "  local f = assert(io.open(" << lua_quoted(sigs_path) << ", \"rb\"))\n"
        << "  sigs = f:read(\"*a\")\n"
        << "  f:close()\n"
        << "  stride = tonumber(os.getenv(\"WRK_THREADS\") or \"1\")\n"
        << "  n = id\n"
        << "  wrapped = false\n"
        << "end\n"
        << "function request()\n"
        << "  if n >= count then\n"
        << "    if not wrapped then io.stderr:write(\"bench_http_requests: ran out of distinct requests\\n\") end\n"
        << "    wrapped = true\n"
        << "    n = id\n"
        << "  end\n"
        << "  local sig = string.sub(sigs, 64 * n + 1, 64 * n + 64)\n"
        << "  local body = parts[1]\n"
        << "  for i = 2, #parts do body = body .. (start + n) .. parts[i] end\n"
        << "  n = n + stride\n"
        << "  return wrk.format(\"POST\", \"/slack/events\", {\n"
        << "    [\"Content-Type\"] = \"application/x-www-form-urlencoded\",\n"
        << "    [\"X-Slack-Request-Timestamp\"] = \"" << ts << "\",\n"
        << "    [\"X-Slack-Signature\"] = \"v0=\" .. sig,\n"
        << "  }, body)\n"
        << "end\n";
    if (!out.flush()) {
        std::cerr << "bench_http_requests: writing " << argv[1] << " failed\n";
        return 1;
    }
    return 0;
}
