#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace checkpoint::blocks {

// Escapes &, < and > as Slack requires in every text field; without it `<a|b>` becomes a link.
std::string escape(std::string_view text);

// Small Block Kit builders; each applies Slack's limits so no caller can exceed them.
boost::json::object plain_text(std::string_view text, std::size_t max);
boost::json::object mrkdwn(std::string_view text, std::size_t max);
boost::json::object header_block(std::string_view text);
boost::json::object section_block(std::string_view markdown);
boost::json::object context_block(std::string_view markdown);
boost::json::object divider_block();

// An ephemeral slash-command reply: `text` is the notification fallback, `blocks` the message.
boost::json::object ephemeral_message(std::string_view text, boost::json::array blocks);

} // namespace checkpoint::blocks
