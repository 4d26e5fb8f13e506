#include "blocks/request_modal.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <map>

namespace checkpoint::blocks {

namespace {

// Bundles the select can offer: open for requests, and with a name that fits an option value.
bool offerable(const workflow::bundle& b) { return !b.deprecated && char_count(b.name) <= max_option_value; }

boost::json::object bundle_option(const workflow::bundle& b)
{
    return option(b.name, b.name, std::string(workflow::title(b.level)) + " risk · owner " + b.owner_team);
}

// Groups by owning team, teams and bundles by name; at most `limit` options in all.
boost::json::array bundle_groups(const std::vector<const workflow::bundle*>& bundles, std::size_t limit)
{
    std::map<std::string, std::vector<const workflow::bundle*>> by_team;
    std::size_t taken = 0;
    for (const auto* b : bundles) {
        if (!offerable(*b) || taken == limit)
            continue;
        by_team[b->owner_team].push_back(b);
        ++taken;
    }
    boost::json::array groups;
    for (auto& [team, list] : by_team) {
        if (groups.size() == max_option_groups)
            break;
        std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->name < b->name; });
        boost::json::array options;
        for (const auto* b : list)
            options.push_back(bundle_option(*b));
        groups.push_back(boost::json::object{{"label", plain_text(team.empty() ? "No owner" : team, max_option_group_label)},
                                             {"options", std::move(options)}});
    }
    return groups;
}

std::vector<const workflow::bundle*> all_bundles(const workflow::catalog& c)
{
    std::vector<const workflow::bundle*> out;
    for (const auto& b : c.bundles())
        out.push_back(&b);
    return out;
}

std::size_t count_offerable(const workflow::catalog& c)
{
    return static_cast<std::size_t>(
        std::count_if(c.bundles().begin(), c.bundles().end(), [](const auto& b) { return offerable(b); }));
}

boost::json::object bundle_input(const request_modal_input& in)
{
    const auto total = count_offerable(in.catalog);
    boost::json::object select;
    if (total <= max_static_bundles) {
        select = {{"type", "static_select"},
                  {"placeholder", plain_text("Choose a bundle", max_placeholder)},
                  {"option_groups", bundle_groups(all_bundles(in.catalog), max_options)}};
    } else {
        select = {{"type", "external_select"},
                  {"placeholder", plain_text("Type to search " + std::to_string(total) + " bundles", max_placeholder)},
                  {"min_query_length", bundle_min_query_length}};
    }
    if (in.selected && offerable(*in.selected))
        select["initial_option"] = bundle_option(*in.selected);
    auto block = input_block(action::bundle_select, "Bundle", std::move(select), false,
                             "Owner and risk are shown for each; `/checkpoint catalog` describes them.");
    // Picking a bundle re-renders the modal with its durations.
    block["dispatch_action"] = true;
    return block;
}

boost::json::object duration_input(const request_modal_input& in)
{
    const auto& b = *in.selected;
    const auto wanted = in.selected_duration.value_or(b.durations.initial);
    boost::json::array options;
    boost::json::object initial;
    auto offered = offered_durations(b.durations);
    for (std::size_t i = 0; i < offered.size() && options.size() < max_options; ++i) {
        std::string hint;
        for (const auto& c : in.durations)
            if (c.length == offered[i])
                hint = c.hint;
        auto o = option(format_length(offered[i]), workflow::format_duration(offered[i]), hint);
        if (offered[i] == wanted)
            initial = o;
        options.push_back(std::move(o));
    }
    boost::json::object select{{"type", "static_select"},
                               {"placeholder", plain_text("How long", max_placeholder)},
                               {"options", std::move(options)}};
    if (!initial.empty())
        select["initial_option"] = std::move(initial);
    return input_block(action::duration_select, "Duration", std::move(select), false,
                       "Access starts when it is granted and ends on its own; shorter often means no approval.");
}

boost::json::object text_input(bool multiline, std::size_t min_length, std::size_t max_length, std::string_view placeholder)
{
    boost::json::object e{{"type", "plain_text_input"},
                          {"multiline", multiline},
                          {"max_length", max_length},
                          {"placeholder", plain_text(placeholder, max_placeholder)}};
    if (min_length > 0)
        e["min_length"] = min_length;
    return e;
}

} // namespace

std::vector<workflow::duration> offered_durations(const workflow::duration_policy& d)
{
    if (!d.choices.empty())
        return d.choices;
    // No choices in the manifest: a ladder of the usual lengths up to the bundle's maximum, with its
    // default and its maximum among them.
    using namespace std::chrono;
    constexpr workflow::duration ladder[] = {hours{1}, hours{4}, hours{8}, days{1}, days{3},
                                            days{7}, days{14}, days{30}, days{90}};
    std::vector<workflow::duration> out;
    for (auto length : ladder)
        if (length <= d.max)
            out.push_back(length);
    for (auto length : {d.initial, d.max})
        if (length > workflow::duration::zero() && std::find(out.begin(), out.end(), length) == out.end())
            out.push_back(length);
    std::sort(out.begin(), out.end());
    return out;
}

boost::json::object request_modal(const request_modal_input& in)
{
    boost::json::array blocks;
    blocks.push_back(bundle_input(in));
    if (in.selected) {
        const auto& b = *in.selected;
        blocks.push_back(context_block("*" + escape(b.name) + "* · " + std::string(workflow::title(b.level)) +
                                       " risk · owner " + escape(b.owner_team) + "\n" + escape(b.description) +
                                       "\nDefault " + format_length(b.durations.initial) + ", at most " +
                                       format_length(b.durations.max) + "."));
        blocks.push_back(duration_input(in));
    } else {
        blocks.push_back(context_block("Choose a bundle to see its durations and who would approve each."));
    }
    blocks.push_back(input_block(action::reason_input, "Reason",
                                 text_input(true, min_reason_length, max_text_input_length,
                                            "What you will do with it, e.g. debugging a latency spike in checkout"),
                                 false, "Reviewers read this; it is kept in the audit log."));
    blocks.push_back(input_block(action::ticket_input, "Ticket",
                                 text_input(false, 0, max_ticket_length, "e.g. PROJ-1234"), true));
    return modal(action::request_submit, "Request access", "Request", std::move(blocks), in.private_metadata);
}

boost::json::object bundle_suggestions(const workflow::catalog& catalog, std::string_view query)
{
    auto found = catalog.search(query);
    if (found.empty()) {
        // Typos still find something: the closest names.
        for (auto name : catalog.closest(query, 10))
            if (const auto* b = catalog.find(name))
                found.push_back(b);
    }
    return {{"option_groups", bundle_groups(found, max_suggestion_options)}};
}

boost::json::object modal_errors(std::span<const field_error> errors)
{
    boost::json::object out;
    for (const auto& e : errors) {
        const auto& row = info(e.field);
        if (row.block_id.empty())
            continue;
        out[row.block_id] = truncate(e.message, max_field_error);
    }
    return {{"response_action", "errors"}, {"errors", std::move(out)}};
}

} // namespace checkpoint::blocks
