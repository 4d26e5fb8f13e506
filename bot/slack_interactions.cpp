#include "bot/slack_interactions.hpp"

#include "blocks/actions.hpp"
#include "blocks/approval_card.hpp"
#include "blocks/command_replies.hpp"
#include "blocks/deny_modal.hpp"
#include "blocks/error_text.hpp"
#include "blocks/kit.hpp"
#include "blocks/request_modal.hpp"
#include "workflow/duration.hpp"
#include "workflow/intent.hpp"
#include "bot/slack_identity.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <string>

namespace checkpoint::bot {

namespace {

std::string string_at(const boost::json::object& o, std::string_view key)
{
    if (auto* v = o.if_contains(key); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

const boost::json::object* object_at(const boost::json::object& o, std::string_view key)
{
    if (auto* v = o.if_contains(key); v && v->is_object())
        return &v->get_object();
    return nullptr;
}

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

} // namespace

slack_interactions::slack_interactions(service_context& ctx) : ctx_(ctx) {}

std::optional<boost::json::object> slack_interactions::handle(const interaction& i)
{
    switch (i.kind) {
    case interaction_kind::block_actions: return on_block_actions(i);
    case interaction_kind::view_submission: return on_view_submission(i);
    case interaction_kind::block_suggestion:
        return boost::json::object{{"options", boost::json::array{}}};
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
    boost::json::object payload{{"channel", channel}, {"user", i.user_id}, {"message", std::move(message)}};
    auto r = ctx_.jobs.enqueue({"post_ephemeral", "ephemeral/" + i.user_id + "/" + stamp, boost::json::serialize(payload),
                                now, workflow::on_duplicate::keep},
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
        const auto id = string_at(*a, "value");
        if (*which != blocks::action::approve && *which != blocks::action::deny && *which != blocks::action::cancel &&
            *which != blocks::action::revoke && *which != blocks::action::ask_in_thread) {
            spdlog::info("slack: action {} from {} not handled here", string_at(*a, "action_id"), i.user_id);
            continue;
        }
        auto who = person_for_slack_user(ctx_, i.user_id);
        if (!who.found()) {
            tell(i, blocks::not_in_directory_reply(i.user_id, who.email));
            continue;
        }
        const auto& me = ctx_.manifests.directory.at(who.person).id;
        auto current = ctx_.access.get(id);
        if (!current) {
            tell(i, blocks::error_reply(current.error()));
            continue;
        }
        const auto now = ctx_.clock.now();

        if (*which == blocks::action::ask_in_thread) {
            ask_in_thread(i, *current, who.person);
            continue;
        }
        if (*which == blocks::action::deny) {
            // The reason is asked in a modal; the denial happens on its submission.
            auto r = ctx_.slack.open_view(string_at(i.payload, "trigger_id"),
                                          blocks::deny_modal(*current, card_kind_of(*current)));
            if (!r.ok())
                spdlog::warn("slack: views.open (deny {}) for {} failed: {}", id, i.user_id, r.error);
            continue;
        }

        workflow::event e = *which == blocks::action::approve  ? workflow::approve_by(me, now)
                            : *which == blocks::action::cancel ? workflow::cancel_by(me, now)
                                                               : workflow::revoke_by(me, now);
        auto t = ctx_.access.act(id, e);
        if (t)
            continue; // every copy of the card is updated by the update_cards job
        if (t.error().code == workflow::petition_error::illegal_transition && *which == blocks::action::approve &&
            current->state != workflow::petition_state::pending)
            tell(i, blocks::already_decided_reply({*current, card_kind_of(*current), current->progress.step, me,
                                                   &ctx_.manifests.directory}));
        else
            tell(i, blocks::error_reply(t.error()));
    }
    return std::nullopt;
}

void slack_interactions::ask_in_thread(const interaction& i, const workflow::petition& p,
                                       workflow::person_index asker)
{
    const auto channel = channel_of(i.payload);
    std::string thread_ts;
    if (auto* m = object_at(i.payload, "message"))
        thread_ts = string_at(*m, "ts");
    if (channel.empty() || thread_ts.empty()) {
        tell(i, blocks::ephemeral_message("Ask in thread works on a card in a channel or a DM.", {}));
        return;
    }
    // Slack ids from the directory or the cache only: no Slack call while Slack waits for our answer.
    std::string requester_slack;
    const auto& dir = ctx_.manifests.directory;
    if (auto r = dir.find(p.requester()); r != workflow::no_person)
        requester_slack = dir.at(r).slack_id;
    if (requester_slack.empty())
        if (auto cached = ctx_.slack_users.by_person(p.requester()); cached && *cached)
            requester_slack = (*cached)->slack_id;
    auto message = blocks::ask_in_thread_message(p, requester_slack, i.user_id, dir.at(asker).name);
    message["thread_ts"] = thread_ts;
    const auto now = ctx_.clock.now();
    boost::json::object payload{{"channel", channel}, {"message", std::move(message)}};
    auto r = ctx_.jobs.enqueue({"post_in_thread", "thread/" + p.id + "/" + i.user_id + "/" + thread_ts,
                                boost::json::serialize(payload), now, workflow::on_duplicate::keep},
                               now);
    if (!r)
        spdlog::warn("slack: could not enqueue ask-in-thread for {}: {}", p.id, r.error().message);
    ctx_.runner.wake();
}

std::optional<boost::json::object> slack_interactions::on_view_submission(const interaction& i)
{
    const auto* view = object_at(i.payload, "view");
    if (!view)
        return std::nullopt;
    const auto callback = blocks::parse_action_id(string_at(*view, "callback_id"));
    if (callback == blocks::action::request_submit)
        return on_request_submit(i, *view);
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
    if (reason.size() < blocks::min_deny_reason_length)
        return field_error("Say why, in a few words: the requester reads this.");

    auto who = person_for_slack_user(ctx_, i.user_id);
    if (!who.found())
        return field_error("Checkpoint does not know you: an admin must add your Slack account to the directory.");
    const auto id = string_at(*view, "private_metadata");
    auto t = ctx_.access.act(id, workflow::deny_by(ctx_.manifests.directory.at(who.person).id, reason,
                                                   ctx_.clock.now()));
    if (!t)
        return field_error(blocks::error_text(t.error()));
    return std::nullopt;
}

std::optional<boost::json::object> slack_interactions::on_request_submit(const interaction& i,
                                                                       const boost::json::object& view)
{
    const boost::json::object* values = nullptr;
    if (auto* state = object_at(view, "state"))
        values = object_at(*state, "values");
    // A select's value is its selected option's; an input's is its text.
    auto field = [&](blocks::action a) -> std::string {
        const auto& f = blocks::info(a);
        if (!values)
            return {};
        auto* block = object_at(*values, f.block_id);
        auto* element = block ? object_at(*block, f.name) : nullptr;
        if (!element)
            return {};
        if (auto* selected = object_at(*element, "selected_option"))
            return string_at(*selected, "value");
        return string_at(*element, "value");
    };
    const auto bundle = field(blocks::action::bundle_select);
    const auto length_text = field(blocks::action::duration_select);
    const auto reason = field(blocks::action::reason_input);
    const auto ticket = field(blocks::action::ticket_input);

    boost::json::object errors;
    auto block_of = [](blocks::action a) { return blocks::info(a).block_id; };
    if (bundle.empty())
        errors[block_of(blocks::action::bundle_select)] = "Pick what you need access to.";
    std::optional<workflow::duration> length;
    if (!length_text.empty()) {
        if (auto d = workflow::parse_duration(length_text))
            length = *d;
        else
            errors[block_of(blocks::action::duration_select)] = "Pick one of the offered durations.";
    }
    if (reason.size() < blocks::min_reason_length)
        errors[block_of(blocks::action::reason_input)] =
            "Say why in at least " + std::to_string(blocks::min_reason_length) + " characters: reviewers read this.";
    if (ticket.size() > blocks::max_ticket_length)
        errors[block_of(blocks::action::ticket_input)] = "A ticket reference is at most 100 characters.";
    if (errors.empty()) {
        auto who = person_for_slack_user(ctx_, i.user_id);
        if (!who.found()) {
            errors[block_of(blocks::action::bundle_select)] =
                "Checkpoint does not know you: an admin must add your Slack account to the directory.";
        } else {
            auto p = ctx_.access.submit(ctx_.manifests.directory.at(who.person).id,
                                        workflow::intent::request{bundle, length, reason, ticket, false});
            if (!p)
                errors[block_of(blocks::action::bundle_select)] = blocks::error_text(p.error());
        }
    }
    if (errors.empty())
        return std::nullopt; // the modal closes; the requester is told by the "submitted" DM
    return boost::json::object{{"response_action", "errors"}, {"errors", std::move(errors)}};
}

} // namespace checkpoint::bot
