#include "bot/slack_commands.hpp"

#include "app/catalog_admin.hpp"

#include "blocks/catalog_message.hpp"
#include "blocks/command_replies.hpp"
#include "blocks/error_text.hpp"
#include "blocks/format.hpp"
#include "blocks/help_message.hpp"
#include "blocks/kit.hpp"
#include "blocks/messages.hpp"
#include "blocks/request_modal.hpp"
#include "bot/slack_identity.hpp"
#include "bot/slack_interactions.hpp"
#include "workflow/route.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <future>
#include <vector>

namespace checkpoint::bot {

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
// Spelled out for clang before 17, which does not deduce an aggregate's template arguments.
template <class... F>
overloaded(F...) -> overloaded<F...>;

} // namespace

slack_commands::slack_commands(service_context& ctx)
    : ctx_(ctx), clock_(ctx.clock)
{
}

person_lookup slack_commands::bind(const slash_command& c) const
{
    return person_for_slack_user(ctx_, c.user_id);
}

std::optional<std::string> slack_commands::bind_person(const slash_command& c, boost::json::object& refusal) const
{
    auto who = person_for_slack_user(ctx_, c.user_id);
    if (who.found())
        return who.who().id;
    if (who.failure && who.failure->outcome == slack_outcome::retryable)
        refusal = blocks::slack_unavailable_reply(who.failure->error);
    else
        refusal = blocks::not_in_directory_reply(c.user_id, who.email, who.refusal);
    return std::nullopt;
}

std::optional<boost::json::object> slack_commands::answer_now(const slash_command& c) const
{
    auto line = workflow::parse_command_line(c.text);
    if (!line)
        return blocks::error_reply(line.error());
    if (!line->sub)
        return blocks::unknown_subcommand_message(c.command, line->word);
    auto intent = workflow::to_intent(*line, clock_.now());
    if (!intent)
        return blocks::error_reply(intent.error());
    if (std::holds_alternative<workflow::intent::help>(*intent))
        return blocks::help_message(c.command);
    return std::nullopt;
}

boost::json::object slack_commands::handle(const slash_command& c)
{
    std::promise<boost::json::object> promise;
    auto answer = promise.get_future();
    handle(c, [&promise](boost::json::object o) { promise.set_value(std::move(o)); });
    return answer.get();
}

void slack_commands::handle(const slash_command& c, reply respond)
{
    if (auto now = answer_now(c))
        return respond(std::move(*now));
    auto intent = workflow::to_intent(*workflow::parse_command_line(c.text), clock_.now());

    namespace in = workflow::intent;
    std::visit(
        overloaded{
            [&](const in::help&) { respond(blocks::help_message(c.command)); },
            [&](const in::catalog& i) { respond(on_catalog(c, i)); },
            [&](const in::explain& i) { respond(on_explain(c, i)); },
            [&](const in::request& i) { on_request(c, i, std::move(respond)); },
            [&](const in::status& i) { respond(on_status(c, i)); },
            [&](const in::mine&) { respond(on_mine(c)); },
            [&](const in::pending&) { respond(on_pending(c)); },
            [&](const in::extend& i) { on_extend(c, i, std::move(respond)); },
            [&](const in::cancel& i) { on_cancel(c, i, std::move(respond)); },
            [&](const in::revoke& i) { on_revoke(c, i, std::move(respond)); },
            [&](const in::ooo_set& i) { respond(on_ooo(c, i)); },
            [&](const in::ooo_off&) { respond(on_ooo(c, std::nullopt)); },
        },
        *intent);
}

void slack_commands::reply_changed(workflow::result<workflow::transition> t, workflow::event_kind kind, reply respond)
{
    ctx_.run_off_http([this, t = std::move(t), kind, respond = std::move(respond)] {
        if (!t)
            return respond(blocks::error_reply(t.error()));
        std::optional<workflow::petition> held;
        if (kind == workflow::event_kind::revoke) {
            if (auto h = ctx_.access.holding(t->petition.requester(), t->petition.entitlement()); h)
                held = std::move(*h);
            else
                spdlog::warn("revoke of {}: cannot tell whether other access remains: {}", t->petition.id,
                             h.error().message);
        }
        respond(blocks::changed_reply(t->petition, kind, held ? &*held : nullptr));
    });
}

boost::json::object slack_commands::on_catalog(const slash_command& c, const workflow::intent::catalog& i)
{
    const auto me = bind(c);
    std::vector<blocks::catalog_entry> entries;
    // One read of the recent request log for every bundle listed.
    auto history = app::catalog_history(ctx_.petitions, ctx_.clock.now());
    if (!history)
        spdlog::warn("slack: the catalog is shown without its history: {}", history.error().message);
    for (const workflow::bundle* b : me.policy->catalog.search(i.words)) {
        blocks::catalog_entry e{b, {}};
        e.history_known = history.has_value();
        if (history)
            if (auto h = history->find(b->name); h != history->end())
                e.history = h->second;
        // The hint is personal: the same bundle may be instant for its owners and reviewed for others.
        if (me.found())
            if (auto r = ctx_.access.explain(me.who().id, b->name, std::nullopt))
                e.hint = blocks::route_hint(*r);
        entries.push_back(std::move(e));
    }
    return blocks::catalog_reply(entries, i.words);
}

boost::json::object slack_commands::on_explain(const slash_command& c, const workflow::intent::explain& i)
{
    const auto me = bind(c);
    if (!me.found())
        return blocks::not_in_directory_reply(c.user_id, "");
    auto r = ctx_.access.explain(me.who().id, i.target, i.length);
    if (!r)
        return blocks::error_reply(r.error());
    return blocks::explain_reply(*r);
}

