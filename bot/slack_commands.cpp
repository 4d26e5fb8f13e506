#include "bot/slack_commands.hpp"

#include "blocks/catalog_message.hpp"
#include "blocks/command_replies.hpp"
#include "blocks/error_text.hpp"
#include "blocks/format.hpp"
#include "blocks/help_message.hpp"
#include "workflow/route.hpp"

#include <vector>

namespace checkpoint::bot {

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};

} // namespace

slack_commands::slack_commands(service_context& ctx)
    : ctx_(ctx), manifests_(ctx.manifests), clock_(ctx.clock)
{
}

workflow::person_index slack_commands::bind(const slash_command& c) const
{
    return manifests_.directory.find_by_slack_id(c.user_id);
}

boost::json::object slack_commands::handle(const slash_command& c)
{
    auto line = workflow::parse_command_line(c.text);
    if (!line)
        return blocks::error_reply(line.error());
    if (!line->sub)
        return blocks::unknown_subcommand_message(c.command, line->word);
    auto intent = workflow::to_intent(*line, clock_.now());
    if (!intent)
        return blocks::error_reply(intent.error());

    namespace in = workflow::intent;
    return std::visit(
        overloaded{
            [&](const in::help&) { return blocks::help_message(c.command); },
            [&](const in::catalog& i) { return on_catalog(c, i); },
            [&](const in::explain& i) { return on_explain(c, i); },
            [&](const in::request&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::status&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::mine&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::pending&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::extend&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::cancel&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::revoke&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::ooo_set&) { return blocks::not_available_message(c.command, *line->sub); },
            [&](const in::ooo_off&) { return blocks::not_available_message(c.command, *line->sub); },
        },
        *intent);
}

boost::json::object slack_commands::on_catalog(const slash_command& c, const workflow::intent::catalog& i)
{
    const auto me = bind(c);
    const auto now = clock_.now();
    std::vector<blocks::catalog_entry> entries;
    for (const workflow::bundle* b : manifests_.catalog.search(i.words)) {
        blocks::catalog_entry e{b, {}};
        // The hint is personal: the same bundle may be instant for its owners and reviewed for others.
        if (me != workflow::no_person)
            if (auto r = workflow::explain(manifests_, manifests_.directory.at(me).id, b->name, std::nullopt, now))
                e.hint = blocks::route_hint(*r);
        entries.push_back(std::move(e));
    }
    return blocks::catalog_reply(entries, i.words);
}

boost::json::object slack_commands::on_explain(const slash_command& c, const workflow::intent::explain& i)
{
    const auto me = bind(c);
    if (me == workflow::no_person)
        return blocks::not_in_directory_reply(c.user_id, "");
    auto r = workflow::explain(manifests_, manifests_.directory.at(me).id, i.target, i.length, clock_.now());
    if (!r)
        return blocks::error_reply(r.error());
    return blocks::explain_reply(*r);
}

} // namespace checkpoint::bot
