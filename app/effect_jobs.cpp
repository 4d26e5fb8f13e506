#include "app/effect_jobs.hpp"

#include "workflow/petition_json.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace checkpoint::app {

using workflow::from_millis;
using workflow::parse_petition_state;
using workflow::petition_from_json;
using workflow::petition_to_json;
using workflow::to_millis;

std::string_view name(workflow::effect_kind k)
{
    using enum workflow::effect_kind;
    switch (k) {
    case notify_person: return "notify_person";
    case notify_channel: return "notify_channel";
    case post_card: return "post_card";
    case update_cards: return "update_cards";
    case provision: return "provision";
    case release: return "release";
    case schedule_expiry: return "schedule_expiry";
    case cancel_expiry: return "cancel_expiry";
    case schedule_reminder: return "schedule_reminder";
    }
    return "update_cards";
}

// Every key of a petition's jobs starts with its id, so they sit together in the key index.
std::string expiry_key(std::string_view petition_id) { return std::string(petition_id) + "/expire"; }

std::string reminder_key(std::string_view petition_id, std::size_t step, workflow::notice what)
{
    return std::string(petition_id) + "/remind/" + std::to_string(step) + "/" + std::string(name(what));
}

std::string message_lane(std::string_view destination) { return "to/" + std::string(destination); }

std::string revoke_key(std::string_view person, std::string_view entitlement, std::string_view petition_id)
{
    return "revoke/" + std::string(person) + "/" + std::string(entitlement) + "/" + std::string(petition_id);
}

workflow::petition_write plan_write(const workflow::transition& t, workflow::audit_event audit,
                                    workflow::time_point now)
{
    const auto& p = t.petition;
    workflow::petition_write w{p, std::move(audit), {}, {}, {}, {}};
    std::size_t index = 0;
    for (const auto& e : t.effects) {
        const auto payload = encode(effect_payload{p.id, p.version, std::string(name(e.kind)), std::string(name(e.what)),
                                                   e.what, e.to, e.step, e.at});
        const auto once = p.id + "/v" + std::to_string(p.version) + "/" + std::to_string(index++);
        switch (e.kind) {
        case workflow::effect_kind::schedule_expiry:
            w.jobs.push_back(job(job_kind::expire, expiry_key(p.id), payload, e.at, workflow::on_duplicate::replace));
            break;
        case workflow::effect_kind::schedule_reminder:
            w.jobs.push_back(
                job(job_kind::remind, reminder_key(p.id, e.step, e.what), payload, e.at, workflow::on_duplicate::replace));
            break;
        case workflow::effect_kind::cancel_expiry:
            w.cancel_jobs.push_back(expiry_key(p.id));
            w.cancel_jobs.push_back(reminder_key(p.id, 0, workflow::notice::expiring));
            break;
        case workflow::effect_kind::release:
            w.releases.push_back(
                {e.to, p.entitlement(), p.id, revoke_job(e.to, p.entitlement(), p.id, now)});
            break;
        case workflow::effect_kind::notify_person:
        case workflow::effect_kind::notify_channel:
        case workflow::effect_kind::post_card:
        case workflow::effect_kind::update_cards:
        case workflow::effect_kind::provision:
            // Effects carried out at once are the job kind of the same name (tests/bot/outbox_test.cpp).
            w.jobs.push_back(job(*parse_job_kind(name(e.kind)), once, payload, now));
            // Messages to one person or channel share a lane: they go out in the order the changes happened.
            if (e.kind != workflow::effect_kind::update_cards && e.kind != workflow::effect_kind::provision)
                w.jobs.back().lane = message_lane(e.to);
            break;
        }
    }
    return w;
}

namespace {

// The audit record's rule: how the request was let through ("break_glass", "override"), else the matrix rule.
std::string rule_of(const workflow::route& r)
{
    if (r.outcome == workflow::route_outcome::break_glass || r.outcome == workflow::route_outcome::override_grant)
        return std::string(name(r.outcome));
    return std::string(name(r.applied));
}

} // namespace

