#include "cli/render.hpp"

#include "workflow/petition_json.hpp"
#include "workflow/duration.hpp"
#include "workflow/petition.hpp"
#include "workflow/risk.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <vector>

namespace checkpoint::cli {

namespace json = boost::json;

namespace {

// Longest cell shown in a table; longer text is cut with an ellipsis.
constexpr std::size_t max_cell = 48;

const json::value* field(const json::object& o, std::string_view key)
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

} // namespace

std::string str(const json::object& o, std::string_view key)
{
    const auto* v = field(o, key);
    if (!v)
        return {};
    if (v->is_string())
        return clean(v->get_string());
    if (v->is_int64())
        return std::to_string(v->get_int64());
    if (v->is_uint64())
        return std::to_string(v->get_uint64());
    if (v->is_bool())
        return v->get_bool() ? "true" : "false";
    return {};
}

namespace {

const json::object& obj(const json::object& o, std::string_view key)
{
    static const json::object empty;
    const auto* v = field(o, key);
    return v && v->is_object() ? v->get_object() : empty;
}

const json::array& arr(const json::object& o, std::string_view key)
{
    static const json::array empty;
    const auto* v = field(o, key);
    return v && v->is_array() ? v->get_array() : empty;
}

const json::object& as_obj(const json::value& v)
{
    static const json::object empty;
    return v.is_object() ? v.get_object() : empty;
}

std::size_t display_width(std::string_view s)
{
    // Code points, not bytes: names are UTF-8.
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string cut(std::string s, std::size_t width)
{
    if (display_width(s) <= width)
        return s;
    std::string out;
    std::size_t seen = 0;
    for (char c : s) {
        const bool starts = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (starts && ++seen > width - 1)
            break;
        out += c;
    }
    return out + "…";
}

// Columns padded to their widest cell, two spaces apart; the last column is not padded.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], display_width(cut(row[i], max_cell)));
    };
    measure(header);
    for (const auto& r : rows)
        measure(r);
    std::string out;
    auto line = [&](const std::vector<std::string>& row) {
        std::string l;
        for (std::size_t i = 0; i < header.size(); ++i) {
            const std::string cell = i < row.size() ? cut(row[i], max_cell) : std::string();
            l += cell;
            if (i + 1 < header.size())
                l += std::string(width[i] - display_width(cell) + 2, ' ');
        }
        while (!l.empty() && l.back() == ' ')
            l.pop_back();
        out += l + "\n";
    };
    line(header);
    for (const auto& r : rows)
        line(r);
    return out;
}

std::string risk_title(std::string_view risk)
{
    if (auto r = workflow::parse_risk(risk))
        return std::string(workflow::title(*r));
    return clean(risk);
}

// "7 days" from duration_seconds, else the short form as given.
std::string length_text(const json::object& o)
{
    const auto* secs = field(o, "duration_seconds");
    if (secs && secs->is_int64() && secs->get_int64() > 0)
        return workflow::describe_duration(workflow::duration(secs->get_int64()));
    const std::string d = str(o, "duration");
    if (auto parsed = workflow::parse_duration(d); parsed.has_value())
        return workflow::describe_duration(*parsed);
    return d;
}

std::string target_name(const json::object& p)
{
    const auto& t = obj(p, "target");
    if (str(t, "type") == "resource") {
        std::string s = str(t, "kind") + ":" + str(t, "id");
        // The server falls back to kind:id when a resource has no display name; say it once.
        if (auto name = str(t, "display_name"); !name.empty() && name != s && name != str(t, "id"))
            s += " (" + name + ")";
        return s;
    }
    return str(t, "name");
}

std::string person(const json::object& o)
{
    std::string name = str(o, "name");
    return name.empty() ? str(o, "id") : name;
}

std::string found_line(const json::object& p)
{
    const auto& t = obj(p, "target");
    const bool resource = str(t, "type") == "resource";
    // A resource's display name is already in parentheses: owner and risk follow after a comma.
    const std::string name = target_name(p);
    const bool named = name.ends_with(")");
    return std::string("✓ ") + (resource ? "Resource" : "Bundle") + " found: " + name + (named ? ", owner " : " (owner ") +
           str(p, "owner_team") + ", risk " + risk_title(str(p, "risk")) + (named ? "\n" : ")\n");
}

std::string decision_line(const json::object& decision)
{
    const std::string outcome = str(decision, "outcome");
    const std::string why = str(decision, "why");
    if (outcome == "auto_approved")
        return "✓ " + why + "\n";
    if (outcome == "break_glass" || outcome == "override")
        return "🚨 " + why + "\n";
    return "⏳ " + why + "\n";
}

std::string reviewers_text(const json::array& reviewers)
{
    std::string out;
    for (const auto& r : reviewers) {
        const auto& o = as_obj(r);
        const std::string name = person(o);
        out += (out.empty() ? "" : ", ") + name;
        std::string why = str(o, "why");
        // The server's reasons may start with the reviewer's name ("Alex Chen: on api-team"); say it once.
        if (why.starts_with(name + ": "))
            why.erase(0, name.size() + 2);
        if (!why.empty())
            out += " (" + why + ")";
    }
    return out.empty() ? std::string("nobody yet") : out;
}

// "  Step 1 of 2 · manager: Mary Major (Lee Lin's manager)", one line a step.
std::string steps_text(const json::array& steps, bool with_state)
{
    std::string out;
    std::size_t i = 0;
    for (const auto& s : steps) {
        const auto& o = as_obj(s);
        ++i;
        out += "  Step " + std::to_string(i) + " of " + std::to_string(steps.size()) + " · " + str(o, "name");
        if (with_state)
            out += " [" + str(o, "state") + "]";
        out += ": " + reviewers_text(arr(o, "reviewers")) + "\n";
    }
    return out;
}

// The first step still waiting and its 1-based number, if any.
std::pair<std::size_t, const json::object*> waiting_step(const json::object& p)
{
    const auto& steps = arr(p, "steps");
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (str(as_obj(steps[i]), "state") == "waiting")
            return {i + 1, &as_obj(steps[i])};
    return {0, nullptr};
}

// The last decision with one of `verdicts`, if any.
const json::object* last_decision(const json::object& p, std::initializer_list<std::string_view> verdicts)
{
    const json::object* found = nullptr;
    for (const auto& d : arr(p, "decisions")) {
        const auto& o = as_obj(d);
        const std::string v = str(o, "verdict");
        if (std::find(verdicts.begin(), verdicts.end(), v) != verdicts.end())
            found = &o;
    }
    return found;
}

std::string closed_line(std::string_view mark, std::string_view what, const json::object* d)
{
    std::string out = std::string(mark) + " " + std::string(what);
    if (d) {
        out += " by " + person(obj(*d, "by"));
        if (auto reason = str(*d, "reason"); !reason.empty())
            out += ": " + reason;
    }
    return out + "\n";
}

std::string entitlements_text(const json::object& p)
{
    const auto& ents = arr(p, "entitlements");
    if (ents.empty())
        return {};
    std::string out = "\nYou can now access:\n";
    for (const auto& e : ents)
        if (e.is_string())
            out += "  - " + clean(e.get_string()) + "\n";
    return out;
}

std::string scalar_text(const json::value& v)
{
    switch (v.kind()) {
    case json::kind::string:
        return clean(v.get_string());
    case json::kind::null:
        return "";
    case json::kind::array: {
        std::string out;
        for (const auto& e : v.get_array())
            out += (out.empty() ? "" : ",") + scalar_text(e);
        return out;
    }
    case json::kind::object:
        return clean(json::serialize(v));
    case json::kind::double_: {
        // The shortest round-trip form ("0", "0.25"), not JSON's exponent form ("0E0", "2.5E-1").
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
        return ec == std::errc() ? std::string(buf, end) : json::serialize(v);
    }
    default:
        return json::serialize(v);
    }
}

} // namespace

