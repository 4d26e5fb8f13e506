#include "workflow/intent.hpp"
#include "workflow/text.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

namespace checkpoint::workflow {

namespace {

// `--name value` and `--name=value` options, and bare words, in the order typed.
struct parsed_args {
    std::vector<std::string> words;
    std::vector<std::pair<std::string, std::optional<std::string>>> options;
};

struct option_spec {
    std::string_view name;
    bool takes_value;
};

result<parsed_args> split_options(const std::vector<std::string>& args, std::initializer_list<option_spec> allowed,
                                  std::string_view sub)
{
    parsed_args out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        // Phones turn "--" into an em or en dash; accept what they send.
        std::string normalized = a;
        for (std::string_view dash : {"\u2014", "\u2013"})
            if (normalized.starts_with(dash))
                normalized = "--" + normalized.substr(dash.size());
        if (!normalized.starts_with("--")) {
            out.words.push_back(a);
            continue;
        }
        std::string name = normalized.substr(2);
        std::optional<std::string> value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        const option_spec* spec = nullptr;
        for (const auto& s : allowed)
            if (s.name == name)
                spec = &s;
        if (!spec) {
            std::string names;
            for (const auto& s : allowed)
                names += (names.empty() ? "--" : ", --") + std::string(s.name);
            return error{"unknown_option", "`--" + name.substr(0, 40) + "` is not an option of `" + std::string(sub) +
                                               (names.empty() ? "`; it takes none." : "`; it takes " + names + ".")};
        }
        if (spec->takes_value && !value) {
            if (i + 1 >= args.size())
                return error{"missing_value", "--" + name + " needs a value, e.g. " +
                                                  (name == "duration" ? std::string("--duration 7d")
                                                   : name == "reason" ? std::string("--reason \"debugging latency\"")
                                                   : name == "ticket" ? std::string("--ticket PROJ-1234")
                                                                      : "--" + name + " <value>") +
                                                  "."};
            value = args[++i];
        }
        if (!spec->takes_value && value)
            return error{"unexpected_value", "--" + name + " takes no value."};
        out.options.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

std::optional<std::string> option(const parsed_args& p, std::string_view name)
{
    std::optional<std::string> v;
    for (const auto& [n, value] : p.options)
        if (n == name)
            v = value.value_or("");
    return v;
}

bool flag(const parsed_args& p, std::string_view name) { return option(p, name).has_value(); }

result<std::optional<duration>> optional_duration(const parsed_args& p)
{
    auto text = option(p, "duration");
    if (!text)
        return std::optional<duration>{};
    auto d = parse_duration(*text);
    if (!d)
        return d.error();
    return std::optional<duration>{*d};
}

// Trimmed, and at most `max` characters (not bytes).
result<std::string> bounded(std::string_view text, std::size_t max, std::string_view what)
{
    const auto t = trim(text);
    if (const auto n = char_count(t); n > max)
        return error{"too_long_input", std::string(what) + " is " + std::to_string(n) + " characters; at most " +
                                           std::to_string(max) + " are allowed."};
    return result<std::string>(boost::system::in_place_value, std::string(t));
}

std::string usage_of(subcommand s) { return "Usage: `/checkpoint " + std::string(info(s).usage) + "`"; }

error missing(subcommand s, std::string_view what)
{
    return error{"missing_argument", "Say which " + std::string(what) + ". " + usage_of(s)};
}

error extra_words(subcommand s, const std::vector<std::string>& words, std::size_t allowed)
{
    return error{"unexpected_argument", "Unexpected `" + words[allowed] + "`. " + usage_of(s)};
}

result<std::string> petition_arg(subcommand s, const parsed_args& p)
{
    if (p.words.empty())
        return missing(s, "request (its id, like p-7k2m9x)");
    if (p.words.size() > 1)
        return extra_words(s, p.words, 1);
    if (!is_petition_id(p.words[0]))
        return error{"bad_petition_id", "`" + p.words[0].substr(0, 40) +
                                            "` is not a request id; ids look like p-7k2m9x (see `/checkpoint mine`)."};
    return result<std::string>(boost::system::in_place_value, p.words[0]);
}

// `2026-12-01` (back at the start of the next day, UTC) or a duration from now (`3d`).
result<time_point> parse_until(std::string_view text, time_point now)
{
    int y = 0, m = 0, d = 0;
    char tail = 0;
    const std::string s(text);
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
        const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                              std::chrono::day{static_cast<unsigned>(d)}};
        if (!ymd.ok() || y < first_year || y > last_year)
            return error{"bad_date", "`" + s + "` is not a date; write it as YYYY-MM-DD, e.g. 2026-12-01."};
        const time_point back = std::chrono::sys_days{ymd} + std::chrono::days{1};
        if (back <= now)
            return error{"bad_date", "`" + s + "` is in the past; give the last day you are away."};
        return back;
    }
    auto len = parse_duration(text);
    if (!len)
        return error{"bad_date", "`" + s.substr(0, 40) + "` is neither a date (YYYY-MM-DD) nor a length of time (" +
                                     std::string(duration_forms) + ")."};
    return now + *len;
}

} // namespace

bool is_petition_id(std::string_view s)
{
    if (s.size() < 3 || s.size() > 64 || !s.starts_with("p-"))
        return false;
    for (char c : s.substr(2))
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-'))
            return false;
    return true;
}

