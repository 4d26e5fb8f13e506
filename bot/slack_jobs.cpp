#include "bot/slack_jobs.hpp"
#include "bot/json_fields.hpp"

#include "blocks/app_home.hpp"
#include "blocks/approval_card.hpp"
#include "blocks/catalog_message.hpp"
#include "blocks/notifications.hpp"
#include "app/effect_jobs.hpp"
#include "app/jobs.hpp"
#include "bot/audit_anchors.hpp"
#include "bot/slack_identity.hpp"
#include "workflow/petition_json.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::bot {

namespace {

using app::effect_payload;

std::optional<workflow::duration> retry_delay(const slack_result& r)
{
    if (!r.retry_after)
        return std::nullopt;
    return std::chrono::ceil<workflow::duration>(*r.retry_after);
}

// ok -> done, retryable -> retry after Slack's (or the pacer's) wait, permanent -> failed. A retry
// after a call that may have landed tells the next attempt to look before posting again.
job_outcome outcome_of(const slack_result& r, const workflow::job& j, std::string_view what)
{
    if (r.error == slack_client::no_token_error) {
        // Said once at start-up; nothing here can ever be sent.
        spdlog::debug("slack job {} ({}): not sent, Slack calls are off: {}", j.key, j.kind, what);
        return job_outcome::done();
    }
    if (r.error == slack_client::paced_error && r.retry_after)
        return job_outcome::defer(std::chrono::ceil<workflow::duration>(*r.retry_after)); // waits for its slot
    switch (r.outcome) {
    case slack_outcome::ok: return job_outcome::done();
    case slack_outcome::retryable:
        return job_outcome::retry(std::string(what) + ": " + r.error, retry_delay(r), r.may_have_landed());
    case slack_outcome::permanent:
        spdlog::warn("slack job {} ({}) failed: {}: {}", j.key, j.kind, what, r.error);
        return job_outcome::failed(std::string(what) + ": " + r.error);
    }
    return job_outcome::failed(std::string(what) + ": " + r.error);
}

job_outcome lookup_failed(const slack_user_lookup& who, const workflow::job& j)
{
    if (who.failure && who.failure->error == slack_client::no_token_error)
        return outcome_of(*who.failure, j, who.why);
    if (who.failure && who.failure->outcome == slack_outcome::retryable)
        return job_outcome::retry(who.why, retry_delay(*who.failure));
    spdlog::warn("slack job {} ({}) failed: {}", j.key, j.kind, who.why);
    return job_outcome::failed(who.why);
}

// Points into `m`: keep the snapshot pinned while the context is used.
blocks::notice_context notice_context_for(const workflow::manifests& m, const workflow::petition& p)
{
    return {&m.directory, m.catalog.find(p.entitlement())};
}

// What a post carries in its metadata to be found again: the job's key, the part of the job (a
// recipient, when one job tells several people) and the job's life (a key revived later for a new
// reminder is a new life, so its post is a new message).
std::string delivery_key(const workflow::job& j, std::string_view part)
{
    const auto life = j.first_attempt_at
                          ? std::chrono::duration_cast<std::chrono::milliseconds>(j.first_attempt_at->time_since_epoch())
                                .count()
                          : 0;
    std::string key = j.key;
    if (!part.empty()) {
        key += '/';
        key += part;
    }
    return key + "@" + std::to_string(life);
}

class slack_jobs {
public:
    explicit slack_jobs(service_context& ctx) : ctx_(ctx) {}

    using petition_handler = job_outcome (slack_jobs::*)(const workflow::job&, const effect_payload&,
                                                         const workflow::petition&);

    // Reads the job's payload and the petition it names, then runs `handler`: an unreadable payload
    // will never read, so it fails for good; an unreadable petition is retried.
    job_outcome with_petition(const workflow::job& j, petition_handler handler)
    {
        auto pl = app::effect_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        auto p = ctx_.access.get(pl->petition_id);
        if (!p)
            return job_outcome::retry("reading " + pl->petition_id + ": " + p.error().message);
        return (this->*handler)(j, *pl, *p);
    }