int exit_code_for_state(std::string_view state)
{
    if (state == "approved" || state == "provisioning" || state == "active")
        return exit_ok;
    if (state == "pending")
        return exit_waiting;
    if (state == "denied" || state == "cancelled" || state == "failed" || state == "expired" || state == "revoked")
        return exit_closed;
    return exit_error;
}

bool is_waiting_state(std::string_view state)
{
    const auto s = workflow::parse_petition_state(state);
    return s && workflow::is_waiting(*s);
}

std::string clean(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '\n' || u == '\t')
            out += ' ';
        else if (u >= 0x20 && u != 0x7F)
            out += c;
    }
    return out;
}

std::string format_time(std::string_view t)
{
    // YYYY-MM-DDTHH:MM:SS[.fff]Z
    const bool shaped = t.size() >= 20 && t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':' &&
                        t[16] == ':' && t.back() == 'Z';
    if (!shaped)
        return clean(t);
    return std::string(t.substr(0, 10)) + " " + std::string(t.substr(11, 5)) + " UTC";
}

std::string request_header_text(const json::object& p)
{
    const auto& decision = obj(p, "decision");
    std::string out = found_line(p);
    out += "✓ Requesting access for " + length_text(p) + "\n";
    out += decision_line(decision);
    for (const auto& n : arr(p, "notes"))
        if (n.is_string())
            out += "ℹ " + clean(n.get_string()) + "\n";
    if (str(decision, "outcome") != "auto_approved")
        out += steps_text(arr(p, "steps"), false);
    return out;
}

std::string request_text(const json::object& p) { return request_header_text(p) + outcome_text(p); }

std::string grant_text(const json::object& p)
{
    const auto& who = obj(p, "requester");
    return found_line(p) + "✓ Granting " + clean(str(who, "name")) + " (" + clean(str(who, "id")) + ") access for " +
           length_text(p) + "\n" + decision_line(obj(p, "decision")) +
           "ℹ The security channel is told; checkpoint report bypassed-approval lists it.\n" + outcome_text(p);
}

