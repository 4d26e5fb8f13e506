#pragma once

#include "workflow/error.hpp"
#include "workflow/job_queue.hpp"
#include "workflow/petition.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::app {

// The outbox's job kinds: every side effect is one of these, carrying the payload struct of its kind.
// A new kind is a row here, a name in jobs.cpp and a handler in bot/job_handlers.cpp, whose switch
// has no default, so the compiler points at the missing one.
enum class job_kind {
    post_card,      // effect_payload: the approval card, to each reviewer of a step and the approval channels
    update_cards,   // effect_payload: every copy of the card, after a decision
    notify_person,  // effect_payload: a DM about the petition to `to`
    notify_channel, // effect_payload: a notice in channel `to`
    provision,      // effect_payload: grant through the bundle's integration
    expire,         // effect_payload: the scheduled end (at `at`)
    remind,         // effect_payload: a reminder (or the escalation) at `at`
    revoke,         // revoke_payload: take access away when the last covering grant ends
    release,        // revoke_payload: a grant released by an earlier checkpointd's job
    post_in_thread, // thread_payload: Ask in thread, in the card's thread
    post_ephemeral, // ephemeral_payload: an answer to one click, seen by its presser
    update_view,    // view_payload: a modal re-rendered after a change inside it
    publish_home,   // home_payload: a person's App Home
    sync_resources, // sync_payload: pull a resource kind from its source
    anchor_audit,   // anchor_schedule_payload: the scheduled anchor of the audit chain
    post_audit_anchor, // anchor_payload: an anchor, told in the security channel
    post_token_notice, // token_notice_payload: a token made to act as someone else, told in the security channel
    check_demand,   // demand_check_payload: after a filing for a watched target, compare its demand with the usual
    post_demand_alert, // demand_alert_payload: a spike in demand, told in the security channel
    post_access_hint, // access_hint_payload: after a denied access, the bundle that grants it, with Request
    gave_up,        // the job a dead job leaves behind (workflow::gave_up_kind)
};

inline constexpr job_kind all_job_kinds[] = {
    job_kind::post_card,      job_kind::update_cards,   job_kind::notify_person, job_kind::notify_channel,
    job_kind::provision,      job_kind::expire,         job_kind::remind,        job_kind::revoke,
    job_kind::release,        job_kind::post_in_thread, job_kind::post_ephemeral, job_kind::update_view,
    job_kind::publish_home,   job_kind::sync_resources, job_kind::anchor_audit, job_kind::post_audit_anchor,
    job_kind::post_token_notice, job_kind::check_demand, job_kind::post_demand_alert,
    job_kind::post_access_hint, job_kind::gave_up,
};

std::string_view name(job_kind k);
std::optional<job_kind> parse_job_kind(std::string_view s);

// An effect of a transition (workflow::effect), for the job that carries it out.
struct effect_payload {
    std::string petition_id;
    std::uint64_t version = 0;
    // workflow::effect_kind and workflow::notice, by name.
    std::string effect;
    std::string notice;
    workflow::notice what = workflow::notice::submitted;
    std::string to;
    std::size_t step = 0;
    workflow::time_point at{};
};

struct revoke_payload {
    std::string person;
    std::string entitlement;
    std::string petition_id;
};

struct thread_payload {
    std::string channel;
    boost::json::object message;
};

struct ephemeral_payload {
    // Empty when the click came from outside a channel (App Home): the answer goes to the app's DM.
    std::string channel;
    std::string user;
    boost::json::object message;
};

struct view_payload {
    std::string view_id;
    // Slack's hash of the view as the person saw it, so a stale update is refused.
    std::string hash;
    boost::json::object view;
};

// One of the two: a directory person after a change, or a Slack user who opened the tab.
struct home_payload {
    std::string person;
    std::string user;
};

// A sync of one resource kind: scheduled for `period` (the next one is queued when it runs), or one
// asked for now (no period).
struct sync_payload {
    std::string kind;
    std::optional<std::int64_t> period;
};

