#include "bot/api/api_internal.hpp"

#include "blocks/actions.hpp"
#include "bot/api/api_json.hpp"
#include "workflow/text.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <algorithm>
#include <variant>

namespace checkpoint::bot::api {

namespace {

bool is_action(std::string_view s)
{
    return blocks::find_api_verb(s) != nullptr;
}

} // namespace

matched match(const std::vector<std::string>& seg, http::verb method)
{
    using v = http::verb;
    std::vector<std::pair<v, endpoint>> options;
    const auto n = seg.size();
    const std::string_view head = n > 0 ? std::string_view(seg[0]) : std::string_view();
    if (n == 1 && head == "me")
        options = {{v::get, endpoint::me}};
    else if (n == 1 && head == "bundles")
        options = {{v::get, endpoint::bundles}};
    else if (n == 2 && head == "bundles")
        options = {{v::get, endpoint::bundle}};
    else if (n == 1 && head == "resources")
        options = {{v::get, endpoint::resources_list}, {v::put, endpoint::resources_put}};
    else if (n == 2 && head == "resources" && seg[1] == "sync")
        options = {{v::post, endpoint::resources_sync}};
    else if (n == 1 && head == "petitions")
        options = {{v::get, endpoint::petitions_list}, {v::post, endpoint::petitions_create}};
    else if (n == 2 && head == "petitions")
        options = {{v::get, endpoint::petition_get}};
    else if (n == 1 && head == "access-denied")
        options = {{v::post, endpoint::access_denied}};
    else if (n == 1 && head == "overrides")
        options = {{v::post, endpoint::override_create}};
    else if (n == 3 && head == "petitions" && seg[2] == "wait")
        options = {{v::get, endpoint::petition_wait}};
    else if (n == 3 && head == "petitions" && is_action(seg[2]))
        options = {{v::post, endpoint::petition_act}};
    else if (n == 1 && head == "explain")
        options = {{v::get, endpoint::explain}};
    else if (n == 1 && head == "audit")
        options = {{v::get, endpoint::audit}};
    else if (n == 2 && head == "audit" && seg[1] == "verify")
        options = {{v::get, endpoint::audit_verify}};
    else if (n == 2 && head == "audit" && seg[1] == "anchor")
        // Into api_audits.cpp with audit/verify, told apart there by its path: the audit chain's two calls.
        options = {{v::post, endpoint::audit_verify}};
    else if (n == 2 && head == "reports")
        options = {{v::get, endpoint::report}};
    else if (n == 2 && head == "manifests" && seg[1] == "reload")
        options = {{v::post, endpoint::manifests_reload}};
    else if (n == 2 && head == "policy" && seg[1] == "preview")
        options = {{v::post, endpoint::policy_preview}};
    else if (n == 2 && head == "directory" && seg[1] == "import")
        options = {{v::post, endpoint::directory_import}};
    else if (n == 1 && head == "tokens")
        options = {{v::get, endpoint::tokens_list}, {v::post, endpoint::tokens_create}};
    else if (n == 2 && head == "tokens")
        options = {{v::delete_, endpoint::token_delete}};
    matched m;
    for (const auto& [verb, e] : options) {
        if (!m.allow.empty())
            m.allow += ", ";
        m.allow += std::string(http::to_string(verb));
        if (verb == method)
            m.which = e;
    }
    return m;
}

bool still_waiting(const workflow::petition& p) { return workflow::is_waiting(p.state); }

bool may_see(const caller& c, const workflow::petition& p)
{
    if (c.has(scope::audit_read))
        return true;
    if (!c.personal())
        return c.has(scope::requests) && p.filed_by == "token:" + std::to_string(c.token.id);
    return workflow::may_read_private(p, c.person());
}

void need(const caller& c, scope s, std::string_view doing)
{
    if (!c.has(s))
        fail(code::forbidden, "This token lacks the `" + std::string(name(s)) + "` scope, which " + std::string(doing) +
                                  " needs.");
}

const std::string& acting_person(const caller& c, std::string_view doing)
{
    if (!c.personal())
        fail(code::forbidden, "A service token cannot " + std::string(doing) +
                                  ": it acts for no person. Use a personal token of the person who does.");
    return c.person();
}

namespace {

// A plain number ("-12", "3.5"): a spreadsheet reads it as a number, never as a formula.
bool plain_number(std::string_view s)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc{} && end == s.data() + s.size();
}

} // namespace

