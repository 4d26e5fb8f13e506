#include "bot/slack_interactions.hpp"

#include "app/jobs.hpp"
#include "bot/json_fields.hpp"

#include "blocks/actions.hpp"
#include "blocks/approval_card.hpp"
#include "blocks/command_replies.hpp"
#include "blocks/deny_modal.hpp"
#include "blocks/extend_modal.hpp"
#include "blocks/format.hpp"
#include "blocks/error_text.hpp"
#include "blocks/kit.hpp"
#include "blocks/messages.hpp"
#include "blocks/request_modal.hpp"
#include "workflow/duration.hpp"
#include "workflow/intent.hpp"
#include "workflow/text.hpp"
#include "bot/slack_identity.hpp"
#include "workflow/route.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <string>

namespace checkpoint::bot {

namespace {

blocks::card_kind card_kind_of(const workflow::petition& p)
{
    if (p.pending_extension && p.state == workflow::petition_state::active)
        return blocks::card_kind::extension;
    if (p.review_pending)
        return blocks::card_kind::break_glass_review;
    return blocks::card_kind::request;
}

// The channel a click came from: the message's channel, else the container's.
std::string channel_of(const boost::json::object& payload)
{
    if (auto* c = object_at(payload, "channel"))
        if (auto id = string_at(*c, "id"); !id.empty())
            return id;
    if (auto* c = object_at(payload, "container"))
        return string_at(*c, "channel_id");
    return {};
}

// Typed search text is bounded before it is matched: Slack sends it on every keystroke.
constexpr std::size_t max_query_length = 100;

// The selected value of element `a` in a view's state: a select's option value, else an input's text.
std::string view_value(const boost::json::object& view, blocks::action a)
{
    const auto& f = blocks::info(a);
    const boost::json::object* values = nullptr;
    if (auto* state = object_at(view, "state"))
        values = object_at(*state, "values");
    auto* block = values ? object_at(*values, f.block_id) : nullptr;
    auto* element = block ? object_at(*block, f.name) : nullptr;
    if (!element)
        return {};
    if (auto* selected = object_at(*element, "selected_option"))
        return string_at(*selected, "value");
    return string_at(*element, "value");
}

boost::json::object field_errors(boost::json::object errors)
{
    return boost::json::object{{"response_action", "errors"}, {"errors", std::move(errors)}};
}

} // namespace

boost::json::object request_modal_for(service_context& ctx, const std::string& person_id, std::string_view bundle,
                                      std::string_view private_metadata, std::optional<workflow::duration> wanted)
{
    const auto policy = ctx.policy.now();
    const auto& catalog = policy->catalog;
    const workflow::bundle* selected = bundle.empty() ? nullptr : catalog.find(bundle);
    std::vector<blocks::duration_choice> choices;
    if (selected && !person_id.empty()) {
        const auto now = ctx.clock.now();
        for (auto length : blocks::offered_durations(selected->durations)) {
            blocks::duration_choice c{length, {}};
            if (auto r = workflow::explain(*policy, person_id, selected->name, length, now))
                c.hint = blocks::route_hint(*r);
            choices.push_back(std::move(c));
        }
    }
    return blocks::request_modal({catalog, selected, choices, wanted, private_metadata});
}

slack_interactions::slack_interactions(service_context& ctx) : ctx_(ctx) {}

std::optional<boost::json::object> slack_interactions::handle(const interaction& i)
{
    switch (i.kind) {
    case interaction_kind::block_actions: return on_block_actions(i);
    case interaction_kind::view_submission: return on_view_submission(i);
    case interaction_kind::block_suggestion: return on_block_suggestion(i);
    case interaction_kind::view_closed:
    case interaction_kind::shortcut:
    case interaction_kind::message_action: return std::nullopt;
    }
    return std::nullopt;
}

void slack_interactions::tell(const interaction& i, boost::json::object message)
{
    const auto channel = channel_of(i.payload);
    std::string stamp = string_at(i.payload, "trigger_id");
    if (auto* actions = i.payload.if_contains("actions"); actions && actions->is_array() && !actions->get_array().empty())
        if (auto* a = actions->get_array().front().if_object())
            if (auto ts = string_at(*a, "action_ts"); !ts.empty())
                stamp = ts;
    const auto now = ctx_.clock.now();
    if (stamp.empty())
        stamp = std::to_string(now.time_since_epoch().count());
    auto r = ctx_.jobs.enqueue(app::job(app::job_kind::post_ephemeral, "ephemeral/" + i.user_id + "/" + stamp,
                                        app::encode(app::ephemeral_payload{channel, i.user_id, std::move(message)}), now),
                               now);
    if (!r)
        spdlog::warn("slack: could not enqueue an ephemeral answer to {}: {}", i.user_id, r.error().message);
    ctx_.runner.wake();
}

std::optional<boost::json::object> slack_interactions::on_block_actions(const interaction& i)
{
    auto* actions = i.payload.if_contains("actions");
    if (!actions || !actions->is_array())
        return std::nullopt;
    for (const auto& v : actions->get_array()) {
        const auto* a = v.if_object();
        if (!a)
            continue;
        const auto which = blocks::parse_action_id(string_at(*a, "action_id"));
        if (!which)
            continue;
        auto id = string_at(*a, "value");
        // "Approve for less…" carries the petition and the duration chosen in its option's value.
        std::optional<workflow::duration> shorter;
        if (*which == blocks::action::approve_for) {
            const auto* selected = object_at(*a, "selected_option");
            const auto value = selected ? string_at(*selected, "value") : std::string();
            const auto space = value.find(' ');
            auto length = space == std::string::npos ? workflow::result<workflow::duration>(workflow::error{"bad_duration", "none"})
                                                     : workflow::parse_duration(value.substr(space + 1));
            if (!length) {
                spdlog::warn("slack: an approve-for option from {} carries no duration", i.user_id);
                continue;
            }
            id = value.substr(0, space);
            shorter = *length;
        }
        switch (*which) {
        case blocks::action::approve_for:
        case blocks::action::approve:
        case blocks::action::deny:
        case blocks::action::cancel:
        case blocks::action::revoke:
        case blocks::action::ask_in_thread:
        case blocks::action::extend:
        case blocks::action::open_request_modal: break;
        case blocks::action::bundle_select: on_bundle_picked(i, *a); continue;
        case blocks::action::request_submit:
        case blocks::action::duration_select:
        case blocks::action::reason_input:
        case blocks::action::ticket_input:
        case blocks::action::deny_submit:
        case blocks::action::deny_reason_input:
        case blocks::action::extend_submit:
        case blocks::action::extend_duration_select:
        case blocks::action::extend_reason_input:
            spdlog::debug("slack: action {} from {} needs no answer", string_at(*a, "action_id"), i.user_id);
            continue;
        }
        auto who = person_for_slack_user(ctx_, i.user_id);
        if (!who.found()) {
            tell(i, blocks::not_in_directory_reply(i.user_id, who.email, who.refusal));
            continue;
        }
        const auto& me = who.who().id;
        if (*which == blocks::action::open_request_modal) {
            // The only Slack call in this handler: the trigger_id dies after 3 s.
            auto r = ctx_.slack.open_view(string_at(i.payload, "trigger_id"),
                                          request_modal_for(ctx_, me, id, channel_of(i.payload)));
            if (!r.ok())
                spdlog::warn("slack: views.open (request) for {} failed: {}", i.user_id, r.error);
            continue;
        }
        auto current = ctx_.access.get(id);
        if (!current) {
            tell(i, blocks::error_reply(current.error()));
            continue;
        }
        const auto now = ctx_.clock.now();

        // The table says what the button does: ask in thread has no event; deny and extend ask for
        // their reason (and length) in a modal first; the others act at once.
        const auto& row = blocks::info(*which);
        if (!row.event) {
            ask_in_thread(i, *current, who);
            continue;
        }
        workflow::event e;
        switch (*row.event) {
        case workflow::event_kind::request_extension: open_extend_modal(i, *current, me); continue;
        case workflow::event_kind::deny: {
            // The reason is asked in a modal; the denial happens on its submission. Whoever could not deny
            // is told now, in the workflow's words, not after typing a reason.
            if (auto may = workflow::apply(*current, workflow::deny_by(me, "(a reason)", now), who.policy->directory);
                !may) {
                tell(i, blocks::error_reply(may.error()));
                continue;
            }
            auto r = ctx_.slack.open_view(string_at(i.payload, "trigger_id"),
                                          blocks::deny_modal(*current, card_kind_of(*current)));
            if (!r.ok())
                spdlog::warn("slack: views.open (deny {}) for {} failed: {}", id, i.user_id, r.error);
            continue;
        }
        case workflow::event_kind::approve:
            e = workflow::approve_by(me, now);
            e.shorten_to = shorter;
            break;
        case workflow::event_kind::cancel: e = workflow::cancel_by(me, now); break;
        case workflow::event_kind::revoke: e = workflow::revoke_by(me, now); break;
        case workflow::event_kind::start_provisioning:
        case workflow::event_kind::provisioned:
        case workflow::event_kind::provisioning_failed:
        case workflow::event_kind::expire:
        case workflow::event_kind::escalate:
        case workflow::event_kind::reroute: continue;
        }
        auto t = ctx_.access.act(id, workflow::through(e, workflow::slack_origin()));
        if (t)
            continue; // every copy of the card is updated by the update_cards job
        // A second click (or another reviewer's, a moment earlier) found it decided: say how, as it stands
        // now, rather than the refusal's words.
        std::optional<workflow::petition> decided;
        if (t.error().code == workflow::petition_error::illegal_transition &&
            (*which == blocks::action::approve || *which == blocks::action::approve_for)) {
            if (auto again = ctx_.access.get(id); again && again->state != workflow::petition_state::pending)
                decided = std::move(*again);
        }
        // Someone out of office whose step went to their delegate: say who decides meanwhile.
        if (!decided && t.error().code == workflow::petition_error::not_a_reviewer) {
            if (auto away = ctx_.access.away_of(me); away && *away) {
                std::string delegate_name;
                if (auto d = who.policy->directory.find((*away)->delegate); d != workflow::no_person)
                    delegate_name = who.policy->directory.at(d).name;
                tell(i, blocks::away_reviewer_reply(**away, delegate_name, t.error()));
                continue;
            }
        }
        if (decided) {
            tell(i, blocks::already_decided_reply({*decided, card_kind_of(*decided), decided->progress.step, me,
                                                   &who.policy->directory}));
        } else {
            tell(i, blocks::error_reply(t.error()));
        }
    }
    return std::nullopt;
}

void slack_interactions::ask_in_thread(const interaction& i, const workflow::petition& p,
                                       const person_lookup& asker)
{
    const auto& dir = asker.policy->directory;
    if (asker.who().id == p.requester()) {
        tell(i, blocks::ask_in_thread_own_request_reply());
        return;
    }
    auto channel = channel_of(i.payload);
    std::string thread_ts;
    if (auto* m = object_at(i.payload, "message"))
        thread_ts = string_at(*m, "ts");
    if (channel.empty() || thread_ts.empty()) {
        tell(i, blocks::ask_in_thread_needs_card_reply());
        return;
    }
    // Slack ids from the directory or the cache only: no Slack call while Slack waits for our answer.
    std::string requester_slack;
    if (auto r = dir.find(p.requester()); r != workflow::no_person)
        requester_slack = dir.at(r).slack_id;
    if (requester_slack.empty())
        if (auto cached = ctx_.slack_users.by_person(p.requester()); cached && *cached)
            requester_slack = (*cached)->slack_id;

    // A DM card's thread is the reviewer's private conversation with the app: ask under the request's
    // card in a channel instead, where the requester can read and answer.
    if (channel.starts_with('D')) {
        std::optional<workflow::card_message> shared;
        if (auto copies = ctx_.cards.for_petition(p.id); copies)
            for (const auto& c : *copies)
                if (c.kind == workflow::card_kind::channel && !c.channel.starts_with('D') &&
                    (!shared || c.step >= shared->step))
                    shared = c;
        if (!shared) {
            tell(i, blocks::ask_in_thread_no_shared_card_reply(p, requester_slack));
            return;
        }
        channel = shared->channel;
        thread_ts = shared->ts;
    }

    auto message = blocks::ask_in_thread_message(p, requester_slack, i.user_id, asker.who().name);
    message["thread_ts"] = thread_ts;
    const auto now = ctx_.clock.now();
    const auto key = "thread/" + p.id + "/" + i.user_id + "/" + thread_ts;
    // This reviewer already asked in this thread: its job (done or not) is under the same key.
    if (auto asked = ctx_.jobs.find(key); asked && *asked) {
        tell(i, blocks::ask_in_thread_already_asked_reply(channel));
        return;
    }
    auto posted = ctx_.jobs.enqueue(
        app::job(app::job_kind::post_in_thread, key, app::encode(app::thread_payload{channel, std::move(message)}), now),
        now);
    if (!posted) {
        spdlog::warn("slack: could not enqueue ask-in-thread for {}: {}", p.id, posted.error().message);
        tell(i, blocks::error_reply(posted.error()));
        return;
    }
    // The requester hears of the question by DM (a thread reply notifies no one who has not joined it).
    if (!requester_slack.empty()) {
        auto dm = blocks::asked_about_your_request_message(p, i.user_id, asker.who().name, channel);
        if (auto r = ctx_.jobs.enqueue(app::job(app::job_kind::post_in_thread, key + "/dm",
                                                app::encode(app::thread_payload{requester_slack, std::move(dm)}), now),
                                       now);
            !r)
            spdlog::warn("slack: could not enqueue the question's DM for {}: {}", p.id, r.error().message);
    }
    ctx_.runner.wake();
    tell(i, blocks::ask_in_thread_asked_reply(channel, p.route.requester_name));
}

std::optional<boost::json::object> slack_interactions::on_view_submission(const interaction& i)
{
    const auto* view = object_at(i.payload, "view");
    if (!view)
        return std::nullopt;
    const auto callback = blocks::parse_action_id(string_at(*view, "callback_id"));
    if (callback == blocks::action::request_submit)
        return on_request_submit(i, *view);
    if (callback == blocks::action::extend_submit)
        return on_extend_submit(i, *view);
    if (callback != blocks::action::deny_submit)
        return std::nullopt;

    const auto& input = blocks::info(blocks::action::deny_reason_input);
    std::string reason;
    if (auto* state = object_at(*view, "state"))
        if (auto* values = object_at(*state, "values"))
            if (auto* block = object_at(*values, input.block_id))
                if (auto* element = object_at(*block, input.name))
                    reason = string_at(*element, "value");
    auto field_error = [&](std::string text) {
        return boost::json::object{{"response_action", "errors"},
                                   {"errors", boost::json::object{{input.block_id, std::move(text)}}}};
    };
    reason = std::string(workflow::trim(reason));
    if (workflow::char_count(reason) < blocks::min_deny_reason_length)
        return field_error(blocks::field_text::deny_reason_missing());

    auto who = person_for_slack_user(ctx_, i.user_id);
    if (!who.found())
        return field_error(blocks::field_text::not_in_directory());
    const auto id = string_at(*view, "private_metadata");
    auto t = ctx_.access.act(id, workflow::through(workflow::deny_by(who.who().id,
                                                                     reason, ctx_.clock.now()),
                                                   workflow::slack_origin()));
    if (!t)
        return field_error(blocks::error_text(t.error()));
    return std::nullopt;
}

boost::json::object slack_interactions::on_block_suggestion(const interaction& i)
{
    if (blocks::parse_action_id(string_at(i.payload, "action_id")) != blocks::action::bundle_select)
        return boost::json::object{{"options", boost::json::array{}}};
    auto query = string_at(i.payload, "value");
    if (query.size() > max_query_length)
        query.resize(max_query_length);
    return blocks::bundle_suggestions(ctx_.policy.now()->catalog, query);
}

void slack_interactions::on_bundle_picked(const interaction& i, const boost::json::object& action)
{
    const auto* view = object_at(i.payload, "view");
    std::string bundle;
    if (auto* selected = object_at(action, "selected_option"))
        bundle = string_at(*selected, "value");
    if (!view || bundle.empty())
        return;
    const auto view_id = string_at(*view, "id");
    if (view_id.empty())
        return;
    auto who = person_for_slack_user(ctx_, i.user_id);
    const std::string me = who.found() ? who.who().id : std::string();
    auto modal = request_modal_for(ctx_, me, bundle, string_at(*view, "private_metadata"));
    // views.update is not bound to the trigger's 3 s: a job carries it, with the hash against stale views.
    const auto now = ctx_.clock.now();
    auto r = ctx_.jobs.enqueue(
        app::job(app::job_kind::update_view, "view/" + view_id + "/" + string_at(action, "action_ts"),
                 app::encode(app::view_payload{view_id, string_at(*view, "hash"), std::move(modal)}), now),
        now);
    if (!r)
        spdlog::warn("slack: could not enqueue the request modal update for {}: {}", i.user_id, r.error().message);
    ctx_.runner.wake();
}

void slack_interactions::open_extend_modal(const interaction& i, const workflow::petition& p, const std::string& me)
{
    if (p.requester() != me) {
        tell(i, blocks::only_requester_extends_reply(p));
        return;
    }
    if (p.state != workflow::petition_state::active) {
        tell(i, blocks::only_active_extends_reply(p));
        return;
    }
    const auto policy = ctx_.policy.now();
    const auto* bundle = policy->catalog.find(p.entitlement());
    if (!bundle) {
        tell(i, blocks::extend_by_command_reply(p));
        return;
    }
    std::vector<blocks::duration_choice> choices;
    const auto now = ctx_.clock.now();
    for (auto added : blocks::offered_extensions(bundle->durations, p.length())) {
        blocks::duration_choice c{added, {}};
        if (auto r = workflow::explain(*policy, me, p.entitlement(), p.length() + added, now))
            c.hint = blocks::route_hint(*r);
        choices.push_back(std::move(c));
    }
    auto r = ctx_.slack.open_view(string_at(i.payload, "trigger_id"), blocks::extend_modal(p, choices));
    if (!r.ok())
        spdlog::warn("slack: views.open (extend {}) for {} failed: {}", p.id, i.user_id, r.error);
}

std::optional<boost::json::object> slack_interactions::on_extend_submit(const interaction& i,
                                                                      const boost::json::object& view)
{
    const auto duration_block = std::string(blocks::info(blocks::action::extend_duration_select).block_id);
    const auto reason_block = std::string(blocks::info(blocks::action::extend_reason_input).block_id);
    const auto added_text = view_value(view, blocks::action::extend_duration_select);
    const auto reason = std::string(workflow::trim(view_value(view, blocks::action::extend_reason_input)));
    boost::json::object errors;
    auto added = workflow::parse_duration(added_text);
    if (!added)
        errors[duration_block] = blocks::field_text::pick_extension();
    if (workflow::char_count(reason) < blocks::min_reason_length)
        errors[reason_block] = blocks::field_text::reason_too_short();
    if (!errors.empty())
        return field_errors(std::move(errors));
    auto who = person_for_slack_user(ctx_, i.user_id);
    if (!who.found())
        return field_errors({{duration_block, blocks::field_text::not_in_directory()}});
    auto t = ctx_.access.extend(string_at(view, "private_metadata"), who.who().id,
                                *added, reason, workflow::slack_origin());
    if (!t)
        return field_errors({{duration_block, blocks::error_text(t.error())}});
    return std::nullopt; // the requester is told by the "extended" or "extension requested" DM
}

std::optional<boost::json::object> slack_interactions::on_request_submit(const interaction& i,
                                                                       const boost::json::object& view)
{
    auto field = [&](blocks::action a) { return view_value(view, a); };
    const auto bundle = field(blocks::action::bundle_select);
    const auto length_text = field(blocks::action::duration_select);
    const auto reason = std::string(workflow::trim(field(blocks::action::reason_input)));
    const auto ticket = std::string(workflow::trim(field(blocks::action::ticket_input)));

    boost::json::object errors;
    auto block_of = [](blocks::action a) { return blocks::info(a).block_id; };
    if (bundle.empty())
        errors[block_of(blocks::action::bundle_select)] = blocks::field_text::pick_bundle();
    std::optional<workflow::duration> length;
    if (!length_text.empty()) {
        if (auto d = workflow::parse_duration(length_text))
            length = *d;
        else
            errors[block_of(blocks::action::duration_select)] = blocks::field_text::pick_offered_duration();
    }
    if (workflow::char_count(reason) < blocks::min_reason_length)
        errors[block_of(blocks::action::reason_input)] = blocks::field_text::reason_too_short();
    if (workflow::char_count(ticket) > blocks::max_ticket_length)
        errors[block_of(blocks::action::ticket_input)] = blocks::field_text::ticket_too_long();
    if (errors.empty()) {
        auto who = person_for_slack_user(ctx_, i.user_id);
        if (!who.found()) {
            errors[block_of(blocks::action::bundle_select)] = blocks::field_text::not_in_directory();
        } else {
            auto p = ctx_.access.submit(who.who().id,
                                        workflow::intent::request{bundle, length, reason, ticket, false, {},
                                                                  workflow::slack_origin()});
            // A refusal about the length belongs under the duration; any other, under the bundle.
            if (!p)
                errors[block_of(p.error().code == workflow::route_error::too_long ? blocks::action::duration_select
                                                                                  : blocks::action::bundle_select)] =
                    blocks::error_text(p.error());
        }
    }
    if (errors.empty())
        return std::nullopt; // the modal closes; the requester is told by the "submitted" DM
    return boost::json::object{{"response_action", "errors"}, {"errors", std::move(errors)}};
}

} // namespace checkpoint::bot