std::string outcome_text(const json::object& p)
{
    const std::string state = str(p, "state");
    const std::string id = str(p, "id");
    if (state == "active") {
        std::string out = "✓ Access granted";
        if (auto ends = str(p, "ends_at"); !ends.empty())
            out += " (expires " + format_time(ends) + ")";
        return out + "\n" + entitlements_text(p);
    }
    if (state == "approved" || state == "provisioning")
        return "⚙ Approved; access is being set up and lasts " + length_text(p) +
               " once it starts. Follow it with: checkpoint status " + id + "\n";
    if (state == "pending")
        return "⏳ Request " + id + " is waiting for approval. Follow it with: checkpoint status " + id + " --wait\n";
    if (state == "denied")
        return closed_line("✗", "Denied", last_decision(p, {"deny"}));
    if (state == "cancelled")
        return closed_line("✗", "Cancelled", last_decision(p, {"cancel"}));
    if (state == "revoked")
        return closed_line("✗", "Revoked", last_decision(p, {"revoke"}));
    if (state == "expired") {
        std::string out = "✗ Expired";
        if (auto ends = str(p, "ends_at"); !ends.empty())
            out += " at " + format_time(ends);
        return out + "\n";
    }
    if (state == "failed")
        return "✗ Setting up access failed; the owning team has been told. Details: checkpoint status " + id + "\n";
    return "? Request " + id + " is in an unknown state \"" + state + "\"\n";
}

std::string progress_line(const json::object& p, std::chrono::seconds elapsed)
{
    const std::string state = str(p, "state");
    std::string line;
    if (state == "pending") {
        auto [n, step] = waiting_step(p);
        if (step) {
            line = "⏳ Waiting for approval: step " + std::to_string(n) + " of " +
                   std::to_string(arr(p, "steps").size()) + " (" + str(*step, "name") + ": ";
            std::string names;
            for (const auto& r : arr(*step, "reviewers"))
                names += (names.empty() ? "" : ", ") + person(as_obj(r));
            line += (names.empty() ? std::string("nobody yet") : names) + ")";
        } else {
            line = "⏳ Waiting for approval";
        }
    } else if (state == "approved" || state == "provisioning") {
        line = "⚙ Approved; setting up access";
    } else {
        line = "• Request is " + state;
    }
    if (elapsed.count() > 0) {
        const auto m = elapsed.count() / 60;
        const auto s = elapsed.count() % 60;
        line += " · " + std::to_string(m) + ":" + (s < 10 ? "0" : "") + std::to_string(s);
    }
    return line;
}

std::string progress_key(const json::object& p)
{
    return progress_line(p, std::chrono::seconds(0));
}

std::string status_text(const json::object& p)
{
    const auto& t = obj(p, "target");
    const bool resource = str(t, "type") == "resource";
    std::string out = "Request " + str(p, "id") + " · " + target_name(p) + "\n";
    std::vector<std::vector<std::string>> rows{
        {"State", str(p, "state")},
        {"Requester", person(obj(p, "requester"))},
        {resource ? "Resource" : "Bundle",
         target_name(p) + " (owner " + str(p, "owner_team") + ", risk " + risk_title(str(p, "risk")) + ")"},
        {"Duration", length_text(p)},
        {"Reason", str(p, "reason")},
    };
    if (auto ticket = str(p, "ticket"); !ticket.empty())
        rows.push_back({"Ticket", ticket});
    if (const auto* bg = field(p, "break_glass"); bg && bg->is_bool() && bg->get_bool())
        rows.push_back({"Break-glass", "yes"});
    rows.push_back({"Requested", format_time(str(p, "created_at"))});
    if (auto at = str(p, "decided_at"); !at.empty())
        rows.push_back({"Decided", format_time(at)});
    if (auto at = str(p, "starts_at"); !at.empty())
        rows.push_back({"Starts", format_time(at)});
    if (auto at = str(p, "ends_at"); !at.empty())
        rows.push_back({"Ends", format_time(at)});
    rows.push_back({"Rule", str(obj(p, "decision"), "why")});
    // Rows, not a table: reasons are not cut.
    for (const auto& r : rows)
        out += "  " + r[0] + std::string(13 - std::min<std::size_t>(12, r[0].size()), ' ') + r[1] + "\n";
    out += steps_text(arr(p, "steps"), true);
    if (const auto& ext = obj(p, "extension"); !ext.empty()) {
        out += "⏳ Extension asked for: " + length_text(ext) + " more";
        if (auto reason = str(ext, "reason"); !reason.empty())
            out += " (" + reason + ")";
        out += "\n" + steps_text(arr(ext, "steps"), true);
    }
    const auto& decisions = arr(p, "decisions");
    if (!decisions.empty()) {
        out += "History:\n";
        for (const auto& d : decisions) {
            const auto& o = as_obj(d);
            out += "  " + format_time(str(o, "at")) + "  " + person(obj(o, "by")) + " · " + str(o, "verdict");
            if (str(o, "step").starts_with("extension"))
                out += " (extension)";
            if (auto reason = str(o, "reason"); !reason.empty())
                out += ": " + reason;
            out += "\n";
        }
    }
    return out + outcome_text(p);
}

