#include "bot/api/api_json.hpp"

#include "app/catalog_admin.hpp"
#include "bot/integrations/event_json.hpp"
#include "workflow/duration.hpp"
#include "workflow/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <functional>

namespace checkpoint::bot::api {

namespace json = boost::json;

namespace {

json::value time_or_null(const std::optional<workflow::time_point>& t)
{
    if (!t)
        return nullptr;
    return json::value(rfc3339(*t));
}

json::object person_json(const std::string& id, const workflow::directory& dir)
{
    const auto i = dir.find(id);
    return json::object{{"id", id}, {"name", i == workflow::no_person ? id : dir.at(i).name}};
}

bool granted(workflow::petition_state s)
{
    using st = workflow::petition_state;
    return s == st::approved || s == st::provisioning || s == st::active || s == st::expired || s == st::revoked ||
           s == st::failed;
}

std::string_view step_state(const workflow::petition& p, std::size_t i)
{
    const auto& s = p.route.steps[i];
    if (s.kind == workflow::step_kind::break_glass_review)
        return p.review_pending ? "waiting" : "approved";
    if (i < p.progress.step)
        return "approved";
    if (i == p.progress.step && p.state == workflow::petition_state::pending)
        return "waiting";
    if (i == p.progress.step && p.state == workflow::petition_state::denied)
        return "denied";
    return granted(p.state) ? "approved" : "skipped";
}

json::array steps_json(const workflow::route& r, const std::function<std::string_view(std::size_t)>& state_of)
{
    json::array steps;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto& s = r.steps[i];
        json::array reviewers;
        for (const auto& rv : s.reviewers)
            reviewers.push_back(json::object{{"id", rv.person_id}, {"name", rv.name}, {"why", rv.reason}});
        json::object step{{"name", s.name},
                          {"kind", name(s.kind)},
                          {"min_approvals", s.min_approvals},
                          {"reviewers", std::move(reviewers)}};
        if (state_of)
            step["state"] = state_of(i);
        if (!s.fallback.empty())
            step["fallback"] = s.fallback;
        steps.push_back(std::move(step));
    }
    return steps;
}

// What a grant of the bundle gives, in the manifest's words (its provision params when it has none).
json::array entitlements_of(const workflow::bundle& b)
{
    json::array out;
    for (auto& line : workflow::entitlement_lines(b))
        out.push_back(json::value(std::move(line)));
    return out;
}

// What the integration is asked to grant: the provision params as `key: value`, one value each.
json::array provision_params_of(const workflow::bundle& b)
{
    json::array out;
    for (const auto& param : b.provision.params)
        for (const auto& v : param.values)
            out.push_back(json::value(param.key + ": " + v));
    return out;
}

} // namespace

std::string rfc3339(workflow::time_point t) { return workflow::format_utc(t); }

std::string_view outcome_name(workflow::route_outcome o)
{
    switch (o) {
    case workflow::route_outcome::auto_approved: return "auto_approved";
    case workflow::route_outcome::needs_approval: return "approval_required";
    case workflow::route_outcome::break_glass: return "break_glass";
    case workflow::route_outcome::override_grant: return "override";
    }
    return "approval_required";
}

json::object petition_json(const workflow::petition& p, const workflow::directory& dir, const std::string& display_name,
                           const workflow::bundle* bundle)
{
    const auto& r = p.route;
    json::object target;
    if (r.is_resource) {
        const auto colon = r.target.find(':');
        target = json::object{{"type", "resource"},
                              {"kind", r.target.substr(0, colon)},
                              {"id", colon == std::string::npos ? std::string() : r.target.substr(colon + 1)},
                              {"display_name", display_name.empty() ? r.target : display_name}};
    } else {
        target = json::object{{"type", "bundle"}, {"name", r.target}};
    }

    json::array decisions;
    std::optional<workflow::time_point> decided_at;
    for (const auto& d : p.decisions) {
        json::object o{{"by", person_json(d.by, dir)},
                       {"verdict", d.approved ? "approve" : "deny"},
                       {"step", d.step},
                       {"reason", !d.reason.empty() ? d.reason : d.approved ? std::string() : p.close_reason},
                       {"at", rfc3339(d.at)}};
        if (d.granted)
            o["granted_duration"] = workflow::format_duration(*d.granted);
        decisions.push_back(std::move(o));
        decided_at = d.at;
    }
    using st = workflow::petition_state;
    if ((p.state == st::cancelled || p.state == st::revoked) && !p.closed_by.empty())
        decisions.push_back(json::object{{"by", person_json(p.closed_by, dir)},
                                         {"verdict", p.state == st::cancelled ? "cancel" : "revoke"},
                                         {"reason", p.close_reason},
                                         {"at", nullptr}});
    // Auto-approved, break-glass and override petitions are decided when filed.
    if (!decided_at && p.state != st::pending && r.outcome != workflow::route_outcome::needs_approval)
        decided_at = p.created_at;

    json::object out{
        {"id", p.id},
        {"state", name(p.state)},
        {"requester", json::object{{"id", r.requester_id}, {"name", r.requester_name}}},
        {"target", std::move(target)},
        {"owner_team", r.owner_team},
        {"risk", name(r.level)},
        {"duration", workflow::format_duration(r.length)},
        {"duration_seconds", r.length.count()},
        // Set when a reviewer approved for less: what the requester asked for.
        {"asked_duration", p.asked_length ? json::value(workflow::format_duration(*p.asked_length)) : json::value(nullptr)},
        {"reason", p.reason},
        {"ticket", p.ticket.empty() ? json::value(nullptr) : json::value(p.ticket)},
        {"break_glass", r.outcome == workflow::route_outcome::break_glass},
        {"decision", json::object{{"outcome", outcome_name(r.outcome)}, {"why", r.rule_reason}}},
        {"steps", steps_json(r, [&](std::size_t i) { return step_state(p, i); })},
        {"decisions", std::move(decisions)},
        {"entitlements", bundle ? entitlements_of(*bundle) : json::array{json::value(r.target)}},
        {"provision_params", bundle ? provision_params_of(*bundle) : json::array{}},
        {"created_at", rfc3339(p.created_at)},
        {"decided_at", time_or_null(decided_at)},
        {"starts_at", time_or_null(p.active_since)},
        {"ends_at", time_or_null(p.ends_at)},
    };
    if (!r.notes.empty()) {
        json::array notes;
        for (const auto& n : r.notes)
            notes.push_back(json::value(n));
        out["notes"] = std::move(notes);
    }
    if (p.pending_extension) {
        const auto& e = *p.pending_extension;
        out["extension"] = json::object{
            {"duration", workflow::format_duration(e.added)},
            {"duration_seconds", e.added.count()},
            {"reason", e.reason},
            {"steps", steps_json(e.route,
                                 [&](std::size_t i) -> std::string_view {
                                     return i < e.progress.step ? "approved" : i == e.progress.step ? "waiting"
                                                                                                    : "skipped";
                                 })},
        };
    }
    return out;
}

