#include "app/tokens.hpp"

#include "app/effect_jobs.hpp"
#include "app/jobs.hpp"
#include "workflow/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace checkpoint::app {

std::optional<scope> parse_scope(std::string_view s)
{
    for (auto sc : all_scopes)
        if (name(sc) == s)
            return sc;
    return std::nullopt;
}

std::string scope_names()
{
    std::string out;
    for (auto sc : all_scopes) {
        if (!out.empty())
            out += ", ";
        out += name(sc);
    }
    return out;
}

bool allows(const std::vector<std::string>& scopes, scope s)
{
    return std::any_of(scopes.begin(), scopes.end(),
                       [&](const std::string& t) { return t == name(s) || t == name(scope::admin); });
}

namespace {

// The token's lifetime from `r.expires`, or why it cannot be.
std::variant<std::optional<workflow::duration>, token_refusal> lifetime_of(const token_request& r)
{
    const bool personal = r.kind == "personal";
    const std::string longest = workflow::format_duration(max_personal_token_life);
    if (r.expires.empty())
        return personal ? std::optional(default_personal_token_life) : std::nullopt;
    if (r.expires == "never") {
        if (personal)
            return token_refusal{token_field::expires, "a personal token cannot live forever: give a duration up to " +
                                                           longest + " (the default is " +
                                                           workflow::format_duration(default_personal_token_life) +
                                                           ")."};
        return std::optional<workflow::duration>();
    }
    auto d = workflow::parse_duration(r.expires);
    const std::string forms = "a duration such as 30d or 90d" + std::string(personal ? "" : ", or \"never\"");
    if (!d)
        return token_refusal{token_field::expires, "\"" + r.expires.substr(0, 40) + "\" is not " + forms + "."};
    if (*d < min_token_life)
        return token_refusal{token_field::expires, "a token lives at least " +
                                                       workflow::format_duration(min_token_life) + "; give " + forms +
                                                       "."};
    if (personal && *d > max_personal_token_life)
        return token_refusal{token_field::expires,
                             "a personal token lives at most " + longest + ", not " + r.expires.substr(0, 40) + "."};
    return std::optional(*d);
}

std::optional<workflow::time_point> expiry(const token_plan& plan, workflow::time_point now)
{
    if (!plan.lifetime)
        return std::nullopt;
    return now + *plan.lifetime;
}

} // namespace

std::variant<token_plan, token_refusal> check_token_request(const token_request& r, const workflow::directory& dir)
{
    if (workflow::trim(r.name).empty() || r.name.size() > max_token_name_length)
        return token_refusal{token_field::name, "a token's name is 1 to " + std::to_string(max_token_name_length) +
                                                    " characters, such as \"ci-deploy\"."};
    if (r.kind != "service" && r.kind != "personal")
        return token_refusal{token_field::kind, "a token's kind is \"service\" or \"personal\", not \"" +
                                                    r.kind.substr(0, 20) + "\"."};
    if (r.scopes.empty())
        return token_refusal{token_field::scopes, "a token needs at least one scope of " + scope_names() + "."};
    for (const auto& s : r.scopes)
        if (!parse_scope(s))
            return token_refusal{token_field::scopes,
                                 "\"" + s.substr(0, 40) + "\" is not a scope; scopes are " + scope_names() + "."};
    auto life = lifetime_of(r);
    if (auto* no = std::get_if<token_refusal>(&life))
        return std::move(*no);
    const auto lifetime = std::get<std::optional<workflow::duration>>(life);
    if (r.kind == "service") {
        if (!r.person.empty())
            return token_refusal{token_field::person,
                                 "a person is only for personal tokens; a service token acts for no one."};
        return token_plan{"", lifetime};
    }
    if (r.person.empty())
        return token_refusal{token_field::person, "a personal token needs a person in the directory (an id such as "
                                                  "u-2001, an external id or an email)."};
    const auto i = dir.find(r.person);
    if (i == workflow::no_person)
        return token_refusal{token_field::person, "\"" + r.person.substr(0, 200) + "\" is not in the directory."};
    return token_plan{dir.at(i).id, lifetime};
}