// Who approved it, as the request log's Approver column says it: "auto-approved", "break-glass", the
// reviewers who decided (an extension's aside; a denial marked), or the step it waits on.
std::string approver_text(const json::object& p)
{
    const auto outcome = str(obj(p, "decision"), "outcome");
    if (outcome == "auto_approved")
        return "auto-approved";
    if (outcome == "break_glass")
        return "break-glass";
    std::string who;
    for (const auto& d : arr(p, "decisions")) {
        const auto& o = as_obj(d);
        const auto verdict = str(o, "verdict");
        if ((verdict != "approve" && verdict != "deny") || str(o, "step").starts_with("extension: "))
            continue;
        const auto name = person(obj(o, "by")) + (verdict == "deny" ? " (denied)" : "");
        if (who.find(name) == std::string::npos)
            who += (who.empty() ? "" : ", ") + name;
    }
    if (!who.empty())
        return who;
    for (const auto& s : arr(p, "steps"))
        if (str(as_obj(s), "state") == "waiting")
            return "waiting: " + str(as_obj(s), "name");
    return "-";
}

std::string petitions_table(const json::array& items, std::string_view empty)
{
    if (items.empty())
        return std::string(empty) + "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : items) {
        const auto& p = as_obj(v);
        rows.push_back({str(p, "id"), str(p, "state"), target_name(p), person(obj(p, "requester")),
                        str(p, "duration"), approver_text(p), format_time(str(p, "created_at")),
                        format_time(str(p, "ends_at")), str(p, "reason")});
    }
    return table({"ID", "STATE", "TARGET", "REQUESTER", "DURATION", "APPROVER", "REQUESTED", "ENDS", "REASON"}, rows);
}

std::string changed_text(std::string_view verb, const json::object& p)
{
    const std::string head =
        "✓ " + std::string(verb) + " " + str(p, "id") + " (" + target_name(p) + " for " + person(obj(p, "requester")) + ")";
    if (str(p, "state") == "active") {
        // A decision on live access is about its extension: say what became of the extra time.
        const std::string ends = format_time(str(p, "ends_at"));
        const auto& ext = obj(p, "extension");
        if (!ext.empty())
            return head + ": the extension of " + str(ext, "duration") +
                   " waits for approval; access stays until " + ends + " meanwhile.\n" +
                   steps_text(arr(ext, "steps"), true);
        if (verb == "Denied")
            return head + ": the extension was denied; access stays until " + ends + ".\n";
        if (verb == "Cancelled")
            return head + ": the extension was withdrawn; access stays until " + ends + ".\n";
        return head + ": access now lasts until " + ends + ".\n";
    }
    return head + "; it is now " + str(p, "state") + ".\n" + outcome_text(p);
}

std::string catalog_text(const json::array& bundles, std::string_view query)
{
    if (bundles.empty())
        return query.empty() ? "No bundles in the catalog.\n"
                             : "No bundle matches \"" + clean(query) + "\". Try fewer words, or `checkpoint catalog`.\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : bundles) {
        const auto& b = as_obj(v);
        std::string durations;
        for (const auto& d : arr(b, "durations"))
            durations += (durations.empty() ? "" : ",") + scalar_text(d);
        std::string about = str(b, "description");
        if (about.empty())
            about = str(b, "title");
        const std::string name = str(b, "name");
        if (const auto* d = field(b, "deprecated"); d && d->is_bool() && d->get_bool()) {
            const auto next = str(b, "successor");
            about = "DEPRECATED" + (next.empty() ? std::string(".") : ": use " + next + ".") +
                    (about.empty() ? "" : " " + about);
        }
        // Whether it is instant for the token's person (personal tokens only).
        std::string for_you;
        if (const auto* i = field(b, "instant_for_you"); i && i->is_bool())
            for_you = i->get_bool() ? "instant" : "approval";
        // From its history (the last 90 days): what is usually granted, and the median wait for approval.
        std::string usually, approval;
        if (const auto* h = field(b, "history"); h && h->is_object()) {
            const auto& span = arr(h->get_object(), "typical_durations");
            if (span.size() == 2)
                usually = scalar_text(span[0]) == scalar_text(span[1])
                              ? scalar_text(span[0])
                              : scalar_text(span[0]) + "-" + scalar_text(span[1]);
            if (const auto* w = field(h->get_object(), "median_time_to_approval_seconds"); w && w->is_number())
                approval = workflow::format_duration(workflow::duration{w->to_number<std::int64_t>()});
        }
        rows.push_back({name, risk_title(str(b, "risk")), str(b, "owner_team"), durations, str(b, "max_duration"),
                        usually, approval, for_you, about});
    }
    std::vector<std::string> header{"BUNDLE", "RISK",     "OWNER",   "DURATIONS",  "MAX",
                                    "USUALLY", "APPROVAL", "FOR YOU", "DESCRIPTION"};
    // Columns with nothing to say (a service token speaks for nobody; no history yet) are left out.
    for (std::size_t col : {7u, 6u, 5u}) {
        if (!std::all_of(rows.begin(), rows.end(), [&](const auto& r) { return r[col].empty(); }))
            continue;
        header.erase(header.begin() + static_cast<std::ptrdiff_t>(col));
        for (auto& r : rows)
            r.erase(r.begin() + static_cast<std::ptrdiff_t>(col));
    }
    return table(header, rows) + "Request one with: checkpoint request BUNDLE --duration D --reason \"…\"\n";
}

