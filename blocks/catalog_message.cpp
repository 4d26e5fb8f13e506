#include "blocks/catalog_message.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

namespace {

// The seed's catalog: what is usually granted, how long approval takes, and who asked lately.
std::string history_text(const catalog_entry& e)
{
    if (!e.history_known)
        return {};
    if (!e.history || e.history->requests == 0)
        return "No requests in the last 90 days.";
    const auto& h = *e.history;
    std::vector<std::string> parts;
    if (auto t = workflow::typical_text(h); !t.empty())
        parts.push_back(t);
    if (h.time_to_approval)
        parts.push_back("approval usually takes " + format_length(*h.time_to_approval));
    std::vector<std::string> who;
    for (const auto& r : h.recent)
        who.push_back(escape(r.person_name) + " (" + format_length(r.length) + ")");
    parts.push_back("lately " + join_words(who));
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : " · ") + p;
    return out + " · " + std::to_string(h.requests) + " request" + (h.requests == 1 ? "" : "s") + " in 90 days";
}

std::string entry_text(const catalog_entry& e)
{
    const auto& b = *e.bundle;
    std::string out = "*" + escape(b.name) + "* · " + std::string(workflow::title(b.level)) + " risk · owner " +
                      escape(b.owner_team);
    if (b.deprecated)
        out += " · _deprecated_" + (b.successor.empty() ? std::string() : ", use *" + escape(b.successor) + "*");
    out += "\n" + escape(truncate(b.description, 500));
    out += "\nTypically " + format_length(b.durations.initial) + ", at most " + format_length(b.durations.max);
    if (!e.hint.empty())
        out += "\n:stopwatch: " + escape(e.hint);
    if (auto h = history_text(e); !h.empty())
        out += "\n:bar_chart: " + h;
    return out;
}

} // namespace

boost::json::object catalog_reply(std::span<const catalog_entry> entries, std::string_view words)
{
    boost::json::array blocks;
    const std::string title = words.empty() ? "Bundle catalog" : "Bundles matching “" + truncate(words, 100) + "”";
    blocks.push_back(header_block(title));
    if (entries.empty()) {
        const auto text = ":mag: No bundle matches `" + escape(truncate(words, 100)) +
                          "`. `/checkpoint catalog` with no words lists them all.";
        blocks.push_back(section_block(text));
        return ephemeral_message(text, std::move(blocks));
    }
    std::vector<boost::json::array> items;
    for (const auto& e : entries) {
        if (!e.bundle)
            continue;
        // Deprecated bundles take no requests, so they get no button.
        if (e.bundle->deprecated)
            items.push_back({section_block(entry_text(e))});
        else
            items.push_back(
                {section_with_button(entry_text(e), button(action::open_request_modal, "Request", e.bundle->name))});
    }
    const auto total = items.size();
    // One block stays free for how to request.
    append_fitting(blocks, std::move(items), max_message_blocks - 1, "add words to narrow it: `/checkpoint catalog <words>`.");
    blocks.push_back(context_block("`/checkpoint request &lt;bundle&gt; --duration 7d --reason \"…\"` or the Request "
                                   "buttons. `/checkpoint explain &lt;bundle&gt;` shows who would approve."));
    return ephemeral_message(title + ": " + std::to_string(total) + " bundle" + (total == 1 ? "" : "s"), std::move(blocks));
}

boost::json::object access_hint_message(const workflow::bundle& b, std::string_view entitlement, std::string_view system,
                                        std::string_view matched, workflow::time_point at)
{
    const std::string where = system.empty() ? std::string() : " in " + escape(truncate(system, 100));
    const std::string lead = ":no_entry_sign: You were denied `" + escape(truncate(entitlement, 200)) + "`" + where +
                             " at " + slack_time(at) + ".";
    const std::string offer = "*" + escape(b.name) + "* grants it" +
                              (matched.empty() || matched == b.name ? std::string()
                                                                    : " (" + escape(truncate(matched, 200)) + ")") +
                              ": " + escape(truncate(b.description, 300)) + "\n" + std::string(workflow::title(b.level)) +
                              " risk · owner " + escape(b.owner_team) + " · typically " +
                              format_length(b.durations.initial) + ", at most " + format_length(b.durations.max);
    boost::json::array blocks{section_block(lead),
                              section_with_button(offer, button(action::open_request_modal, "Request", b.name,
                                                                button_style::primary)),
                              context_block("Checkpoint suggests the bundle that grants what was denied. Nothing is "
                                            "requested until you ask.")};
    return boost::json::object{{"text", "You were denied " + escape(truncate(entitlement, 200)) + "; " + escape(b.name) +
                                            " grants it"},
                               {"blocks", std::move(blocks)}};
}

} // namespace checkpoint::blocks