workflow::audit_event filing_audit(const workflow::petition& p, const workflow::origin& via)
{
    const auto rule = rule_of(p.route);
    return workflow::audit_event{p.requester(),
                                 "file",
                                 p.created_at,
                                 p.reason,
                                 rule,
                                 p.id,
                                 boost::json::serialize(boost::json::object{{"version", p.version},
                                                                            {"state", name(p.state)},
                                                                            {"target", p.entitlement()},
                                                                            {"outcome", name(p.route.outcome)},
                                                                            {"rule_reason", p.route.rule_reason},
                                                                            {"ticket", p.ticket}}),
                                 via};
}

workflow::audit_event transition_audit(const workflow::event& e, const workflow::petition& after)
{
    const auto rule = rule_of(after.route);
    return workflow::audit_event{e.by.empty() ? std::string("checkpoint") : e.by,
                                 std::string(name(e.kind)),
                                 e.at,
                                 e.reason.empty() ? after.close_reason : e.reason,
                                 rule,
                                 after.id,
                                 boost::json::serialize(boost::json::object{{"version", after.version},
                                                                            {"state", name(after.state)},
                                                                            {"step", after.progress.step}}),
                                 e.via};
}

workflow::job_spec revoke_job(std::string_view person, std::string_view entitlement, std::string_view petition_id,
                              workflow::time_point now)
{
    return job(job_kind::revoke, revoke_key(person, entitlement, petition_id),
               encode(revoke_payload{std::string(person), std::string(entitlement), std::string(petition_id)}), now);
}

namespace {

// A petition's route names a few dozen reviewers at most; more is a directory mistake, not a reason
// to publish hundreds of Home tabs for one click.
constexpr std::size_t max_people_per_change = 50;

} // namespace

workflow::job_spec home_job_for_slack_user(std::string_view slack_user_id, workflow::time_point now)
{
    return job(job_kind::publish_home, "home/slack/" + std::string(slack_user_id),
               encode(home_payload{"", std::string(slack_user_id)}), now, workflow::on_duplicate::replace);
}

workflow::job_spec home_job_for_person(std::string_view person_id, workflow::time_point now)
{
    return job(job_kind::publish_home, "home/person/" + std::string(person_id),
               encode(home_payload{std::string(person_id), ""}), now, workflow::on_duplicate::replace);
}

void add_home_jobs(std::vector<workflow::job_spec>& jobs, const workflow::petition* before,
                   const workflow::petition& after, workflow::time_point now)
{
    auto people = workflow::people_concerned(after);
    if (before)
        for (auto& person : workflow::people_concerned(*before))
            if (std::find(people.begin(), people.end(), person) == people.end())
                people.push_back(std::move(person));
    if (people.size() > max_people_per_change)
        people.resize(max_people_per_change);
    for (const auto& person : people)
        jobs.push_back(home_job_for_person(person, now));
}

workflow::result<std::vector<workflow::job_spec>> deprecation_notice_jobs(const workflow::catalog& bundles,
                                                                          workflow::petition_store& petitions,
                                                                          workflow::time_point now)
{
    using st = workflow::petition_state;
    std::vector<workflow::job_spec> out;
    for (const auto& b : bundles.bundles()) {
        if (!b.deprecated)
            continue;
        for (const auto state : {st::approved, st::provisioning, st::active}) {
            workflow::request_log_query q;
            q.target = b.name;
            q.state = state;
            q.limit = 200;
            for (;;) {
                auto page = petitions.request_log(q);
                if (!page)
                    return page.error();
                for (const auto& p : page->petitions) {
                    const auto what = workflow::notice::deprecated;
                    auto j = job(job_kind::notify_person, "deprecated/" + b.name + "/" + p.id,
                                 encode(effect_payload{p.id, p.version, "notify_person", std::string(name(what)), what,
                                                       p.requester(), 0, now}),
                                 now);
                    j.lane = message_lane(p.requester());
                    out.push_back(std::move(j));
                }
                if (page->next.empty())
                    break;
                q.cursor = page->next;
            }
        }
    }
    return out;
}

} // namespace checkpoint::app