std::string explain_text(const json::object& e)
{
    std::string out = str(e, "bundle") + " for " + length_text(e) + ":\n";
    json::object decision{{"outcome", field(e, "outcome") ? *field(e, "outcome") : json::value()},
                          {"why", field(e, "why") ? *field(e, "why") : json::value()}};
    out += decision_line(decision);
    out += steps_text(arr(e, "steps"), false);
    return out + "Nothing was filed; `checkpoint request` files it.\n";
}

namespace {

// A report's cell as people read it: "…_seconds" as a duration (4d, 1h30m), a rate as a percentage.
std::string report_cell(std::string_view key, const json::value& v)
{
    if (key.ends_with("_seconds") && v.is_number()) {
        const auto s = v.to_number<double>();
        if (s < 1)
            return s <= 0 ? "0s" : "<1s";
        return workflow::format_duration(std::chrono::seconds{static_cast<std::int64_t>(s + 0.5)});
    }
    if (key.ends_with("rate") && v.is_number()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f%%", v.to_number<double>() * 100);
        return buf;
    }
    return scalar_text(v);
}

// A report's field without its unit: average for average_seconds (the cell says 4d).
std::string report_name(std::string_view key)
{
    constexpr std::string_view unit = "_seconds";
    return clean(key.ends_with(unit) ? key.substr(0, key.size() - unit.size()) : key);
}

// The header of such a column: AVERAGE for average_seconds.
std::string report_header(std::string_view key)
{
    std::string h = report_name(key);
    std::transform(h.begin(), h.end(), h.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c == '_' ? ' ' : c; });
    return h;
}

} // namespace

std::string report_text(const json::object& r)
{
    std::string out = "Report " + str(r, "report");
    const std::string from = str(r, "from");
    const std::string until = str(r, "until");
    if (!from.empty() || !until.empty())
        out += " · " + (from.empty() ? std::string("the start") : format_time(from)) + " → " +
               (until.empty() ? std::string("now") : format_time(until));
    out += "\n";
    const auto& rows = arr(r, "rows");
    if (rows.empty()) {
        out += "No rows.\n";
    } else {
        // Columns in first-seen order over every row.
        std::vector<std::string> keys;
        for (const auto& row : rows)
            for (const auto& kv : as_obj(row))
                if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end())
                    keys.emplace_back(kv.key());
        std::vector<std::vector<std::string>> cells;
        for (const auto& row : rows) {
            std::vector<std::string> line;
            for (const auto& k : keys) {
                const auto* v = field(as_obj(row), k);
                line.push_back(v ? report_cell(k, *v) : std::string());
            }
            cells.push_back(std::move(line));
        }
        std::vector<std::string> header;
        for (const auto& k : keys)
            header.push_back(report_header(k));
        out += table(header, cells);
    }
    const auto& summary = obj(r, "summary");
    if (!summary.empty()) {
        out += "Summary:\n";
        for (const auto& kv : summary)
            out += "  " + report_name(kv.key()) + ": " + report_cell(kv.key(), kv.value()) + "\n";
    }
    return out;
}

std::string audit_verify_text(const json::object& v)
{
    const auto* ok = field(v, "ok");
    if (!ok || !ok->is_bool() || !ok->get_bool()) {
        const auto at = str(v, "first_bad");
        return "✗ Audit log broken" + (at.empty() ? std::string() : " at event " + at) + ": " + str(v, "problem") + "\n";
    }
    const auto* keyed = field(v, "keyed");
    const bool has_key = keyed && keyed->is_bool() && keyed->get_bool();
    std::string out = "✓ Audit log intact: " + str(v, "events") + " events, every " + (has_key ? "keyed " : "") +
                      "hash links to the one before.\n";
    if (keyed && !has_key)
        out += "  Not keyed yet: checkpointd seals it with its audit key when it next starts.\n";
    if (const auto sealed = str(v, "sealed_before_key"); !sealed.empty() && sealed != "0")
        out += "  Events 1 to " + sealed + " were written before the key and sealed with it.\n";
    if (const auto& a = obj(v, "anchor"); !a.empty()) {
        const auto to = str(a, "posted_to");
        out += "  It holds its last anchor: event " + str(a, "seq") + " at " + format_time(str(a, "at")) +
               (to == "log" ? " (in the log)" : ", posted to " + to) + ".\n";
    }
    return out;
}

