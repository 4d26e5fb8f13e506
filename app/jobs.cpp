#include "app/jobs.hpp"

#include "app/effect_jobs.hpp"
#include "workflow/petition_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <array>
#include <stdexcept>

namespace checkpoint::app {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 21> kind_names{
    "post_card",      "update_cards",   "notify_person", "notify_channel", "provision",
    "expire",         "remind",         "revoke",        "release",        "post_in_thread",
    "post_ephemeral", "update_view",    "publish_home",  "sync_resources", "anchor_audit",
    "post_audit_anchor", "post_token_notice", "check_demand", "post_demand_alert", "post_access_hint", "gave_up",
};
static_assert(kind_names.size() == std::size(all_job_kinds), "one name per job kind");

// Field readers for the conversions: a missing or mistyped field throws, and the job's reader says
// which job it was.
const json::object& object_of(const json::value& v)
{
    if (!v.is_object())
        throw std::invalid_argument("the payload is not a JSON object");
    return v.get_object();
}

std::string text(const json::object& o, std::string_view key, bool required = true)
{
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
        if (required)
            throw std::invalid_argument("the payload has no \"" + std::string(key) + "\"");
        return {};
    }
    if (!v->is_string())
        throw std::invalid_argument("\"" + std::string(key) + "\" is not a string");
    return std::string(v->get_string());
}

std::uint64_t number(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v)
        return 0;
    if (!v->is_number())
        throw std::invalid_argument("\"" + std::string(key) + "\" is not a number");
    return v->to_number<std::uint64_t>();
}

json::object object(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_object())
        throw std::invalid_argument("the payload has no object \"" + std::string(key) + "\"");
    return v->get_object();
}

template <class P>
workflow::result<P> read(const workflow::job& j)
{
    json::error_code ec;
    auto v = json::parse(j.payload, ec);
    if (ec)
        return workflow::error{"bad_payload", "job " + j.key + ": the payload is not JSON (" + ec.message() + ")"};
    try {
        return json::value_to<P>(v);
    } catch (const std::exception& e) {
        return workflow::error{"bad_payload", "job " + j.key + ": " + e.what()};
    }
}

} // namespace

void tag_invoke(const json::value_from_tag&, json::value& v, const effect_payload& p)
{
    v = json::object{{"petition_id", p.petition_id}, {"version", p.version}, {"effect", p.effect},
                     {"notice", p.notice},           {"to", p.to},           {"step", p.step},
                     {"at", workflow::to_millis(p.at)}};
}

effect_payload tag_invoke(const json::value_to_tag<effect_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    effect_payload p;
    p.petition_id = text(o, "petition_id");
    if (p.petition_id.empty())
        throw std::invalid_argument("the payload has no petition_id");
    p.version = number(o, "version");
    p.effect = text(o, "effect", false);
    p.notice = text(o, "notice", false);
    if (!p.notice.empty()) {
        auto what = workflow::parse_notice(p.notice);
        if (!what)
            throw std::invalid_argument("unknown notice '" + p.notice + "'");
        p.what = *what;
    }
    p.to = text(o, "to", false);
    p.step = static_cast<std::size_t>(number(o, "step"));
    p.at = workflow::from_millis(static_cast<std::int64_t>(number(o, "at")));
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const revoke_payload& p)
{
    v = json::object{{"person", p.person}, {"entitlement", p.entitlement}, {"petition_id", p.petition_id}};
}

revoke_payload tag_invoke(const json::value_to_tag<revoke_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    revoke_payload p{text(o, "person"), text(o, "entitlement"), text(o, "petition_id", false)};
    if (p.person.empty() || p.entitlement.empty())
        throw std::invalid_argument("the payload needs person and entitlement");
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const thread_payload& p)
{
    v = json::object{{"channel", p.channel}, {"message", p.message}};
}

thread_payload tag_invoke(const json::value_to_tag<thread_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    return {text(o, "channel"), object(o, "message")};
}

void tag_invoke(const json::value_from_tag&, json::value& v, const ephemeral_payload& p)
{
    v = json::object{{"channel", p.channel}, {"user", p.user}, {"message", p.message}};
}

ephemeral_payload tag_invoke(const json::value_to_tag<ephemeral_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    return {text(o, "channel"), text(o, "user"), object(o, "message")};
}

void tag_invoke(const json::value_from_tag&, json::value& v, const view_payload& p)
{
    v = json::object{{"view_id", p.view_id}, {"hash", p.hash}, {"view", p.view}};
}