    job_outcome post_card(const workflow::job& j, const effect_payload& pl, const workflow::petition& p)
    {
        const auto policy = ctx_.policy.now();
        const auto& dir = policy->directory;
        const auto to = dir.find(pl.to);
        const bool dm = to != workflow::no_person;
        const std::string recipient = dm ? dir.at(to).id : "";
        auto card = blocks::approval_card({p, blocks::card_kind_for(pl.what), pl.step, recipient, &dir});

        if (pl.what == workflow::notice::extension_requested && !p.pending_extension)
            return job_outcome::done(); // decided (or withdrawn) before its card's turn came: nothing to ask
        auto copies = ctx_.cards.for_petition(p.id);
        if (!copies)
            return job_outcome::retry("reading cards of " + p.id + ": " + copies.error().message);
        // An extension is a new round: its cards are new messages, so reviewers are notified, and the
        // copies posted before it was asked for keep what they said.
        const auto round_start = pl.what == workflow::notice::extension_requested && p.pending_extension
                                     ? p.pending_extension->requested_at
                                     : workflow::time_point{};
        const workflow::card_message* same = nullptr;    // this step's copy: an earlier attempt posted it
        const workflow::card_message* carried = nullptr; // a channel's copy of an earlier step
        for (const auto& c : *copies) {
            if (c.destination != pl.to || c.posted_at < round_start)
                continue;
            if (c.step == pl.step)
                same = &c;
            else if (!dm && c.step < pl.step && (!carried || c.step > carried->step))
                carried = &c;
        }
        if (same) {
            auto r = ctx_.slack.update_message(same->channel, same->ts, std::move(card));
            return outcome_of(r, j, "chat.update of the card already posted for " + p.id);
        }
        if (carried) {
            // A channel keeps one card through the steps: the next step takes over the message.
            auto r = ctx_.slack.update_message(carried->channel, carried->ts, std::move(card));
            if (!r.ok())
                return outcome_of(r, j, "chat.update of the channel card of " + p.id + " for its next step");
            if (auto rec = ctx_.cards.record({p.id, pl.step, pl.to, workflow::card_kind::channel, carried->channel,
                                              carried->ts, ctx_.clock.now(), pl.what});
                !rec)
                return job_outcome::retry("recording the channel card of " + p.id + ": " + rec.error().message);
            return job_outcome::done();
        }

        std::string channel = pl.to;
        if (dm) {
            auto who = slack_user_for_person(ctx_, recipient);
            if (!who.found())
                return lookup_failed(who, j);
            channel = who.slack_id;
        }
        auto posted = post_once(j, channel, card);
        const auto& r = posted.result;
        if (!r.ok())
            return outcome_of(r, j, "chat.postMessage of the card for " + p.id);
        if (posted.found_earlier) {
            // Posted by an attempt that died before recording it: the petition may have moved since
            // (its update_cards ran without this copy), so it is brought up to date first.
            auto u = ctx_.slack.update_message(r.channel().value_or(channel), r.ts().value_or(""), card);
            if (!u.ok())
                return outcome_of(u, j, "chat.update of the card an earlier attempt posted for " + p.id);
        }
        workflow::card_message m{p.id,
                                 pl.step,
                                 pl.to,
                                 dm ? workflow::card_kind::dm : workflow::card_kind::channel,
                                 r.channel().value_or(channel),
                                 r.ts().value_or(""),
                                 ctx_.clock.now(),
                                 pl.what};
        if (auto rec = ctx_.cards.record(m); !rec) {
            // Posted but not recorded: the retry finds the post by its delivery key and records it then.
            return job_outcome::retry("recording the card posted for " + p.id + " in " + m.channel + ": " +
                                          rec.error().message,
                                      std::nullopt, true);
        }
        return job_outcome::done();
    }