std::string csv_escape(std::string_view cell)
{
    // A cell a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return first) gets
    // a leading apostrophe, so a reason or a resource id typed as "=HYPERLINK(…)" stays text (OWASP's
    // CSV injection advice).
    std::string guarded;
    if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos &&
        !plain_number(cell))
        guarded = "'" + std::string(cell);
    const std::string_view s = guarded.empty() ? cell : std::string_view(guarded);
    if (s.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(s);
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    return out + "\"";
}

json::value cell_json(const workflow::reports::cell& c, bool is_time)
{
    if (std::holds_alternative<std::monostate>(c))
        return nullptr;
    if (auto* s = std::get_if<std::string>(&c))
        return json::value(*s);
    if (auto* d = std::get_if<double>(&c))
        return json::value(*d);
    const auto v = std::get<std::int64_t>(c);
    if (is_time)
        return json::value(rfc3339(workflow::time_point{std::chrono::seconds{v}}));
    return json::value(v);
}

std::string cell_text(const workflow::reports::cell& c, bool is_time)
{
    // Shortest round-trip form ("0.2", "489600"), not JSON's exponent form, for spreadsheets.
    if (auto* d = std::get_if<double>(&c)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
        return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    auto v = cell_json(c, is_time);
    if (v.is_null())
        return {};
    if (v.is_string())
        return std::string(v.get_string());
    return json::serialize(v);
}

bool is_time_column(std::string_view c) { return c == "from" || c == "until" || c == "filed_at" || c == "last_at"; }

std::optional<std::string> text_field(const json::object& o, std::string_view key, std::size_t max,
                                      std::string_view where)
{
    const auto* v = o.if_contains(key);
    if (!v || v->is_null())
        return std::nullopt;
    const std::string field = std::string(where) + std::string(key);
    if (!v->is_string())
        fail(code::invalid_request, "`" + field + "` must be a string.");
    const auto s = workflow::trim(v->get_string());
    if (workflow::char_count(s) > max)
        fail(code::invalid_request, "`" + field + "` is longer than " + std::to_string(max) + " characters.");
    return std::string(s);
}

std::string required_text(const json::object& o, std::string_view key, std::size_t max, std::string_view why,
                          std::string_view where)
{
    auto s = text_field(o, key, max, where);
    if (!s || s->find_first_not_of(" \t\r\n") == std::string::npos)
        fail(code::invalid_request, "`" + std::string(where) + std::string(key) + "` is required: " + std::string(why));
    return *s;
}

std::optional<workflow::duration> duration_field(std::optional<std::string> text, std::string_view key)
{
    if (!text)
        return std::nullopt;
    auto d = workflow::parse_duration(*text);
    if (!d)
        fail(code::invalid_request, "`" + std::string(key) + "`: " + d.error().message);
    return *d;
}

json::object page_of(json::array all, std::size_t limit, const std::optional<std::string>& cursor)
{
    std::size_t from = 0;
    if (cursor && !cursor->empty()) {
        auto ok = cursor->size() > 1 && (*cursor)[0] == 'o';
        if (ok) {
            auto [end, ec] = std::from_chars(cursor->data() + 1, cursor->data() + cursor->size(), from);
            ok = ec == std::errc() && end == cursor->data() + cursor->size() && from <= all.size();
        }
        if (!ok)
            fail(code::invalid_request, "That page cursor is not one this service handed out.");
    }
    json::array items;
    for (std::size_t i = from; i < all.size() && items.size() < limit; ++i)
        items.push_back(std::move(all[i]));
    const auto next = from + items.size();
    return json::object{{"items", std::move(items)},
                        {"next_cursor", next < all.size() ? json::value("o" + std::to_string(next)) : nullptr}};
}

} // namespace checkpoint::bot::api
