#include "app/web_sessions.hpp"

#include "workflow/route.hpp"
#include "workflow/text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::app {

std::string_view name(sign_in_via v)
{
    switch (v) {
    case sign_in_via::slack: return "slack";
    case sign_in_via::trusted_header: return "trusted_header";
    case sign_in_via::dev: return "dev";
    }
    return "dev";
}

namespace {

workflow::audit_event web_event(std::string actor, std::string action, workflow::time_point now,
                                boost::json::object details)
{
    workflow::audit_event e;
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.at = now;
    e.details = boost::json::serialize(details);
    e.via = {"web", 0};
    return e;
}

} // namespace

std::variant<workflow::opened_session, sign_in_refusal> sign_in(workflow::session_store& sessions,
                                                                const workflow::directory& dir, std::string_view who,
                                                                sign_in_via via, workflow::time_point now)
{
    if (who.empty())
        return sign_in_refusal{"No one was named to sign in as."};
    const auto i = dir.find(who);
    if (i == workflow::no_person)
        return sign_in_refusal{"\"" + std::string(who.substr(0, 200)) +
                               "\" is not a person in Checkpoint's directory; ask the platform team to add you."};
    const auto& p = dir.at(i);
    workflow::web_session spec;
    spec.person_id = p.id;
    spec.via = std::string(name(via));
    spec.expires_at = now + web_session_life;
    auto opened = sessions.open(spec, now,
                                web_event(p.id, "web.signed_in", now,
                                          {{"subject", p.id}, {"via", spec.via},
                                           {"expires_at", workflow::format_utc(spec.expires_at)}}));
    if (!opened)
        throw workflow::error_exception(opened.error());
    return std::move(*opened);
}

std::string why_session_refused(const workflow::web_session& s, const workflow::directory& dir,
                                workflow::time_point now)
{
    if (s.ended_at)
        return "You signed out of this session; sign in again.";
    if (now >= s.expires_at)
        return "Your session ended at " + workflow::format_utc(s.expires_at) + "; sign in again.";
    if (dir.find(s.person_id) == workflow::no_person)
        return "You are no longer in Checkpoint's directory, so this session no longer works.";
    return {};
}

bool is_auditor(const workflow::settings& s, const workflow::directory& dir, std::string_view person_id,
                workflow::time_point now)
{
    const auto p = dir.find(person_id);
    return p != workflow::no_person && workflow::named_in(s.auditors, "the auditors", dir, p, now).has_value();
}

workflow::result<bool> sign_out(workflow::session_store& sessions, const workflow::web_session& s,
                                workflow::time_point now)
{
    return sessions.end(s.id, now, web_event(s.person_id, "web.signed_out", now, {{"subject", s.person_id}}));
}

} // namespace checkpoint::app
