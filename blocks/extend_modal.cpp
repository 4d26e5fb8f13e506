#include "blocks/extend_modal.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/petition_summary.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

std::vector<workflow::duration> offered_extensions(const workflow::duration_policy& d, workflow::duration current)
{
    std::vector<workflow::duration> out;
    for (auto length : offered_durations(d))
        if (current + length <= d.max)
            out.push_back(length);
    return out;
}

boost::json::object extend_modal(const workflow::petition& p, std::span<const duration_choice> choices)
{
    boost::json::array blocks;
    std::string lead = "Extend " + petition_line(p);
    if (p.ends_at)
        lead += "; it ends " + slack_time(*p.ends_at);
    blocks.push_back(section_block(lead + "."));
    if (choices.empty()) {
        blocks.push_back(section_block("It is already as long as " + target_label(p.route) +
                                       " allows. Request it again when it ends."));
        auto v = modal(action::extend_submit, "Extend access", "Extend", std::move(blocks), p.id, "Close");
        v.erase("submit");
        return v;
    }
    boost::json::array options;
    for (const auto& c : choices) {
        if (options.size() == max_options)
            break;
        options.push_back(option("+" + format_length(c.length), workflow::format_duration(c.length), c.hint));
    }
    boost::json::object select{{"type", "static_select"},
                               {"placeholder", plain_text("How much longer", max_placeholder)},
                               {"options", options},
                               {"initial_option", options.front()}};
    blocks.push_back(input_block(action::extend_duration_select, "Extend by", std::move(select), false,
                                 "Decided on the new total, as a new request of that length would be."));
    boost::json::object reason{{"type", "plain_text_input"},
                               {"multiline", true},
                               {"min_length", min_reason_length},
                               {"max_length", max_text_input_length},
                               {"placeholder", plain_text("What still needs the access", max_placeholder)}};
    blocks.push_back(input_block(action::extend_reason_input, "Reason", std::move(reason)));
    return modal(action::extend_submit, "Extend access", "Extend", std::move(blocks), p.id);
}

} // namespace checkpoint::blocks