json::object history_json(const workflow::bundle_history& h)
{
    json::array recent;
    for (const auto& r : h.recent)
        recent.push_back(json::object{{"person", r.person_name},
                                      {"duration", workflow::format_duration(r.length)},
                                      {"at", rfc3339(r.at)},
                                      {"state", name(r.state)}});
    const auto typical = workflow::typical_text(h);
    return json::object{
        {"days", std::chrono::duration_cast<std::chrono::hours>(app::history_window).count() / 24},
        {"requests", h.requests},
        {"granted", h.granted},
        {"typical", typical.empty() ? json::value(nullptr) : json::value(typical)},
        {"typical_durations", h.typical_low ? json::value(json::array{json::value(workflow::format_duration(*h.typical_low)),
                                                                      json::value(workflow::format_duration(*h.typical_high))})
                                            : json::value(nullptr)},
        {"median_time_to_approval_seconds",
         h.time_to_approval ? json::value(h.time_to_approval->count()) : json::value(nullptr)},
        {"recent", std::move(recent)}};
}

json::object bundle_json(const workflow::bundle& b)
{
    json::array durations;
    for (auto d : b.durations.choices)
        durations.push_back(json::value(workflow::format_duration(d)));
    if (durations.empty())
        durations.push_back(json::value(workflow::format_duration(b.durations.initial)));
    json::array channels;
    for (const auto& c : b.channels)
        channels.push_back(json::value(c));
    json::object out{{"name", b.name},
                     {"title", b.name},
                     {"description", b.description},
                     {"owner_team", b.owner_team},
                     {"risk", name(b.level)},
                     {"durations", std::move(durations)},
                     {"default_duration", workflow::format_duration(b.durations.initial)},
                     {"max_duration", workflow::format_duration(b.durations.max)},
                     {"entitlements", entitlements_of(b)},
                     {"provision_params", provision_params_of(b)},
                     {"channels", std::move(channels)},
                     {"break_glass", b.approval.break_glass},
                     {"deprecated", b.deprecated}};
    if (!b.successor.empty())
        out["successor"] = b.successor;
    return out;
}

json::object resource_json(const workflow::resource& r)
{
    json::value labels = json::object{};
    if (!r.labels.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(r.labels, ec);
        if (!ec && v.is_object())
            labels = std::move(v);
    }
    return json::object{{"kind", r.kind},
                        {"id", r.id},
                        {"display_name", r.display_name},
                        {"labels", std::move(labels)},
                        {"updated_at", rfc3339(r.updated_at)}};
}

json::object explain_json(const workflow::route& r)
{
    json::array notes;
    for (const auto& n : r.notes)
        notes.push_back(json::value(n));
    json::array lines;
    for (const auto& l : workflow::describe(r))
        lines.push_back(json::value(l));
    return json::object{{"bundle", r.target},
                        {"requester", json::object{{"id", r.requester_id}, {"name", r.requester_name}}},
                        {"risk", name(r.level)},
                        {"owner_team", r.owner_team},
                        {"duration", workflow::format_duration(r.length)},
                        {"duration_seconds", r.length.count()},
                        {"outcome", outcome_name(r.outcome)},
                        {"why", r.rule_reason},
                        {"notes", std::move(notes)},
                        {"steps", steps_json(r, {})},
                        {"lines", std::move(lines)}};
}

json::object audit_json(const workflow::audit_record& r)
{
    json::value details = json::object{};
    if (!r.event.details.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(r.event.details, ec);
        if (!ec)
            details = std::move(v);
    }
    return json::object{{"seq", r.seq},
                        {"at", rfc3339(r.event.at)},
                        {"actor", r.event.actor},
                        {"action", r.event.action},
                        {"petition", r.event.petition_id.empty() ? json::value(nullptr)
                                                                 : json::value(r.event.petition_id)},
                        {"why", r.event.reason},
                        {"rule", r.event.rule},
                        {"details", std::move(details)},
                        {"hash", r.hash}};
}

} // namespace checkpoint::bot::api