view_payload tag_invoke(const json::value_to_tag<view_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    return {text(o, "view_id"), text(o, "hash", false), object(o, "view")};
}

void tag_invoke(const json::value_from_tag&, json::value& v, const home_payload& p)
{
    json::object o;
    if (!p.person.empty())
        o["person"] = p.person;
    if (!p.user.empty())
        o["user"] = p.user;
    v = std::move(o);
}

home_payload tag_invoke(const json::value_to_tag<home_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    home_payload p{text(o, "person", false), text(o, "user", false)};
    if (p.person.empty() && p.user.empty())
        throw std::invalid_argument("the payload needs person or user");
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const sync_payload& p)
{
    json::object o{{"kind", p.kind}};
    if (p.period)
        o["period"] = *p.period;
    v = std::move(o);
}

sync_payload tag_invoke(const json::value_to_tag<sync_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    sync_payload p{text(o, "kind"), std::nullopt};
    if (p.kind.empty())
        throw std::invalid_argument("the payload names no resource kind");
    if (const auto* period = o.if_contains("period")) {
        if (!period->is_int64())
            throw std::invalid_argument("\"period\" is not a whole number");
        p.period = period->as_int64();
    }
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const anchor_schedule_payload& p)
{
    v = json::object{{"every", p.every}, {"period", p.period}};
}

anchor_schedule_payload tag_invoke(const json::value_to_tag<anchor_schedule_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    anchor_schedule_payload p;
    for (auto [key, into] : {std::pair{"every", &p.every}, std::pair{"period", &p.period}}) {
        const auto* n = o.if_contains(key);
        if (!n || !n->is_int64())
            throw std::invalid_argument("\"" + std::string(key) + "\" is not a whole number");
        *into = n->as_int64();
    }
    if (p.every <= 0)
        throw std::invalid_argument("\"every\" must be positive");
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const anchor_payload& p)
{
    v = json::object{{"channel", p.channel}, {"id", p.id},           {"seq", p.seq},
                     {"hash", p.hash},       {"mac", p.mac},         {"at", workflow::to_millis(p.at)},
                     {"trigger", p.trigger}, {"by", p.by},           {"sealed", p.sealed}};
}

anchor_payload tag_invoke(const json::value_to_tag<anchor_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    anchor_payload p;
    p.channel = text(o, "channel");
    p.id = static_cast<std::int64_t>(number(o, "id"));
    p.seq = number(o, "seq");
    p.hash = text(o, "hash");
    p.mac = text(o, "mac", false);
    p.at = workflow::from_millis(static_cast<std::int64_t>(number(o, "at")));
    p.trigger = text(o, "trigger", false);
    p.by = text(o, "by", false);
    p.sealed = number(o, "sealed");
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const token_notice_payload& p)
{
    json::array scopes;
    for (const auto& s : p.scopes)
        scopes.emplace_back(s);
    v = json::object{{"channel", p.channel},
                     {"token_id", p.token_id},
                     {"name", p.name},
                     {"person", p.person},
                     {"by", p.by},
                     {"scopes", std::move(scopes)},
                     {"expires_at", p.expires_at ? json::value(workflow::to_millis(*p.expires_at)) : json::value(nullptr)},
                     {"at", workflow::to_millis(p.at)}};
}

token_notice_payload tag_invoke(const json::value_to_tag<token_notice_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    token_notice_payload p;
    p.channel = text(o, "channel");
    p.token_id = static_cast<std::int64_t>(number(o, "token_id"));
    p.name = text(o, "name");
    p.person = text(o, "person");
    p.by = text(o, "by");
    const auto* scopes = o.if_contains("scopes");
    if (!scopes || !scopes->is_array())
        throw std::invalid_argument("\"scopes\" is not an array");
    for (const auto& s : scopes->get_array()) {
        if (!s.is_string())
            throw std::invalid_argument("\"scopes\" holds something other than text");
        p.scopes.emplace_back(s.get_string());
    }
    if (const auto* e = o.if_contains("expires_at"); e && !e->is_null())
        p.expires_at = workflow::from_millis(static_cast<std::int64_t>(number(o, "expires_at")));
    p.at = workflow::from_millis(static_cast<std::int64_t>(number(o, "at")));
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const demand_check_payload& p)
{
    v = json::object{{"target", p.target}, {"risk", p.risk}, {"at", workflow::to_millis(p.at)}};
}

demand_check_payload tag_invoke(const json::value_to_tag<demand_check_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    return {text(o, "target"), text(o, "risk"), workflow::from_millis(static_cast<std::int64_t>(number(o, "at")))};
}

