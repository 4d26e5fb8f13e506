#include "blocks/deny_modal.hpp"

#include "blocks/format.hpp"
#include "blocks/kit.hpp"
#include "blocks/limits.hpp"
#include "blocks/petition_summary.hpp"

#include <boost/json/array.hpp>

namespace checkpoint::blocks {

boost::json::object deny_modal(const workflow::petition& p, card_kind kind)
{
    std::string title = "Deny request";
    std::string submit = "Deny";
    std::string lead = "Deny " + petition_line(p) + "?";
    switch (kind) {
    case card_kind::request:
        break;
    case card_kind::extension:
        title = "Deny extension";
        lead = "Deny extending " + petition_line(p) +
               (p.pending_extension ? " by " + format_length(p.pending_extension->added) : std::string()) +
               "? Access already granted stays until it ends.";
        break;
    case card_kind::break_glass_review:
        title = "Revoke access";
        submit = "Revoke";
        lead = "Revoke the break-glass access " + petition_line(p) + " now?";
        break;
    }
    boost::json::array blocks;
    blocks.push_back(section_block(lead));
    boost::json::object input{{"type", "plain_text_input"},
                              {"multiline", true},
                              {"min_length", min_deny_reason_length},
                              {"max_length", max_text_input_length},
                              {"placeholder", plain_text("Why, and what would make it acceptable", max_placeholder)}};
    blocks.push_back(input_block(action::deny_reason_input, "Reason", std::move(input), false,
                                 "The requester sees this reason; it is kept in the audit log."));
    return modal(action::deny_submit, title, submit, std::move(blocks), p.id);
}

} // namespace checkpoint::blocks
