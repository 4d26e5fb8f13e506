#pragma once

#include "blocks/actions.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace checkpoint::blocks {

// Escapes &, < and > as Slack requires in every text field; without it `<a|b>` becomes a link.
std::string escape(std::string_view text);
// escape(), except that a Slack user or channel mention as Slack sends one in typed text (`<@U123>`,
// `<@U123|name>`, `<#C123|name>`) stays a mention, shown as the name. Nothing else survives:
// `<!channel>`, `<!here>` and links are escaped like any text.
std::string escape_keeping_mentions(std::string_view text);

// Small Block Kit builders; each applies Slack's limits so no caller can exceed them.
boost::json::object plain_text(std::string_view text, std::size_t max);
boost::json::object mrkdwn(std::string_view text, std::size_t max);
boost::json::object header_block(std::string_view text);
boost::json::object section_block(std::string_view markdown);
boost::json::object context_block(std::string_view markdown);
boost::json::object divider_block();

// A section of labelled fields ("*Owner*\napi-team"), at most ten; `value`s are mrkdwn, already escaped.
using field = std::pair<std::string, std::string>;
boost::json::object fields_block(const std::vector<field>& fields);

// A section with a button on its right.
boost::json::object section_with_button(std::string_view markdown, boost::json::object button);

// A button for one action of the table; `value` is usually a petition id.
boost::json::object button(action a, std::string_view text, std::string_view value,
                           button_style style = button_style::plain);
// The table's button for `a` on petition `petition_id`: its label (the review label on a break-glass
// review card) and style.
boost::json::object petition_button(action a, std::string_view petition_id, bool break_glass_review = false);
// The same button asking "are you sure?" first.
boost::json::object with_confirm(boost::json::object button, std::string_view title, std::string_view text,
                                 std::string_view confirm, std::string_view deny = "Cancel");

// An actions block; at most 25 elements.
boost::json::object actions_block(std::string_view block_id, boost::json::array elements);

// An option for a select: text, value and description truncated to Slack's limits.
boost::json::object option(std::string_view text, std::string_view value, std::string_view description = {});

// An input block for one of the table's elements, keyed by its block_id.
boost::json::object input_block(action a, std::string_view label, boost::json::object element, bool optional = false,
                                std::string_view hint = {});

// A modal with its callback_id from the table; title, submit and close are cut to 24 characters.
boost::json::object modal(action callback, std::string_view title, std::string_view submit, boost::json::array blocks,
                          std::string_view private_metadata = {}, std::string_view close = "Cancel");

// An ephemeral slash-command reply: `text` is the notification fallback, `blocks` the message.
boost::json::object ephemeral_message(std::string_view text, boost::json::array blocks);
// A posted message (DM or channel): `text` is the notification fallback, `blocks` the message.
boost::json::object message(std::string_view text, boost::json::array blocks);

// Appends `items` to `blocks`, keeping room for one "…and N more" line so `blocks` ends within `max`.
// Each item is a group of blocks kept together. Returns how many items were left out.
std::size_t append_fitting(boost::json::array& blocks, std::vector<boost::json::array> items, std::size_t max,
                           std::string_view more_hint);

} // namespace checkpoint::blocks