    job_outcome update_cards(const workflow::job& j, const effect_payload&, const workflow::petition& p)
    {
        auto copies = ctx_.cards.for_petition(p.id);
        if (!copies)
            return job_outcome::retry("reading cards of " + p.id + ": " + copies.error().message);

        const auto policy = ctx_.policy.now();
        std::vector<std::string> failures;
        for (const auto& c : *copies) {
            // A channel's card carried through the steps is recorded once per step: drawn for the last.
            if (std::any_of(copies->begin(), copies->end(), [&](const workflow::card_message& o) {
                    return o.channel == c.channel && o.ts == c.ts && o.step > c.step;
                }))
                continue;
            const std::string recipient = c.kind == workflow::card_kind::dm ? c.destination : "";
            auto card = blocks::approval_card(
                {p, blocks::card_kind_for(c.asked), c.step, recipient, &policy->directory});
            auto r = ctx_.slack.update_message(c.channel, c.ts, std::move(card));
            if (r.outcome == slack_outcome::retryable)
                return job_outcome::retry("chat.update of " + c.channel + "/" + c.ts + ": " + r.error,
                                          retry_delay(r));
            if (r.outcome == slack_outcome::permanent)
                failures.push_back(c.channel + "/" + c.ts + ": " + r.error);
        }
        if (!failures.empty()) {
            std::string msg = "chat.update failed for " + std::to_string(failures.size()) + " card(s) of " + p.id;
            for (const auto& f : failures)
                msg += "; " + f;
            spdlog::warn("slack job {} ({}): {}", j.key, j.kind, msg);
            return job_outcome::failed(msg);
        }
        return job_outcome::done();
    }

    job_outcome notify_person(const workflow::job& j, const effect_payload& pl, const workflow::petition& p)
    {
        if (!workflow::notice_holds(pl.what, p)) {
            // Waited behind earlier messages (or Slack) while the request moved on; the notice of the move follows.
            spdlog::info("slack job {}: not telling {} '{}' about {}: it is {} now", j.key, pl.to, app::name(pl.what),
                         p.id, workflow::name(p.state));
            return job_outcome::done();
        }
        return tell(j, p, pl.what, pl.to);
    }

    job_outcome notify_channel(const workflow::job& j, const effect_payload& pl, const workflow::petition& p)
    {
        auto msg = blocks::notice_message(p, pl.what, "", notice_context_for(*ctx_.policy.now(), p));
        auto r = post_once(j, pl.to, std::move(msg)).result;
        return outcome_of(r, j, "chat.postMessage of " + pl.notice + " for " + p.id + " to " + pl.to);
    }