std::string audit_anchor_text(const json::object& answer)
{
    const auto& a = obj(answer, "anchor");
    const auto to = str(a, "posted_to");
    const auto keyed = str(a, "keyed_hash");
    const auto hash = keyed.empty() ? str(a, "hash") : keyed;
    return "✓ Audit log anchored at event " + str(a, "seq") + ", " + format_time(str(a, "at")) + "; " +
           (to == "log" ? std::string("recorded and logged (checkpoint.yaml names no security channel)")
                        : "posting to " + to) +
           ".\n  " + (keyed.empty() ? "Hash: " : "Keyed hash: ") + hash + "\n  Later, `checkpoint audit verify --anchor " + str(a, "seq") + ":" + hash +
           "` checks the log still holds it.\n";
}

std::string audit_events_table(const json::array& events)
{
    if (events.empty())
        return "No audit events match.\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : events) {
        const auto& e = as_obj(v);
        rows.push_back({str(e, "seq"), format_time(str(e, "at")), str(e, "actor"), str(e, "action"),
                        str(e, "petition"), str(e, "rule"), str(e, "why")});
    }
    return table({"SEQ", "AT", "ACTOR", "ACTION", "PETITION", "RULE", "WHY"}, rows);
}

std::string tokens_table(const json::array& tokens)
{
    if (tokens.empty())
        return "No tokens. Create one with: checkpoint tokens create NAME --scopes requests\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : tokens) {
        const auto& t = as_obj(v);
        const auto* p = field(t, "person");
        std::string who = p && p->is_object() ? person(p->get_object()) : str(t, "person");
        std::string scopes;
        for (const auto& s : arr(t, "scopes"))
            scopes += (scopes.empty() ? "" : ",") + scalar_text(s);
        const auto expires = str(t, "expires_at");
        rows.push_back({str(t, "id"), str(t, "name"), str(t, "kind"), who, scopes, format_time(str(t, "created_at")),
                        expires.empty() ? "never" : format_time(expires), format_time(str(t, "revoked_at"))});
    }
    return table({"ID", "NAME", "KIND", "PERSON", "SCOPES", "CREATED", "EXPIRES", "REVOKED"}, rows);
}

std::string token_created_text(const json::object& t)
{
    std::string scopes;
    for (const auto& s : arr(t, "scopes"))
        scopes += (scopes.empty() ? "" : ", ") + scalar_text(s);
    std::string out = "✓ Token " + str(t, "id") + " created: " + str(t, "name") + " (" + str(t, "kind");
    const auto* p = field(t, "person");
    if (p && p->is_object())
        out += " for " + person(p->get_object());
    else if (auto id = str(t, "person"); !id.empty())
        out += " for " + id;
    const auto expires = str(t, "expires_at");
    out += ", scopes " + scopes + ", " + (expires.empty() ? "does not expire" : "expires " + format_time(expires)) +
           ")\n\n  " + str(t, "token") + "\n\nKeep it now: it is shown only this once. Use it as CHECKPOINT_TOKEN.\n";
    return out;
}

std::string resources_table(const json::array& resources)
{
    if (resources.empty())
        return "No resources match. Upload some with: checkpoint resources upload FILE --kind customer\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : resources) {
        const auto& r = as_obj(v);
        std::string labels;
        for (const auto& kv : obj(r, "labels"))
            labels += (labels.empty() ? "" : " ") + clean(kv.key()) + "=" + scalar_text(kv.value());
        rows.push_back({str(r, "kind"), str(r, "id"), str(r, "display_name"), labels});
    }
    return table({"KIND", "ID", "NAME", "LABELS"}, rows) + "Request one with: checkpoint request KIND:ID --duration D --reason \"…\"\n";
}

std::string upload_text(const json::object& answer, std::size_t sent)
{
    return "✓ Uploaded " + std::to_string(sent) + " resource" + (sent == 1 ? "" : "s") + " (" +
           str(answer, "upserted") + " created or updated)\n";
}

std::string sync_text(const json::object& answer, const std::string& kind)
{
    const auto jobs = str(answer, "jobs");
    if (jobs == "0" || jobs.empty())
        return "Nothing to sync: no resource kind is listed by a webhook integration in checkpoint.yaml.\n";
    return "✓ Sync queued for " + (kind.empty() ? std::string("every kind a webhook lists") : clean(kind)) + " (" + jobs +
           " job" + (jobs == "1" ? "" : "s") + "); `checkpoint resources list` shows the result once the receiver "
           "answers.\n";
}

std::string manifests_check_text(const json::object& c)
{
    const auto* ok = field(c, "ok");
    if (ok && ok->is_bool() && ok->get_bool())
        return "✓ Manifests in " + str(c, "dir") + " are valid: " + str(c, "bundles") + " bundles, " + str(c, "people") +
               " people.\n";
    const auto& errors = arr(c, "errors");
    std::string out = "✗ Manifests in " + str(c, "dir") + " have " + std::to_string(errors.size()) + " problem" +
                      (errors.size() == 1 ? "" : "s") + ":\n";
    for (const auto& e : errors) {
        const auto& o = as_obj(e);
        out += "  " + str(o, "file");
        if (auto line = str(o, "line"); !line.empty() && line != "0")
            out += ":" + line;
        out += ": ";
        if (auto f = str(o, "field"); !f.empty())
            out += f + ": ";
        out += str(o, "message") + "\n";
    }
    return out;
}