workflow::result<workflow::new_token> create_token(workflow::token_store& tokens, const token_request& r,
                                                   const token_plan& plan, const token_maker& by,
                                                   workflow::time_point now)
{
    workflow::api_token spec;
    spec.name = r.name;
    spec.kind = r.kind;
    spec.person_id = plan.person_id;
    spec.scopes = r.scopes;
    spec.expires_at = expiry(plan, now);
    // Someone who makes a token that acts as another person could act as them: that is told where the
    // security team reads, and the audit names that person as the subject.
    const bool for_someone_else = !plan.person_id.empty() && plan.person_id != by.actor;
    boost::json::object details{{"kind", r.kind}, {"person", plan.person_id},
                                {"expires_at", spec.expires_at ? boost::json::value(workflow::format_utc(*spec.expires_at))
                                                               : boost::json::value(nullptr)}};
    if (!plan.person_id.empty())
        details["subject"] = plan.person_id;
    if (for_someone_else)
        details["announced_in"] = by.security_channel.empty() ? std::string("nowhere: checkpoint.yaml names no security channel")
                                                              : by.security_channel;
    workflow::token_store::teller tell;
    if (for_someone_else && !by.security_channel.empty())
        tell = [&](const workflow::api_token& t) -> std::optional<workflow::job_spec> {
            token_notice_payload n{by.security_channel, t.id, t.name, t.person_id, by.actor, t.scopes, t.expires_at, now};
            auto j = job(job_kind::post_token_notice, "token/" + std::to_string(t.id) + "/notice", encode(n), now);
            // In the order of everything else told in that channel.
            j.lane = message_lane(by.security_channel);
            return j;
        };
    return tokens.create(spec, now,
                         {by.actor, "token.create", now,
                          for_someone_else ? "token \"" + r.name + "\" created to act as " + plan.person_id
                                           : "token \"" + r.name + "\" created",
                          by.via.channel, "", boost::json::serialize(details), by.via},
                         tell);
}

workflow::result<bool> revoke_token(workflow::token_store& tokens, std::int64_t id, const token_maker& by,
                                    workflow::time_point now)
{
    const boost::json::object details{{"token_id", id}};
    return tokens.revoke(id, now,
                         {by.actor, "token.revoke", now, "token " + std::to_string(id) + " revoked", by.via.channel, "",
                          boost::json::serialize(details), by.via});
}

std::string why_token_refused(const workflow::api_token& t, const workflow::directory& dir, workflow::time_point now)
{
    if (t.revoked_at)
        return "The token \"" + t.name + "\" was revoked; ask an admin for a new one.";
    if (t.expires_at && now >= *t.expires_at)
        return "The token \"" + t.name + "\" expired at " + workflow::format_utc(*t.expires_at) +
               "; ask an admin for a new one (`checkpoint tokens create --expires 90d`).";
    if (t.kind == "personal" && dir.find(t.person_id) == workflow::no_person)
        return "The token \"" + t.name + "\" acts for " + t.person_id +
               ", who is no longer in the directory, so it no longer works.";
    return {};
}

boost::json::object token_json(const workflow::api_token& t, const std::string& secret)
{
    boost::json::array scopes;
    for (const auto& s : t.scopes)
        scopes.emplace_back(s);
    auto when = [](const std::optional<workflow::time_point>& at) {
        return at ? boost::json::value(workflow::format_utc(*at)) : boost::json::value(nullptr);
    };
    boost::json::object out{{"id", t.id},
                            {"name", t.name},
                            {"kind", t.kind},
                            {"person", t.person_id.empty() ? boost::json::value(nullptr) : boost::json::value(t.person_id)},
                            {"scopes", std::move(scopes)},
                            {"created_at", workflow::format_utc(t.created_at)},
                            {"last_used_at", when(t.last_used_at)},
                            {"revoked_at", when(t.revoked_at)},
                            {"expires_at", when(t.expires_at)}};
    if (!secret.empty())
        out["token"] = secret;
    return out;
}

} // namespace checkpoint::app