    // Reviewers still owing an approval (reminder), or the requester of live access (expiring).
    job_outcome remind(const workflow::job& j, const effect_payload& pl, const workflow::petition& p)
    {
        if (pl.what == workflow::notice::expiring) {
            if (p.state != workflow::petition_state::active)
                return job_outcome::done();
            return tell(j, p, pl.what, p.requester());
        }

        const workflow::route* route = &p.route;
        const workflow::approval_progress* progress = &p.progress;
        if (p.pending_extension && p.state == workflow::petition_state::active) {
            route = &p.pending_extension->route;
            progress = &p.pending_extension->progress;
        } else if (p.state != workflow::petition_state::pending) {
            return job_outcome::done(); // decided since: nobody to remind
        }
        if (progress->step != pl.step || pl.step >= route->steps.size())
            return job_outcome::done(); // moved on to another step
        std::optional<workflow::time_point> escalates_at;
        if (auto due = workflow::escalation_due(p)) {
            const auto now = ctx_.clock.now();
            if (now >= *due) {
                // Past escalate_after: the step moves on (the transition tells everyone and reschedules).
                auto t = ctx_.access.act(p.id, workflow::escalation(now));
                if (!t)
                    return job_outcome::retry("escalating " + p.id + ": " + t.error().message);
                return job_outcome::done();
            }
            escalates_at = due;
        }
        const auto& step = route->steps[pl.step];
        std::vector<std::string> who;
        if (step.assign == workflow::assign_mode::broadcast) {
            for (const auto& r : step.reviewers)
                if (std::find(progress->approvals.begin(), progress->approvals.end(), r.person_id) ==
                    progress->approvals.end())
                    who.push_back(r.person_id);
        } else if (!step.reviewers.empty()) {
            who.push_back(step.assignee(progress->assigned).person_id);
        }
        bool told_someone = false;
        for (const auto& person : who) {
            auto o = tell(j, p, pl.what, person);
            if (told_someone && (o.result == job_outcome::kind::retry || o.result == job_outcome::kind::defer))
                // Some were told: the next attempt looks for their messages before telling anyone.
                return job_outcome::retry(o.message.empty() ? "waiting to remind " + person : o.message, o.retry_after,
                                          true);
            if (o.result != job_outcome::kind::done)
                return o;
            told_someone = true;
        }
        // Reminded now; looked at again, as a new life of this job, when the step may escalate.
        return escalates_at ? job_outcome::again_at(*escalates_at) : job_outcome::done();
    }

    // An explanation to one user after a click: {"channel","user","message"}.
    job_outcome post_ephemeral(const workflow::job& j)
    {
        auto pl = app::ephemeral_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        if (pl->channel.empty()) {
            // A click outside a channel (App Home): say it in the app's DM instead.
            auto r = post_once(j, pl->user, std::move(pl->message)).result;
            return outcome_of(r, j, "chat.postMessage of an answer to a click");
        }
        auto r = ctx_.slack.post_ephemeral(pl->channel, pl->user, pl->message);
        return outcome_of(r, j, "chat.postEphemeral of an answer to a click");
    }

    // A message in a thread (Ask in thread): {"channel","message"}; one post per click.
    job_outcome post_in_thread(const workflow::job& j)
    {
        auto pl = app::thread_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        auto r = post_once(j, pl->channel, std::move(pl->message)).result;
        return outcome_of(r, j, "chat.postMessage in a card's thread");
    }

    // A person's App Home: {"person"} after a change, or {"user"} (a Slack id) when they open it.
    job_outcome publish_home(const workflow::job& j)
    {
        auto pl = app::home_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        if (!ctx_.slack.configured())
            return job_outcome::done(); // Slack calls are off: no Home tab to draw (said once at start-up)
        std::string person_id;
        std::string slack_id;
        if (!pl->person.empty()) {
            person_id = pl->person;
            auto who = slack_user_for_person(ctx_, person_id);
            if (!who.found()) {
                if (who.failure && who.failure->outcome == slack_outcome::retryable)
                    return job_outcome::retry(who.why, retry_delay(*who.failure));
                // Someone Slack does not know has no Home tab to keep current.
                spdlog::debug("slack job {}: no Home tab for {}: {}", j.key, person_id, who.why);
                return job_outcome::done();
            }
            slack_id = who.slack_id;
        } else {
            slack_id = pl->user;
            auto who = person_for_slack_user(ctx_, slack_id);
            if (!who.found()) {
                if (who.failure && who.failure->outcome == slack_outcome::retryable)
                    return job_outcome::retry("users.info for " + slack_id + ": " + who.failure->error,
                                              retry_delay(*who.failure));
                auto r = ctx_.slack.publish_view(slack_id, blocks::app_home_unknown(slack_id, who.email, who.refusal));
                return outcome_of(r, j, "views.publish of the Home tab of " + slack_id);
            }
            person_id = who.who().id;
        }
        auto mine = ctx_.access.mine(person_id, max_home_petitions);
        if (!mine)
            return job_outcome::retry("reading the requests of " + person_id + ": " + mine.error().message);
        auto waiting = ctx_.access.awaiting(person_id, max_home_petitions);
        if (!waiting)
            return job_outcome::retry("reading the approvals waiting on " + person_id + ": " + waiting.error().message);
        const auto policy = ctx_.policy.now();
        auto view = blocks::app_home({person_id, *mine, *waiting, &policy->directory, &policy->catalog});
        auto r = ctx_.slack.publish_view(slack_id, std::move(view));
        return outcome_of(r, j, "views.publish of the Home tab of " + person_id);
    }

