#include "blocks/kit.hpp"

#include "blocks/limits.hpp"

namespace checkpoint::blocks {

std::string escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

boost::json::object plain_text(std::string_view text, std::size_t max)
{
    return {{"type", "plain_text"}, {"text", truncate(text, max)}, {"emoji", true}};
}

boost::json::object mrkdwn(std::string_view text, std::size_t max)
{
    return {{"type", "mrkdwn"}, {"text", truncate(text, max)}};
}

boost::json::object header_block(std::string_view text)
{
    return {{"type", "header"}, {"text", plain_text(text, max_header_text)}};
}

boost::json::object section_block(std::string_view markdown)
{
    return {{"type", "section"}, {"text", mrkdwn(markdown, max_section_text)}};
}

boost::json::object context_block(std::string_view markdown)
{
    return {{"type", "context"}, {"elements", boost::json::array{mrkdwn(markdown, max_section_text)}}};
}

boost::json::object divider_block() { return {{"type", "divider"}}; }

boost::json::object ephemeral_message(std::string_view text, boost::json::array blocks)
{
    if (blocks.size() > max_message_blocks)
        blocks.resize(max_message_blocks);
    return {{"response_type", "ephemeral"}, {"text", truncate(text, max_message_text)}, {"blocks", std::move(blocks)}};
}

} // namespace checkpoint::blocks