void slack_commands::on_request(const slash_command& c, const workflow::intent::request& i, reply respond)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return respond(std::move(refusal));
    if (i.target.empty()) {
        // The only Slack call made inside a request: the trigger_id dies after 3 s.
        if (!c.trigger_id.empty()) {
            auto r = ctx_.slack.open_view(c.trigger_id, request_modal_for(ctx_, *me, {}, c.channel_id));
            if (r.ok())
                return respond(blocks::opening_form_reply());
            spdlog::warn("slack: views.open for {} failed: {}", c.user_id, r.error);
        }
        return respond(blocks::request_usage_reply(c.command));
    }
    // Answered once the request is durable; the writer only hands the result over.
    auto filed = i;
    filed.via = workflow::slack_origin();
    ctx_.access.submit(*me, filed, [this, respond = std::move(respond)](workflow::result<workflow::petition> p) mutable {
        ctx_.run_off_http([p = std::move(p), respond = std::move(respond)] {
            respond(p ? blocks::request_reply(*p) : blocks::error_reply(p.error()));
        });
    });
}

boost::json::object slack_commands::on_status(const slash_command& c, const workflow::intent::status& i)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return refusal;
    const auto policy = ctx_.policy.now();
    if (i.petition_id.empty()) {
        auto mine = ctx_.access.mine(*me, 1);
        if (!mine)
            return blocks::error_reply(mine.error());
        if (mine->empty())
            return blocks::no_requests_yet_reply(c.command);
        return blocks::status_reply(mine->front(), &policy->directory);
    }
    auto p = ctx_.access.get(i.petition_id);
    if (!p)
        return blocks::error_reply(p.error());
    // Anyone may look a request up; its reason, ticket and decisions' reasons only those it concerns.
    if (!workflow::may_read_private(*p, *me))
        return blocks::status_reply(workflow::public_view(*p), &policy->directory, true);
    return blocks::status_reply(*p, &policy->directory);
}

boost::json::object slack_commands::on_mine(const slash_command& c)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return refusal;
    auto mine = ctx_.access.mine(*me);
    if (!mine)
        return blocks::error_reply(mine.error());
    return blocks::mine_reply(*mine);
}

boost::json::object slack_commands::on_pending(const slash_command& c)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return refusal;
    auto waiting = ctx_.access.awaiting(*me);
    if (!waiting)
        return blocks::error_reply(waiting.error());
    return blocks::pending_reply(*waiting, *me);
}

void slack_commands::on_extend(const slash_command& c, const workflow::intent::extend& i, reply respond)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return respond(std::move(refusal));
    ctx_.access.extend(i.petition_id, *me, i.added, i.reason, workflow::slack_origin(),
                       [this, respond = std::move(respond)](workflow::result<workflow::transition> t) mutable {
                           reply_changed(std::move(t), workflow::event_kind::request_extension, std::move(respond));
                       });
}

void slack_commands::on_cancel(const slash_command& c, const workflow::intent::cancel& i, reply respond)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return respond(std::move(refusal));
    ctx_.access.act(i.petition_id, workflow::through(workflow::cancel_by(*me, clock_.now()), workflow::slack_origin()),
                    [this, respond = std::move(respond)](workflow::result<workflow::transition> t) mutable {
                        reply_changed(std::move(t), workflow::event_kind::cancel, std::move(respond));
                    });
}

void slack_commands::on_revoke(const slash_command& c, const workflow::intent::revoke& i, reply respond)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return respond(std::move(refusal));
    ctx_.access.act(i.petition_id, workflow::through(workflow::revoke_by(*me, clock_.now(), i.reason), workflow::slack_origin()),
                    [this, respond = std::move(respond)](workflow::result<workflow::transition> t) mutable {
                        reply_changed(std::move(t), workflow::event_kind::revoke, std::move(respond));
                    });
}

boost::json::object slack_commands::on_ooo(const slash_command& c,
                                           const std::optional<workflow::intent::ooo_set>& set)
{
    boost::json::object refusal;
    auto me = bind_person(c, refusal);
    if (!me)
        return refusal;
    const auto policy = ctx_.policy.now();
    const auto& dir = policy->directory;
    std::optional<app::access_service::away_request> away;
    std::string delegate_name;
    if (set) {
        away.emplace();
        away->until = set->until;
        if (!set->delegate_slack_id.empty() || !set->delegate_ref.empty()) {
            if (!set->delegate_slack_id.empty()) {
                auto who = person_for_slack_user(ctx_, set->delegate_slack_id);
                if (!who.found())
                    return blocks::delegate_not_in_directory_reply(set->delegate_slack_id);
                away->delegate = who.who().id;
                delegate_name = who.who().name;
            } else {
                const auto d = dir.find(set->delegate_ref);
                if (d == workflow::no_person)
                    return blocks::delegate_unknown_reply(set->delegate_ref);
                away->delegate = dir.at(d).id;
                delegate_name = dir.at(d).name;
            }
        }
    }
    if (!set) {
        // Back when not away: nothing to change, and no "welcome back" for someone who never left.
        auto current = ctx_.access.away_of(*me);
        if (!current)
            return blocks::error_reply(current.error());
        if (!*current)
            return blocks::ooo_not_away_reply();
    }
    auto stored = ctx_.access.set_away(*me, away, workflow::slack_origin());
    if (!stored)
        return blocks::error_reply(stored.error());
    return blocks::ooo_reply(*stored, delegate_name);
}

} // namespace checkpoint::bot
