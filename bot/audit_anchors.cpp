#include "bot/audit_anchors.hpp"

#include "app/audit_anchors.hpp"
#include "blocks/kit.hpp"
#include "workflow/anomaly.hpp"
#include "workflow/duration.hpp"
#include "workflow/text.hpp"

#include <boost/json/array.hpp>
#include <spdlog/spdlog.h>

namespace checkpoint::bot {

namespace {

job_outcome run_scheduled(service_context& ctx, const workflow::job& j)
{
    auto pl = app::anchor_schedule_of(j);
    if (!pl)
        return job_outcome::failed(pl.error().message);
    const auto every = ctx.cfg.audit_anchor_every;
    if (every.count() <= 0)
        return job_outcome::done(); // turned off since it was queued
    const auto now = ctx.clock.now();
    // The next one first, so a failure here never ends the schedule; counted from now, so a service that was
    // down for days anchors once when it returns, not once for every period it missed.
    auto next = ctx.jobs.enqueue(app::anchor_schedule_job(every, app::anchor_period_of(every, now) + 1, now), now);
    if (!next)
        return job_outcome::retry("cannot schedule the next audit anchor: " + next.error().message);
    auto a = anchor_audit_now(ctx, "schedule", "checkpoint");
    if (!a)
        return job_outcome::retry("cannot anchor the audit log: " + a.error().message);
    return job_outcome::done();
}

} // namespace

workflow::result<workflow::audit_anchor> anchor_audit_now(service_context& ctx, std::string trigger, std::string by,
                                                          std::uint64_t sealed)
{
    auto a = app::anchor_audit(ctx.audit, ctx.policy.now()->settings, ctx.clock.now(), std::move(trigger), std::move(by),
                               sealed);
    if (!a) {
        spdlog::error("audit: cannot anchor the audit log: {}", a.error().message);
        return a;
    }
    // The keyed hash is safe to show (it reveals nothing of the key); the log is a second place it is kept.
    spdlog::info("audit: anchored at event {} ({}, by {}), keyed hash {}, hash {}; {}", a->seq, a->trigger, a->by,
                 a->mac.empty() ? "none" : a->mac, a->hash,
                 a->posted_to == "log" ? std::string("checkpoint.yaml names no security channel (channels.security), so "
                                                     "it is in this log only")
                                       : "posting it to " + a->posted_to);
    ctx.runner.wake();
    return a;
}

void register_audit_anchors(job_runner& runner, service_context& ctx)
{
    runner.handle(app::job_kind::anchor_audit, {[&ctx](const workflow::job& j) { return run_scheduled(ctx, j); }, {}});
}

void schedule_audit_anchors(service_context& ctx)
{
    const auto every = ctx.cfg.audit_anchor_every;
    if (every.count() <= 0) {
        spdlog::warn("audit: scheduled anchors are off (CHECKPOINT_AUDIT_ANCHOR_EVERY=off); anchor on demand with "
                     "`checkpoint audit anchor`");
        return;
    }
    const auto now = ctx.clock.now();
    const auto period = app::anchor_period_of(every, now) + 1;
    if (auto r = ctx.jobs.enqueue(app::anchor_schedule_job(every, period, now), now); !r) {
        spdlog::error("audit: cannot schedule the audit anchors: {}", r.error().message);
        return;
    }
    spdlog::info("audit: the audit log is anchored every {} (CHECKPOINT_AUDIT_ANCHOR_EVERY), next at {}",
                 workflow::describe_duration(std::chrono::duration_cast<workflow::duration>(every)),
                 workflow::format_utc(app::anchor_period_start(every, period)));
    ctx.runner.wake();
}

boost::json::object anchor_message(const app::anchor_payload& a)
{
    const std::string hash = a.mac.empty() ? a.hash : a.mac;
    std::string why;
    if (a.trigger == "seal")
        why = "first start with the audit key: the " + std::to_string(a.sealed) +
              " events written before it are keyed now";
    else if (a.trigger == "demand")
        why = "asked for by " + blocks::escape(a.by);
    else
        why = "scheduled";
    const std::string text = ":lock: *Audit log anchor* (" + why + ")\nThe audit log's last event is *#" +
                             std::to_string(a.seq) + "*, at " + workflow::format_utc(a.at) + ".\n" +
                             (a.mac.empty() ? "Hash" : "Keyed hash") + ": `" + hash +
                             "`\nKeep this message: `checkpoint audit verify --anchor " + std::to_string(a.seq) + ":" +
                             hash + "` checks that the log still holds this event unchanged.";
    return boost::json::object{
        {"text", "Audit log anchor: event #" + std::to_string(a.seq) + ", " + hash},
        {"blocks", boost::json::array{boost::json::object{
                       {"type", "section"}, {"text", boost::json::object{{"type", "mrkdwn"}, {"text", text}}}}}}};
}

boost::json::object token_notice_message(const app::token_notice_payload& n)
{
    std::string scopes;
    for (const auto& s : n.scopes)
        scopes += (scopes.empty() ? "" : ", ") + blocks::escape(s);
    const std::string expires =
        n.expires_at ? "expires " + workflow::format_utc(*n.expires_at) : std::string("does not expire");
    const std::string text = ":key: *A personal token was made to act as someone else*\n*" + blocks::escape(n.by) +
                             "* made token #" + std::to_string(n.token_id) + " \"" + blocks::escape(n.name) +
                             "\", which acts as *" + blocks::escape(n.person) + "* (scopes " + scopes + "; " + expires +
                             "), at " + workflow::format_utc(n.at) +
                             ".\nWhoever holds it can request and approve as " + blocks::escape(n.person) +
                             ". If this was not expected, revoke it: `checkpoint tokens revoke " +
                             std::to_string(n.token_id) + "`.";
    return boost::json::object{
        {"text", "Token #" + std::to_string(n.token_id) + " made by " + n.by + " to act as " + n.person},
        {"blocks", boost::json::array{boost::json::object{
                       {"type", "section"}, {"text", boost::json::object{{"type", "mrkdwn"}, {"text", text}}}}}}};
}

boost::json::object demand_alert_message(const app::demand_alert_payload& a)
{
    const auto window = std::chrono::seconds{a.window_seconds};
    const auto baseline = std::chrono::seconds{a.baseline_seconds};
    const double usual = static_cast<double>(a.before) * static_cast<double>(a.window_seconds) /
                         static_cast<double>(a.baseline_seconds);
    const auto target = blocks::escape(a.target);
    const auto per = workflow::format_duration(std::chrono::duration_cast<workflow::duration>(window));
    const std::string text =
        ":rotating_light: *Unusual demand for " + target + "* (" + blocks::escape(a.risk) + " risk)\n*" +
        std::to_string(a.count) + " requests* in " + per + " (up to " + workflow::format_utc(a.at) +
        "), against a usual *" + workflow::format_usual(usual) + "* per " + per + " over the " +
        workflow::describe_duration(std::chrono::duration_cast<workflow::duration>(baseline)) + " before (" +
        std::to_string(a.before) + " in all). This alert fires at " + std::to_string(a.min_requests) +
        " or more requests in " + per + " and more than " + std::to_string(a.factor) +
        "× the usual (checkpoint.yaml `anomaly_alert`).\n" +
        "A spike like this can be an incident, or an attack: `checkpoint log --bundle " + target +
        "` lists the requests.";
    return boost::json::object{
        {"text", "Unusual demand for " + target + ": " + std::to_string(a.count) + " requests in " + per},
        {"blocks", boost::json::array{boost::json::object{
                       {"type", "section"}, {"text", boost::json::object{{"type", "mrkdwn"}, {"text", text}}}}}}};
}

} // namespace checkpoint::bot
