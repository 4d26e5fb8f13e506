#include "workflow/command.hpp"

#include "workflow/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace checkpoint::workflow {

namespace {

constexpr std::array subcommand_table{
    subcommand_info{subcommand::request, "request",
                    "request <bundle|kind:id> --reason \"…\" [--duration 7d] [--ticket PROJ-1] [--break-glass]",
                    "Request access to a bundle or a resource; with no bundle, opens the request form"},
    subcommand_info{subcommand::status, "status", "status [id]", "Show one request, or your latest ones"},
    subcommand_info{subcommand::mine, "mine", "mine", "List your active access and open requests"},
    subcommand_info{subcommand::pending, "pending", "pending", "List the approvals waiting on you"},
    subcommand_info{subcommand::extend, "extend", "extend <id> <duration> [--reason \"…\"]",
                    "Ask to extend active access"},
    subcommand_info{subcommand::cancel, "cancel", "cancel <id>", "Cancel a request that is still pending"},
    subcommand_info{subcommand::revoke, "revoke", "revoke <id>", "End active access now"},
    subcommand_info{subcommand::catalog, "catalog", "catalog [words]", "Search the bundles you can request"},
    subcommand_info{subcommand::explain, "explain", "explain <bundle|kind:id> [--duration 7d]",
                    "Show who would approve a request, and why, without filing it"},
    subcommand_info{subcommand::ooo, "ooo", "ooo <until> [--delegate @user] | ooo off",
                    "Set or clear your out-of-office, so approvals go to your delegate"},
    subcommand_info{subcommand::help, "help", "help", "Show this help"},
};

struct quote_pair {
    std::string_view open;
    std::string_view close_a;
    std::string_view close_b;
};

// Straight and typographic quotes; a phone may open with one and close with the other.
constexpr std::array quotes{
    quote_pair{"\"", "\"", "\u201D"},
    quote_pair{"\u201C", "\u201D", "\""},
    quote_pair{"\u201E", "\u201C", "\u201D"},
    quote_pair{"'", "'", "\u2019"},
    quote_pair{"\u2018", "\u2019", "'"},
};

std::string unescape_slack(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        if (in.compare(i, 5, "&amp;") == 0) {
            out += '&';
            i += 5;
        } else if (in.compare(i, 4, "&lt;") == 0) {
            out += '<';
            i += 4;
        } else if (in.compare(i, 4, "&gt;") == 0) {
            out += '>';
            i += 4;
        } else {
            out += in[i++];
        }
    }
    return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Unicode no-break space (U+00A0), which some keyboards insert, also separates words.
std::size_t space_length(std::string_view s, std::size_t i)
{
    if (is_space(s[i]))
        return 1;
    if (s.compare(i, 2, "\u00A0") == 0)
        return 2;
    return 0;
}

const quote_pair* opening_quote(std::string_view s, std::size_t i)
{
    for (const auto& q : quotes)
        if (s.compare(i, q.open.size(), q.open) == 0)
            return &q;
    return nullptr;
}

} // namespace

std::span<const subcommand_info> subcommands() { return subcommand_table; }

const subcommand_info& info(subcommand s)
{
    for (const auto& i : subcommand_table)
        if (i.id == s)
            return i;
    return subcommand_table.back();
}

result<std::vector<std::string>> tokenize(std::string_view raw)
{
    const std::string text = unescape_slack(raw);
    const std::string_view s = text;
    std::vector<std::string> tokens;
    std::string current;
    bool in_token = false;
    std::size_t i = 0;
    while (i < s.size()) {
        if (auto n = space_length(s, i)) {
            if (in_token)
                tokens.push_back(std::move(current));
            current.clear();
            in_token = false;
            i += n;
            continue;
        }
        // A quote opens only at the start of a word or after `=`, so "don't" stays one word.
        const bool may_open = !in_token || (!current.empty() && current.back() == '=');
        if (const quote_pair* q = may_open ? opening_quote(s, i) : nullptr) {
            const std::size_t start = i + q->open.size();
            std::size_t end = start;
            std::size_t close_len = 0;
            for (; end < s.size(); ++end) {
                if (s.compare(end, q->close_a.size(), q->close_a) == 0) {
                    close_len = q->close_a.size();
                    break;
                }
                if (s.compare(end, q->close_b.size(), q->close_b) == 0) {
                    close_len = q->close_b.size();
                    break;
                }
            }
            if (close_len == 0)
                return error{"unterminated_quote",
                             "A quote opened before \"" + std::string(s.substr(start, 20)) +
                                 "\" is never closed. Close it, e.g. --reason \"debugging latency\"."};
            current.append(s.substr(start, end - start));
            in_token = true;
            i = end + close_len;
            continue;
        }
        current += s[i++];
        in_token = true;
    }
    if (in_token)
        tokens.push_back(std::move(current));
    return tokens;
}

result<command_line> parse_command_line(std::string_view text)
{
    auto tokens = tokenize(text);
    if (!tokens)
        return tokens.error();
    command_line out;
    if (tokens->empty()) {
        out.word = "help";
        out.sub = subcommand::help;
        return out;
    }
    out.word = tokens->front();
    const std::string lowered = to_lower(out.word);
    for (const auto& i : subcommand_table)
        if (i.name == lowered)
            out.sub = i.id;
    out.args.assign(std::make_move_iterator(tokens->begin() + 1), std::make_move_iterator(tokens->end()));
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::vector<std::string_view> closest_subcommands(std::string_view word, std::size_t at_most)
{
    std::vector<std::pair<std::size_t, std::string_view>> scored;
    for (const auto& i : subcommand_table) {
        const auto d = edit_distance(word, i.name);
        const bool prefix = !word.empty() && i.name.starts_with(word);
        // Only suggest names within a couple of typos, or that the word begins.
        if (prefix || d <= std::max<std::size_t>(2, i.name.size() / 3))
            scored.emplace_back(prefix ? 0 : d, i.name);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string_view> out;
    for (const auto& [d, name] : scored) {
        if (out.size() == at_most)
            break;
        out.push_back(name);
    }
    return out;
}

} // namespace checkpoint::workflow