std::string copy_text(const json::object& c)
{
    std::string out = "✓ Copied " + std::to_string(c.at("rows").to_number<std::uint64_t>()) + " rows from " +
                      str(c, "from") + " to " + str(c, "to") + ":\n";
    for (const auto& t : c.at("tables").as_array())
        if (const auto& o = t.as_object(); o.at("rows").to_number<std::uint64_t>() > 0)
            out += "    " + str(o, "table") + ": " + std::to_string(o.at("rows").to_number<std::uint64_t>()) + "\n";
    const auto& a = c.at("audit").as_object();
    out += "✓ The copy's audit chain verifies: " + std::to_string(a.at("events").to_number<std::uint64_t>()) +
           " events" + (str(c, "key_source") == "none" ? std::string(" (unkeyed)")
                                                      : ", keyed with the key from " + str(c, "key_source")) + ".\n";
    out += "  Start checkpointd with CHECKPOINT_DB set to the PostgreSQL address and the same audit key.\n";
    return out;
}

std::string backup_text(const json::object& b)
{
    return "✓ Backed up " + str(b, "database") + " to " + str(b, "backup") + " (integrity check: " +
           str(b, "integrity") + ")\n";
}

std::string api_error_text(unsigned status, std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (!ec && v.is_object()) {
        const auto& e = obj(v.get_object(), "error");
        if (auto message = str(e, "message"); !message.empty())
            return "error: " + message + " (" + str(e, "code") + ", HTTP " + std::to_string(status) + ")";
    }
    return "error: the server answered HTTP " + std::to_string(status) + " without an error message";
}

std::string plain_numbers(std::string_view serialized)
{
    std::string out;
    out.reserve(serialized.size());
    bool in_string = false;
    for (std::size_t i = 0; i < serialized.size();) {
        const char c = serialized[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < serialized.size())
                out += serialized[++i];
            else if (c == '"')
                in_string = false;
            ++i;
            continue;
        }
        if (c == '"') {
            in_string = true;
            out += c;
            ++i;
            continue;
        }
        if (c != '-' && (c < '0' || c > '9')) {
            out += c;
            ++i;
            continue;
        }
        const auto end = serialized.find_first_not_of("+-0123456789.eE", i);
        const auto token = serialized.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
        i += token.size();
        double value = 0;
        char buf[400];
        if (token.find_first_of("eE") != std::string_view::npos &&
            std::from_chars(token.data(), token.data() + token.size(), value).ec == std::errc{}) {
            if (auto [p, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed); ec == std::errc{}) {
                out.append(buf, p);
                continue;
            }
        }
        out += token;
    }
    return out;
}

std::string json_line(const json::value& v) { return plain_numbers(json::serialize(v)) + "\n"; }

} // namespace checkpoint::cli

