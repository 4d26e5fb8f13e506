#include "app/access_denied.hpp"

#include "app/jobs.hpp"

#include <boost/json.hpp>

namespace checkpoint::app {

namespace {

// Of the bundles that grant it, those the person holds, is being granted, or has asked for and waits on:
// one indexed read per bundle (workflow::blocking_states), never their whole history.
workflow::result<std::set<std::string, std::less<>>> held_by(workflow::petition_store& petitions,
                                                            const std::string& person,
                                                            const std::vector<workflow::denied_match>& matches)
{
    std::set<std::string, std::less<>> held;
    for (const auto& m : matches) {
        auto open = petitions.open_for(person, m.bundle, workflow::blocking_states(false));
        if (!open)
            return open.error();
        if (*open)
            held.insert(m.bundle);
    }
    return held;
}

} // namespace

workflow::result<denied_answer> report_access_denied(const workflow::manifests& m, workflow::petition_store& petitions,
                                                     workflow::audit_log& audit, const denied_attempt& a,
                                                     const std::string& actor, const workflow::origin& via,
                                                     workflow::time_point now)
{
    const auto i = m.directory.find(a.person);
    if (i == workflow::no_person)
        return workflow::error{"unknown_person", "\"" + a.person.substr(0, 100) +
                                                     "\" is not in the directory; give a person's id, external id "
                                                     "or email."};
    const auto& person = m.directory.at(i);
    auto held = held_by(petitions, person.id, workflow::bundles_granting(m.catalog, a.entitlement, {}));
    if (!held)
        return held.error();
    denied_answer out;
    out.person_id = person.id;
    out.person_name = person.name;
    out.matches = workflow::bundles_granting(m.catalog, a.entitlement, *held);
    const workflow::denied_match* best = nullptr;
    if (!out.matches.empty() && !out.matches.front().held)
        best = &out.matches.front();
    if (best)
        out.suggested = best->bundle;

    boost::json::array names;
    for (const auto& mt : out.matches)
        names.push_back(boost::json::object{{"bundle", mt.bundle}, {"matched", mt.matched}, {"held", mt.held}});
    const workflow::audit_event event{actor,
                                      "access.denied",
                                      now,
                                      a.detail,
                                      "",
                                      "",
                                      boost::json::serialize(boost::json::object{
                                          {"subject", person.id},
                                          {"entitlement", a.entitlement},
                                          {"system", a.system},
                                          {"bundles", std::move(names)},
                                          {"suggested", best ? boost::json::value(best->bundle) : nullptr}}),
                                      via};
    if (!best) {
        if (auto r = audit.append(event); !r)
            return r.error();
        return out;
    }
    const auto hour = std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count();
    const auto hint = job(job_kind::post_access_hint,
                          "denied/" + person.id + "/" + best->bundle + "/" + std::to_string(hour),
                          encode(access_hint_payload{person.id, a.entitlement, a.system, best->bundle, best->matched, now}),
                          now);
    auto told = audit.append_once(event, hint, now);
    if (!told)
        return told.error();
    out.told = *told;
    // Told already this hour: the attempt is still recorded.
    if (!*told)
        if (auto r = audit.append(event); !r)
            return r.error();
    return out;
}

} // namespace checkpoint::app