// The scheduled anchor of one period: periods are `every` seconds long, counted from the Unix epoch (so a
// day's period starts at midnight UTC). Running it anchors the chain and queues the next period's.
struct anchor_schedule_payload {
    std::int64_t every = 0;
    std::int64_t period = 0;
};

// An anchor to tell in `channel`: the chain's head as it was recorded (workflow::audit_anchor), and how
// many events the key sealed when it was a seal.
struct anchor_payload {
    std::string channel;
    std::int64_t id = 0;
    std::uint64_t seq = 0;
    std::string hash;
    std::string mac;
    workflow::time_point at{};
    std::string trigger;
    std::string by;
    std::uint64_t sealed = 0;
};

// A personal token `by` made to act as `person`, to tell in `channel`.
struct token_notice_payload {
    std::string channel;
    std::int64_t token_id = 0;
    std::string name;
    std::string person;
    std::string by;
    std::vector<std::string> scopes;
    std::optional<workflow::time_point> expires_at;
    workflow::time_point at{};
};

// A filing for `target` at `at`: count its requests in the window ending then, and in the baseline before.
struct demand_check_payload {
    std::string target;
    std::string risk;
    workflow::time_point at{};
};

// A spike to tell in `channel`: `count` requests for `target` in the `window` ending `at`, against `before`
// in the `baseline` before it (the usual per window is before × window / baseline); the thresholds as set.
struct demand_alert_payload {
    std::string channel;
    std::string target;
    std::string risk;
    std::uint64_t count = 0;
    std::uint64_t before = 0;
    std::int64_t window_seconds = 0;
    std::int64_t baseline_seconds = 0;
    std::uint64_t factor = 0;
    std::uint64_t min_requests = 0;
    workflow::time_point at{};
};

// `person` was denied `entitlement` (by `system`, when said) at `at`; `bundle` grants it, with `matched` the
// setting that matched. Told to the person with a Request button.
struct access_hint_payload {
    std::string person;
    std::string entitlement;
    std::string system;
    std::string bundle;
    std::string matched;
    workflow::time_point at{};
};

// Each payload as the JSON stored in the job (Boost.JSON tag_invoke conversions, in jobs.cpp).
std::string encode(const effect_payload& p);
std::string encode(const revoke_payload& p);
std::string encode(const thread_payload& p);
std::string encode(const ephemeral_payload& p);
std::string encode(const view_payload& p);
std::string encode(const home_payload& p);
std::string encode(const sync_payload& p);
std::string encode(const anchor_schedule_payload& p);
std::string encode(const anchor_payload& p);
std::string encode(const token_notice_payload& p);
std::string encode(const demand_check_payload& p);
std::string encode(const demand_alert_payload& p);
std::string encode(const access_hint_payload& p);

// A job's payload read back; an error says which job and what is missing or malformed.
workflow::result<effect_payload> effect_of(const workflow::job& j);
workflow::result<revoke_payload> revoke_of(const workflow::job& j);
workflow::result<thread_payload> thread_of(const workflow::job& j);
workflow::result<ephemeral_payload> ephemeral_of(const workflow::job& j);
workflow::result<view_payload> view_of(const workflow::job& j);
workflow::result<home_payload> home_of(const workflow::job& j);
workflow::result<sync_payload> sync_of(const workflow::job& j);
workflow::result<anchor_schedule_payload> anchor_schedule_of(const workflow::job& j);
workflow::result<anchor_payload> anchor_of(const workflow::job& j);
workflow::result<token_notice_payload> token_notice_of(const workflow::job& j);
workflow::result<demand_check_payload> demand_check_of(const workflow::job& j);
workflow::result<demand_alert_payload> demand_alert_of(const workflow::job& j);
workflow::result<access_hint_payload> access_hint_of(const workflow::job& j);

// A job of `kind` carrying `payload`.
workflow::job_spec job(job_kind kind, std::string key, std::string payload, workflow::time_point run_at,
                       workflow::on_duplicate duplicate = workflow::on_duplicate::keep);

} // namespace checkpoint::app