void tag_invoke(const json::value_from_tag&, json::value& v, const demand_alert_payload& p)
{
    v = json::object{{"channel", p.channel},
                     {"target", p.target},
                     {"risk", p.risk},
                     {"count", p.count},
                     {"before", p.before},
                     {"window_seconds", p.window_seconds},
                     {"baseline_seconds", p.baseline_seconds},
                     {"factor", p.factor},
                     {"min_requests", p.min_requests},
                     {"at", workflow::to_millis(p.at)}};
}

demand_alert_payload tag_invoke(const json::value_to_tag<demand_alert_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    demand_alert_payload p;
    p.channel = text(o, "channel");
    p.target = text(o, "target");
    p.risk = text(o, "risk");
    p.count = number(o, "count");
    p.before = number(o, "before");
    p.window_seconds = static_cast<std::int64_t>(number(o, "window_seconds"));
    p.baseline_seconds = static_cast<std::int64_t>(number(o, "baseline_seconds"));
    p.factor = number(o, "factor");
    p.min_requests = number(o, "min_requests");
    p.at = workflow::from_millis(static_cast<std::int64_t>(number(o, "at")));
    if (p.window_seconds <= 0 || p.baseline_seconds < p.window_seconds)
        throw std::invalid_argument("the window must be positive and the baseline at least as long");
    return p;
}

void tag_invoke(const json::value_from_tag&, json::value& v, const access_hint_payload& p)
{
    v = json::object{{"person", p.person},   {"entitlement", p.entitlement}, {"system", p.system},
                     {"bundle", p.bundle},   {"matched", p.matched},         {"at", workflow::to_millis(p.at)}};
}

access_hint_payload tag_invoke(const json::value_to_tag<access_hint_payload>&, const json::value& v)
{
    const auto& o = object_of(v);
    return {text(o, "person"),  text(o, "entitlement"), text(o, "system", false),
            text(o, "bundle"),  text(o, "matched", false),
            workflow::from_millis(static_cast<std::int64_t>(number(o, "at")))};
}

std::string_view name(job_kind k) { return kind_names[static_cast<std::size_t>(k)]; }

std::optional<job_kind> parse_job_kind(std::string_view s)
{
    for (auto k : all_job_kinds)
        if (name(k) == s)
            return k;
    return std::nullopt;
}

std::string encode(const effect_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const revoke_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const thread_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const ephemeral_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const view_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const home_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const sync_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const anchor_schedule_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const anchor_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const token_notice_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const demand_check_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const demand_alert_payload& p) { return json::serialize(json::value_from(p)); }
std::string encode(const access_hint_payload& p) { return json::serialize(json::value_from(p)); }

workflow::result<effect_payload> effect_of(const workflow::job& j) { return read<effect_payload>(j); }
workflow::result<revoke_payload> revoke_of(const workflow::job& j) { return read<revoke_payload>(j); }
workflow::result<thread_payload> thread_of(const workflow::job& j) { return read<thread_payload>(j); }
workflow::result<ephemeral_payload> ephemeral_of(const workflow::job& j) { return read<ephemeral_payload>(j); }
workflow::result<view_payload> view_of(const workflow::job& j) { return read<view_payload>(j); }
workflow::result<home_payload> home_of(const workflow::job& j) { return read<home_payload>(j); }
workflow::result<sync_payload> sync_of(const workflow::job& j) { return read<sync_payload>(j); }
workflow::result<anchor_schedule_payload> anchor_schedule_of(const workflow::job& j)
{
    return read<anchor_schedule_payload>(j);
}
workflow::result<anchor_payload> anchor_of(const workflow::job& j) { return read<anchor_payload>(j); }
workflow::result<token_notice_payload> token_notice_of(const workflow::job& j)
{
    return read<token_notice_payload>(j);
}

workflow::result<demand_check_payload> demand_check_of(const workflow::job& j) { return read<demand_check_payload>(j); }
workflow::result<demand_alert_payload> demand_alert_of(const workflow::job& j) { return read<demand_alert_payload>(j); }
workflow::result<access_hint_payload> access_hint_of(const workflow::job& j) { return read<access_hint_payload>(j); }

workflow::job_spec job(job_kind kind, std::string key, std::string payload, workflow::time_point run_at,
                       workflow::on_duplicate duplicate)
{
    return {std::string(name(kind)), std::move(key), std::move(payload), run_at, duplicate};
}

} // namespace checkpoint::app