    // An anchor of the audit chain, told in the security channel (app::anchor_payload); once per anchor.
    job_outcome post_audit_anchor(const workflow::job& j)
    {
        auto pl = app::anchor_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        auto r = post_once(j, pl->channel, anchor_message(*pl)).result;
        return outcome_of(r, j, "chat.postMessage of the audit anchor at event " + std::to_string(pl->seq) + " to " +
                                    pl->channel);
    }

    // A personal token made to act as someone else, told in the security channel (app::token_notice_payload).
    job_outcome post_token_notice(const workflow::job& j)
    {
        auto pl = app::token_notice_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        auto r = post_once(j, pl->channel, token_notice_message(*pl)).result;
        return outcome_of(r, j, "chat.postMessage of the notice of token " + std::to_string(pl->token_id) + " to " +
                                    pl->channel);
    }

    // A spike in demand for a watched target, told in the security channel (app::demand_alert_payload).
    job_outcome post_demand_alert(const workflow::job& j)
    {
        auto pl = app::demand_alert_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        auto r = post_once(j, pl->channel, demand_alert_message(*pl)).result;
        return outcome_of(r, j, "chat.postMessage of the demand alert for " + pl->target + " to " + pl->channel);
    }

    // After a denied access: the bundle that grants it, with Request, to the person (app::access_hint_payload).
    job_outcome post_access_hint(const workflow::job& j)
    {
        auto pl = app::access_hint_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        const auto policy = ctx_.policy.now();
        const auto* b = policy->catalog.find(pl->bundle);
        if (!b || b->deprecated)
            return job_outcome::failed("the bundle " + pl->bundle + " is gone or deprecated since the attempt");
        auto who = slack_user_for_person(ctx_, pl->person);
        if (!who.found())
            return lookup_failed(who, j);
        auto r = post_once(j, who.slack_id, blocks::access_hint_message(*b, pl->entitlement, pl->system, pl->matched, pl->at),
                           pl->person)
                     .result;
        return outcome_of(r, j, "chat.postMessage of the access hint for " + pl->bundle + " to " + pl->person);
    }

    // A modal re-rendered after a change inside it: {"view_id","hash","view"}.
    job_outcome update_view(const workflow::job& j)
    {
        auto pl = app::view_of(j);
        if (!pl)
            return job_outcome::failed(pl.error().message);
        auto r = ctx_.slack.update_view(pl->view_id, pl->view, pl->hash);
        if (r.error == "hash_conflict" || r.error == "not_found") {
            // The person changed the modal again, or closed it: a newer update (or none) stands.
            spdlog::info("slack job {}: views.update skipped: {}", j.key, r.error);
            return job_outcome::done();
        }
        return outcome_of(r, j, "views.update of a modal");
    }

private:
    // A Home tab lists the latest requests; `/checkpoint mine` has the rest.
    static constexpr std::size_t max_home_petitions = 20;

    struct post_result {
        slack_result result;
        // The message was already there: an earlier attempt posted it and did not live to settle.
        bool found_earlier = false;
    };

