#include "workflow/petition_json.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace checkpoint::workflow {

namespace json = boost::json;

std::int64_t to_millis(workflow::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

workflow::time_point from_millis(std::int64_t ms)
{
    return workflow::time_point(std::chrono::duration_cast<workflow::time_point::duration>(std::chrono::milliseconds(ms)));
}

namespace {

// The body keeps the clock's own ticks so a petition reads back exactly as it was written.
std::int64_t ticks(workflow::time_point t) { return static_cast<std::int64_t>(t.time_since_epoch().count()); }
workflow::time_point from_ticks(std::int64_t n) { return workflow::time_point(workflow::time_point::duration(n)); }

// The enum value whose name() is `s`, among the values below `count`.
template <class E, int count>
E parse_enum(std::string_view s)
{
    for (int i = 0; i < count; ++i)
        if (name(static_cast<E>(i)) == s)
            return static_cast<E>(i);
    throw std::invalid_argument("unknown value \"" + std::string(s) + "\"");
}

json::array strings(const std::vector<std::string>& v)
{
    json::array a;
    for (const auto& s : v)
        a.emplace_back(s);
    return a;
}

std::vector<std::string> strings(const json::value& v)
{
    std::vector<std::string> out;
    for (const auto& s : v.as_array())
        out.emplace_back(s.as_string());
    return out;
}

std::string str(const json::object& o, std::string_view k) { return std::string(o.at(k).as_string()); }
std::int64_t num(const json::object& o, std::string_view k) { return o.at(k).to_number<std::int64_t>(); }
std::size_t size(const json::object& o, std::string_view k) { return o.at(k).to_number<std::size_t>(); }
workflow::duration secs(const json::object& o, std::string_view k) { return workflow::duration(num(o, k)); }

json::object to_json(const workflow::route& r)
{
    json::array steps;
    for (const auto& s : r.steps) {
        json::array reviewers;
        for (const auto& rv : s.reviewers)
            reviewers.emplace_back(json::object{{"person_id", rv.person_id}, {"name", rv.name}, {"reason", rv.reason}});
        json::object step{{"kind", name(s.kind)},
                          {"name", s.name},
                          {"reviewers", std::move(reviewers)},
                          {"min_approvals", s.min_approvals},
                          {"assign", name(s.assign)},
                          {"channels", strings(s.channels)},
                          {"fallback", s.fallback}};
        // Only escalated steps carry it, so bodies stored before it existed read the same.
        if (!s.escalated.empty())
            step["escalated"] = s.escalated;
        if (s.start != 0)
            step["start"] = s.start;
        steps.emplace_back(std::move(step));
    }
    return json::object{{"outcome", name(r.outcome)},
                        {"requester_id", r.requester_id},
                        {"requester_name", r.requester_name},
                        {"target", r.target},
                        {"is_resource", r.is_resource},
                        {"target_name", r.target_name},
                        {"owner_team", r.owner_team},
                        {"platform_team", r.platform_team},
                        {"risk", name(r.level)},
                        {"length", r.length.count()},
                        {"cell", name(r.cell)},
                        {"applied", name(r.applied)},
                        {"rule_reason", r.rule_reason},
                        {"notes", strings(r.notes)},
                        {"steps", std::move(steps)},
                        {"notify_channels", strings(r.notify_channels)},
                        {"integration", r.integration},
                        {"pending_after", r.pending_after.count()},
                        {"escalate_after", r.escalate_after.count()},
                        {"expiring_before", r.expiring_before.count()}};
}

workflow::route route_from(const json::object& o)
{
    workflow::route r;
    r.outcome = parse_enum<workflow::route_outcome, workflow::route_outcome_count>(o.at("outcome").as_string());
    r.requester_id = str(o, "requester_id");
    r.requester_name = str(o, "requester_name");
    r.target = str(o, "target");
    r.is_resource = o.at("is_resource").as_bool();
    r.target_name = o.contains("target_name") ? str(o, "target_name") : std::string(); // absent before it was kept
    r.owner_team = str(o, "owner_team");
    r.platform_team = str(o, "platform_team");
    r.level = parse_enum<workflow::risk, 4>(o.at("risk").as_string());
    r.length = secs(o, "length");
    r.cell = parse_enum<workflow::approval_rule, 4>(o.at("cell").as_string());
    r.applied = parse_enum<workflow::approval_rule, 4>(o.at("applied").as_string());
    r.rule_reason = str(o, "rule_reason");
    r.notes = strings(o.at("notes"));
    for (const auto& sv : o.at("steps").as_array()) {
        const auto& so = sv.as_object();
        workflow::route_step s;
        s.kind = parse_enum<workflow::step_kind, 5>(so.at("kind").as_string());
        s.name = str(so, "name");
        for (const auto& rv : so.at("reviewers").as_array()) {
            const auto& ro = rv.as_object();
            s.reviewers.push_back({str(ro, "person_id"), str(ro, "name"), str(ro, "reason")});
        }
        s.min_approvals = size(so, "min_approvals");
        s.assign = parse_enum<workflow::assign_mode, 2>(so.at("assign").as_string());
        s.channels = strings(so.at("channels"));
        s.fallback = str(so, "fallback");
        if (auto* e = so.if_contains("escalated"); e && e->is_string())
            s.escalated = std::string(e->get_string());
        if (so.contains("start"))
            s.start = size(so, "start");
        r.steps.push_back(std::move(s));
    }
    r.notify_channels = strings(o.at("notify_channels"));
    r.integration = str(o, "integration");
    r.pending_after = secs(o, "pending_after");
    r.escalate_after = secs(o, "escalate_after");
    r.expiring_before = secs(o, "expiring_before");
    return r;
}

json::object to_json(const workflow::approval_progress& p)
{
    return json::object{{"step", p.step}, {"approvals", strings(p.approvals)}, {"assigned", p.assigned}};
}

workflow::approval_progress progress_from(const json::object& o)
{
    return workflow::approval_progress{size(o, "step"), strings(o.at("approvals")), size(o, "assigned")};
}

json::value optional_time(const std::optional<workflow::time_point>& t)
{
    return t ? json::value(ticks(*t)) : json::value(nullptr);
}

std::optional<workflow::time_point> optional_time(const json::object& o, std::string_view k)
{
    const auto& v = o.at(k);
    if (v.is_null())
        return std::nullopt;
    return from_ticks(v.to_number<std::int64_t>());
}

} // namespace

std::optional<workflow::petition_state> parse_petition_state(std::string_view s)
{
    for (int i = 0; i <= static_cast<int>(workflow::petition_state::failed); ++i)
        if (name(static_cast<workflow::petition_state>(i)) == s)
            return static_cast<workflow::petition_state>(i);
    return std::nullopt;
}

std::string petition_to_json(const workflow::petition& p)
{
    json::array decisions;
    for (const auto& d : p.decisions) {
        json::object o{{"by", d.by}, {"step", d.step}, {"approved", d.approved}, {"at", ticks(d.at)}};
        if (!d.reason.empty())
            o["reason"] = d.reason; // only when said: bodies written before it read the same
        if (d.granted)
            o["granted"] = d.granted->count();
        decisions.emplace_back(std::move(o));
    }
    json::value extension = nullptr;
    if (p.pending_extension)
        extension = json::object{{"added", p.pending_extension->added.count()},
                                 {"reason", p.pending_extension->reason},
                                 {"route", to_json(p.pending_extension->route)},
                                 {"progress", to_json(p.pending_extension->progress)},
                                 {"requested_at", ticks(p.pending_extension->requested_at)}};
    json::object o{{"id", p.id},
                   {"route", to_json(p.route)},
                   {"reason", p.reason},
                   {"ticket", p.ticket},
                   {"state", name(p.state)},
                   {"progress", to_json(p.progress)},
                   {"created_at", ticks(p.created_at)},
                   {"active_since", optional_time(p.active_since)},
                   {"ends_at", optional_time(p.ends_at)},
                   {"pending_extension", std::move(extension)},
                   {"review_pending", p.review_pending},
                   {"decisions", std::move(decisions)},
                   {"closed_by", p.closed_by},
                   {"close_reason", p.close_reason},
                   {"version", p.version}};
    if (!p.filed_by.empty())
        o["filed_by"] = p.filed_by;
    if (p.asked_length)
        o["asked_length"] = p.asked_length->count();
    return json::serialize(o);
}

workflow::result<workflow::petition> petition_from_json(std::string_view text)
{
    try {
        const auto v = json::parse(text);
        const auto& o = v.as_object();
        workflow::petition p;
        p.id = str(o, "id");
        p.route = route_from(o.at("route").as_object());
        p.reason = str(o, "reason");
        p.ticket = str(o, "ticket");
        auto state = parse_petition_state(o.at("state").as_string());
        if (!state)
            throw std::invalid_argument("unknown state");
        p.state = *state;
        p.progress = progress_from(o.at("progress").as_object());
        p.created_at = from_ticks(num(o, "created_at"));
        p.active_since = optional_time(o, "active_since");
        p.ends_at = optional_time(o, "ends_at");
        if (const auto& x = o.at("pending_extension"); !x.is_null()) {
            const auto& xo = x.as_object();
            p.pending_extension = workflow::extension{secs(xo, "added"), str(xo, "reason"),
                                                      route_from(xo.at("route").as_object()),
                                                      progress_from(xo.at("progress").as_object()),
                                                      xo.contains("requested_at") ? from_ticks(num(xo, "requested_at"))
                                                                                  : workflow::time_point{}};
        }
        p.review_pending = o.at("review_pending").as_bool();
        for (const auto& dv : o.at("decisions").as_array()) {
            const auto& d = dv.as_object();
            p.decisions.push_back({str(d, "by"), str(d, "step"), d.at("approved").as_bool(), from_ticks(num(d, "at")),
                                   d.contains("reason") ? str(d, "reason") : std::string()});
            if (d.contains("granted"))
                p.decisions.back().granted = workflow::duration{num(d, "granted")};
        }
        p.closed_by = str(o, "closed_by");
        p.close_reason = str(o, "close_reason");
        if (o.contains("filed_by"))
            p.filed_by = str(o, "filed_by");
        p.version = o.at("version").to_number<std::uint64_t>();
        if (o.contains("asked_length"))
            p.asked_length = workflow::duration{num(o, "asked_length")};
        return p;
    } catch (const std::exception& e) {
        return workflow::error{"corrupt_petition", std::string("a stored petition cannot be read: ") + e.what()};
    }
}

} // namespace checkpoint::workflow