namespace checkpoint::cli {

namespace {

std::string people_list(const json::array& people)
{
    std::string out;
    for (const auto& v : people)
        out += (out.empty() ? "" : ", ") + (v.is_object() ? person(v.get_object()) : scalar_text(v));
    return out.empty() ? std::string("-") : out;
}

std::string short_hash(const json::object& version)
{
    auto h = str(version, "hash").substr(0, 12);
    auto c = str(version, "commit");
    return c.empty() ? h : h + " (commit " + c.substr(0, 12) + ")";
}

// The diff's lines: each changed bundle field and each move, under the one-line summary.
std::string changes_text(const json::object& changes)
{
    std::string out = "Changes: " + str(changes, "summary") + "\n";
    for (const auto& b : arr(changes, "bundles_changed"))
        for (const auto& f : arr(as_obj(b), "fields"))
            out += "  " + str(as_obj(b), "bundle") + "  " + str(as_obj(f), "field") + ": " + str(as_obj(f), "before") +
                   " → " + str(as_obj(f), "after") + "\n";
    for (const auto& m : arr(changes, "people_moved")) {
        const auto& p = as_obj(m);
        for (const auto* what : {"team", "manager"})
            if (const auto* c = field(p, what); c && c->is_object())
                out += "  " + str(p, "id") + " " + str(p, "name") + "  " + what + ": " + str(c->get_object(), "before") +
                       " → " + str(c->get_object(), "after") + "\n";
    }
    for (const auto& c : arr(changes, "identities_changed"))
        out += "  " + str(as_obj(c), "field") + ": " + str(as_obj(c), "before") + " → " + str(as_obj(c), "after") + "\n";
    for (const auto& id : arr(changes, "people_removed"))
        out += "  " + scalar_text(id) + "  leaves the directory\n";
    for (const auto& s : arr(changes, "settings_changed"))
        out += "  checkpoint.yaml  " + str(as_obj(s), "field") + ": " + str(as_obj(s), "before") + " → " +
               str(as_obj(s), "after") + "\n";
    return out;
}

} // namespace

std::string policy_preview_text(const json::object& p)
{
    return preview_text(p, "Policy preview of " + short_hash(obj(p, "version")) + " against the manifests in force, " +
                               short_hash(obj(p, "in_force")));
}

std::string preview_text(const json::object& p, const std::string& title)
{
    std::string out = title + "\n";
    out += changes_text(obj(p, "changes"));
    out += "\nReplayed " + scalar_text(*field(p, "replayed")) + " request(s) of the last " + str(p, "since") + ": " +
           scalar_text(*field(p, "decisions_changed")) + " decision(s) and " +
           scalar_text(*field(p, "reviewers_changed")) + " set(s) of reviewers would change.\n";
    const auto& targets = arr(p, "targets");
    if (!targets.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& v : targets) {
            const auto& t = as_obj(v);
            std::string shifts;
            for (const auto& s : arr(t, "shifts"))
                shifts += (shifts.empty() ? "" : ", ") + str(as_obj(s), "from") + " → " + str(as_obj(s), "to") + " (" +
                          scalar_text(*field(as_obj(s), "count")) + ")";
            rows.push_back({str(t, "target"), scalar_text(*field(t, "replayed")), shifts.empty() ? "-" : shifts,
                            scalar_text(*field(t, "reviewers_changed")), people_list(arr(t, "reviewers_added")),
                            people_list(arr(t, "reviewers_removed"))});
        }
        out += table({"TARGET", "REPLAYED", "DECISIONS", "REVIEWERS CHANGED", "ASKED NOW", "NO LONGER ASKED"}, rows);
    }
    if (const auto& ending = arr(p, "access_ending"); !ending.empty()) {
        out += "\nAccess that would end (its holder leaves the directory):\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& v : ending)
            rows.push_back({str(as_obj(v), "petition"), person(obj(as_obj(v), "requester")), str(as_obj(v), "target")});
        out += table({"REQUEST", "HOLDER", "TARGET"}, rows);
    }
    const auto& waiting = arr(p, "waiting");
    if (waiting.empty()) {
        out += "\nNo request waiting now would re-route.\n";
        return out;
    }
    out += "\nWaiting now, and what the change would do to them:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : waiting) {
        const auto& w = as_obj(v);
        std::string outcome = str(w, "outcome");
        if (outcome == "withdrawn")
            outcome += ": " + str(w, "reason");
        rows.push_back({str(w, "petition"), str(w, "requester"), str(w, "target"),
                        std::string(field(w, "extension") && field(w, "extension")->is_bool() &&
                                            field(w, "extension")->get_bool()
                                        ? "extension, "
                                        : "") + str(w, "step"),
                        people_list(arr(w, "waiting_before")), people_list(arr(w, "waiting_after")), outcome});
    }
    out += table({"REQUEST", "REQUESTER", "TARGET", "STEP", "WAITS ON NOW", "WOULD WAIT ON", "OUTCOME"}, rows);
    return out;
}

std::string manifests_reload_text(const json::object& r)
{
    const auto* changed = field(r, "changed");
    if (!changed || !changed->is_bool() || !changed->get_bool())
        return "✓ The manifests " + short_hash(obj(r, "version")) + " are in force already; nothing changed.\n";
    std::string out = "✓ Manifests " + short_hash(obj(r, "version")) + " in force (were " +
                      short_hash(obj(r, "previous")) + ").\n" + changes_text(obj(r, "changes"));
    return out + effects_text(r);
}

std::string directory_import_text(const json::object& r)
{
    const auto* changed = field(r, "changed");
    const auto people = field(r, "people") ? scalar_text(*field(r, "people")) : std::string("0");
    if (!changed || !changed->is_bool() || !changed->get_bool())
        return "✓ Imported " + people + " people; the directory was already so: nothing changed.\n";
    std::string out = "✓ Imported " + people + " people.\n" + changes_text(obj(r, "changes"));
    return out + effects_text(r);
}

std::string effects_text(const json::object& r)
{
    const auto& rerouted = arr(r, "rerouted");
    std::string out = std::to_string(rerouted.size()) + " waiting request(s) re-routed or withdrawn";
    for (const auto& v : rerouted)
        out += (&v == &rerouted.front() ? ": " : ", ") + str(as_obj(v), "petition") + " (" + str(as_obj(v), "outcome") + ")";
    out += ".\n";
    if (const auto& ended = arr(r, "access_ended"); !ended.empty()) {
        out += std::to_string(ended.size()) + " grant(s) revoked, their holders no longer in the directory";
        for (const auto& v : ended)
            out += (&v == &ended.front() ? ": " : ", ") + str(as_obj(v), "petition") + " (" + str(as_obj(v), "requester") +
                   ", " + str(as_obj(v), "target") + ")";
        out += ".\n";
    }
    for (const auto& f : arr(r, "failures"))
        out += "! " + scalar_text(f) + "\n";
    return out;
}

} // namespace checkpoint::cli