result<command_intent> to_intent(const command_line& line, time_point now)
{
    if (!line.sub)
        return error{"unknown_subcommand", "`" + line.word + "` is not a Checkpoint command."};
    const subcommand sub = *line.sub;
    const std::string_view name = info(sub).name;

    switch (sub) {
    case subcommand::help:
        return command_intent{intent::help{}};
    case subcommand::request: {
        auto p = split_options(line.args, {{"duration", true}, {"reason", true}, {"ticket", true}, {"break-glass", false}},
                               name);
        if (!p)
            return p.error();
        if (p->words.size() > 1)
            return error{"unexpected_argument",
                         "Unexpected `" + p->words[1] +
                             "`: put the reason in quotes, e.g. --reason \"debugging latency\". " + usage_of(sub)};
        intent::request r;
        if (!p->words.empty()) {
            auto t = bounded(p->words[0], max_target_length, "The bundle name");
            if (!t)
                return t.error();
            r.target = *t;
        }
        auto d = optional_duration(*p);
        if (!d)
            return d.error();
        r.length = *d;
        auto reason = bounded(option(*p, "reason").value_or(""), max_reason_length, "The reason");
        if (!reason)
            return reason.error();
        r.reason = *reason;
        auto ticket = bounded(option(*p, "ticket").value_or(""), max_ticket_length, "The ticket");
        if (!ticket)
            return ticket.error();
        r.ticket = *ticket;
        r.break_glass = flag(*p, "break-glass");
        if (!r.target.empty() && r.reason.empty())
            return error{"missing_reason", "Say why you need access with --reason \"…\"; reviewers and the audit log "
                                           "read it. " + usage_of(sub)};
        return command_intent{std::move(r)};
    }
    case subcommand::status: {
        auto p = split_options(line.args, {}, name);
        if (!p)
            return p.error();
        if (p->words.empty())
            return command_intent{intent::status{}};
        auto id = petition_arg(sub, *p);
        if (!id)
            return id.error();
        return command_intent{intent::status{*id}};
    }
    case subcommand::mine:
    case subcommand::pending: {
        auto p = split_options(line.args, {}, name);
        if (!p)
            return p.error();
        if (!p->words.empty())
            return extra_words(sub, p->words, 0);
        if (sub == subcommand::mine)
            return command_intent{intent::mine{}};
        return command_intent{intent::pending{}};
    }
    case subcommand::extend: {
        auto p = split_options(line.args, {{"reason", true}}, name);
        if (!p)
            return p.error();
        if (p->words.size() < 2)
            return missing(sub, p->words.empty() ? "request and for how much longer" : "length to add");
        if (p->words.size() > 2)
            return extra_words(sub, p->words, 2);
        parsed_args first{{p->words[0]}, {}};
        auto id = petition_arg(sub, first);
        if (!id)
            return id.error();
        auto d = parse_duration(p->words[1]);
        if (!d)
            return d.error();
        auto reason = bounded(option(*p, "reason").value_or(""), max_reason_length, "The reason");
        if (!reason)
            return reason.error();
        return command_intent{intent::extend{*id, *d, *reason}};
    }
    case subcommand::cancel:
    case subcommand::revoke: {
        auto p = sub == subcommand::revoke ? split_options(line.args, {{"reason", true}}, name)
                                           : split_options(line.args, {}, name);
        if (!p)
            return p.error();
        auto id = petition_arg(sub, *p);
        if (!id)
            return id.error();
        if (sub == subcommand::cancel)
            return command_intent{intent::cancel{*id}};
        auto reason = bounded(option(*p, "reason").value_or(""), max_reason_length, "The reason");
        if (!reason)
            return reason.error();
        return command_intent{intent::revoke{*id, *reason}};
    }
    case subcommand::catalog: {
        std::string words;
        for (const auto& w : line.args)
            words += (words.empty() ? "" : " ") + w;
        auto b = bounded(std::move(words), max_target_length, "The search");
        if (!b)
            return b.error();
        return command_intent{intent::catalog{*b}};
    }
    case subcommand::explain: {
        auto p = split_options(line.args, {{"duration", true}}, name);
        if (!p)
            return p.error();
        if (p->words.empty())
            return missing(sub, "bundle or resource");
        if (p->words.size() > 1)
            return extra_words(sub, p->words, 1);
        auto d = optional_duration(*p);
        if (!d)
            return d.error();
        auto t = bounded(p->words[0], max_target_length, "The bundle name");
        if (!t)
            return t.error();
        return command_intent{intent::explain{*t, *d}};
    }
    case subcommand::ooo: {
        auto p = split_options(line.args, {{"delegate", true}}, name);
        if (!p)
            return p.error();
        if (p->words.empty())
            return missing(sub, "day you are back (or `off`)");
        if (p->words.size() > 1)
            return extra_words(sub, p->words, 1);
        if (p->words[0] == "off") {
            if (!p->options.empty())
                return error{"unexpected_argument", "`ooo off` takes no options. " + usage_of(sub)};
            return command_intent{intent::ooo_off{}};
        }
        auto until = parse_until(p->words[0], now);
        if (!until)
            return until.error();
        intent::ooo_set o{*until, {}, {}};
        if (auto d = option(*p, "delegate")) {
            // Slack escapes a mention as <@U123> or <@U123|name>.
            if (d->starts_with("<@") && d->ends_with(">")) {
                auto inner = d->substr(2, d->size() - 3);
                o.delegate_slack_id = inner.substr(0, inner.find('|'));
            } else {
                auto b = bounded(*d, max_target_length, "The delegate");
                if (!b)
                    return b.error();
                o.delegate_ref = d->starts_with('@') ? d->substr(1) : *d;
            }
        }
        return command_intent{std::move(o)};
    }
    }
    return command_intent{intent::help{}};
}

} // namespace checkpoint::workflow
