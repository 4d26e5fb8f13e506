#include "blocks/app_home.hpp"

#include "blocks/command_replies.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/petition_summary.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

namespace {

using workflow::petition_state;

// Blocks per section so that the last one always has room, whatever the first ones hold.
constexpr std::size_t access_budget = 30;
constexpr std::size_t requests_budget = 25;

bool holds_access(const workflow::petition& p)
{
    return p.state == petition_state::approved || p.state == petition_state::provisioning ||
           p.state == petition_state::active;
}

// What the access gives, one bullet each, as the grant DM says it; nothing for resources or unknown bundles.
std::string gives_text(const workflow::petition& p, const workflow::catalog* catalog)
{
    const auto* b = catalog && !p.route.is_resource ? catalog->find(p.route.target) : nullptr;
    if (!b)
        return {};
    std::string out;
    for (const auto& line : workflow::entitlement_lines(*b))
        out += "\n• " + escape(line);
    return out;
}

std::vector<boost::json::array> access_items(const home_input& in)
{
    std::vector<boost::json::array> out;
    for (const auto& p : in.mine) {
        if (!holds_access(p))
            continue;
        std::string line = "*" + target_label(p.route) + "* · `" + escape(p.id) + "`\n" + state_text(p) +
                           gives_text(p, in.catalog);
        boost::json::array buttons;
        if (p.pending_extension)
            line += "\n:hourglass_flowing_sand: Extension of +" + format_length(p.pending_extension->added) +
                    " waiting for approval";
        else if (p.state == petition_state::active)
            buttons.push_back(petition_button(action::extend, p.id));
        if (p.review_pending)
            line += "\n:mag: Break-glass: awaiting review";
        buttons.push_back(with_confirm(petition_button(action::revoke, p.id),
                                       "Give up this access?", "Your access to " + p.route.target +
                                       " ends now. You can request it again later.", "Revoke", "Keep it"));
        out.push_back({section_block(line), actions_block(petition_block_id(p.id), std::move(buttons))});
    }
    return out;
}

std::vector<boost::json::array> request_items(const home_input& in)
{
    std::vector<boost::json::array> out;
    for (const auto& p : in.mine) {
        if (p.state != petition_state::pending)
            continue;
        out.push_back({section_with_button("*" + target_label(p.route) + "* for " + format_length(p.length()) + " · `" +
                                               escape(p.id) + "`\n" + state_text(p) + " · requested " +
                                               slack_time(p.created_at),
                                           petition_button(action::cancel, p.id))});
    }
    return out;
}

std::vector<boost::json::array> review_items(const home_input& in)
{
    std::vector<boost::json::array> out;
    for (const auto& p : in.to_review) {
        const bool ext = p.state == petition_state::active && p.pending_extension;
        const bool review = p.review_pending && holds_access(p);
        const auto& r = ext ? p.pending_extension->route : p.route;
        const auto step = ext ? p.pending_extension->progress.step : review ? 0 : p.progress.step;
        std::string line = review ? ":rotating_light: Break-glass review: " : ext ? ":hourglass: Extension: " : "";
        line += petition_line(p);
        if (step < r.steps.size())
            for (const auto& rv : r.steps[step].reviewers)
                if (rv.person_id == in.person_id)
                    line += "\n*Why you:* " + escape(reason_without_name(rv));
        line += "\n" + quoted(truncate(ext ? p.pending_extension->reason : p.reason, 280));
        out.push_back({section_block(line),
                       actions_block(petition_block_id(p.id),
                                     {petition_button(action::approve, p.id, review),
                                      petition_button(action::deny, p.id, review)})});
    }
    return out;
}

} // namespace

boost::json::object app_home(const home_input& in)
{
    boost::json::array blocks;
    blocks.push_back(header_block("Checkpoint: just-in-time access"));
    blocks.push_back(section_with_button("Ask for temporary access to a bundle; it ends on its own.",
                                         button(action::open_request_modal, info(action::open_request_modal).label, "", button_style::primary)));

    blocks.push_back(header_block("Your access"));
    if (auto items = access_items(in); items.empty())
        blocks.push_back(section_block("_You hold no access through Checkpoint right now._"));
    else
        append_fitting(blocks, std::move(items), access_budget, "`/checkpoint mine` lists them.");

    blocks.push_back(header_block("Your open requests"));
    if (auto items = request_items(in); items.empty())
        blocks.push_back(section_block("_Nothing waiting for approval._"));
    else
        append_fitting(blocks, std::move(items), access_budget + requests_budget, "`/checkpoint mine` lists them.");

    blocks.push_back(header_block("Waiting on you"));
    if (auto items = review_items(in); items.empty())
        blocks.push_back(section_block("_No approvals waiting on you._"));
    else
        append_fitting(blocks, std::move(items), max_view_blocks - 1, "`/checkpoint pending` lists them.");
    blocks.push_back(context_block("`/checkpoint help` lists every command."));
    return {{"type", "home"}, {"blocks", std::move(blocks)}};
}

boost::json::object app_home_unknown(std::string_view slack_user_id, std::string_view email, std::string_view why)
{
    const auto reply = not_in_directory_reply(slack_user_id, email, why);
    boost::json::array blocks;
    blocks.push_back(header_block("Checkpoint: just-in-time access"));
    if (auto* b = reply.if_contains("blocks"); b && b->is_array())
        for (const auto& block : b->get_array())
            blocks.push_back(block);
    return {{"type", "home"}, {"blocks", std::move(blocks)}};
}

} // namespace checkpoint::blocks