    // chat.postMessage that reaches Slack once per job life (and `part`), even when an earlier attempt
    // may have posted without living to record it: every post carries its delivery key in the
    // message's metadata, and an attempt after one whose effect is unknown looks for that key first
    // (in the thread, for a reply) and posts only when it is not there.
    post_result post_once(const workflow::job& j, std::string_view channel, boost::json::object message,
                          std::string_view part = {})
    {
        const auto key = delivery_key(j, part);
        if (j.effect_unknown) {
            std::string thread;
            if (const auto* t = message.if_contains("thread_ts"); t && t->is_string())
                thread = std::string(t->get_string());
            auto found = ctx_.slack.find_posted(channel, key, thread);
            if (found.outcome == slack_outcome::retryable)
                return {std::move(found), false};
            if (!found.ok()) {
                // Slack will not let us read it back (not in the channel, a scope missing): posting
                // unchecked is better than never telling anyone.
                spdlog::warn("slack job {}: cannot look for an earlier post in {} ({}); posting without the check",
                             j.key, channel, found.error);
            } else if (found.ts()) {
                spdlog::info("slack job {}: an earlier attempt posted it ({} {}); not posting again", j.key,
                             found.channel().value_or(""), *found.ts());
                return {std::move(found), true};
            }
        }
        return {ctx_.slack.post_message(channel, std::move(message), key), false};
    }

    job_outcome tell(const workflow::job& j, const workflow::petition& p, workflow::notice what,
                     const std::string& person_id)
    {
        auto who = slack_user_for_person(ctx_, person_id);
        if (!who.found())
            return lookup_failed(who, j);
        auto msg = blocks::notice_message(p, what, person_id, notice_context_for(*ctx_.policy.now(), p));
        auto r = post_once(j, who.slack_id, std::move(msg), person_id).result;
        return outcome_of(r, j,
                          "chat.postMessage of " + std::string(app::name(what)) + " for " + p.id + " to " +
                              person_id);
    }

    service_context& ctx_;
};

} // namespace

void register_slack_jobs(job_runner& runner, service_context& ctx)
{
    auto jobs = std::make_shared<slack_jobs>(ctx);
    runner.handle(app::job_kind::post_card, {[jobs](const workflow::job& j) { return jobs->with_petition(j, &slack_jobs::post_card); }, {}});
    runner.handle(app::job_kind::update_cards, {[jobs](const workflow::job& j) { return jobs->with_petition(j, &slack_jobs::update_cards); }, {}});
    runner.handle(app::job_kind::notify_person, {[jobs](const workflow::job& j) { return jobs->with_petition(j, &slack_jobs::notify_person); }, {}});
    runner.handle(app::job_kind::notify_channel, {[jobs](const workflow::job& j) { return jobs->with_petition(j, &slack_jobs::notify_channel); }, {}});
    runner.handle(app::job_kind::post_in_thread, {[jobs](const workflow::job& j) { return jobs->post_in_thread(j); }, {}});
    runner.handle(app::job_kind::publish_home, {[jobs](const workflow::job& j) { return jobs->publish_home(j); }, {}});
    runner.handle(app::job_kind::update_view, {[jobs](const workflow::job& j) { return jobs->update_view(j); }, {}});
    runner.handle(app::job_kind::post_ephemeral, {[jobs](const workflow::job& j) { return jobs->post_ephemeral(j); }, {}});
    runner.handle(app::job_kind::post_audit_anchor, {[jobs](const workflow::job& j) { return jobs->post_audit_anchor(j); }, {}});
    runner.handle(app::job_kind::post_token_notice, {[jobs](const workflow::job& j) { return jobs->post_token_notice(j); }, {}});
    runner.handle(app::job_kind::post_access_hint, {[jobs](const workflow::job& j) { return jobs->post_access_hint(j); }, {}});
    runner.handle(app::job_kind::post_demand_alert, {[jobs](const workflow::job& j) { return jobs->post_demand_alert(j); }, {}});
    runner.handle(app::job_kind::remind,
                  {[jobs](const workflow::job& j) { return jobs->with_petition(j, &slack_jobs::remind); }, {}});
}

} // namespace checkpoint::bot
