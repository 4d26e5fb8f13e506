#include "blocks/kit.hpp"

#include "blocks/limits.hpp"

namespace checkpoint::blocks {

namespace {

// The length of a mention at the start of `text` (`<@U…>`, `<@U…|…>`, `<#C…|…>`), or 0.
std::size_t mention_length(std::string_view text)
{
    if (text.size() < 4 || text[0] != '<' || (text[1] != '@' && text[1] != '#'))
        return 0;
    std::size_t i = 2;
    const auto id_start = i;
    while (i < text.size() && i - id_start <= 24 &&
           ((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= '0' && text[i] <= '9')))
        ++i;
    const auto id_length = i - id_start;
    const char first = text[id_start];
    const bool plausible = id_length >= 3 && id_length <= 24 &&
                           (text[1] == '@' ? (first == 'U' || first == 'W') : first == 'C' || first == 'G');
    if (!plausible || i >= text.size())
        return 0;
    if (text[i] == '>')
        return i + 1;
    if (text[i] != '|')
        return 0;
    // A label: plain text up to the closing bracket, within reason.
    for (std::size_t j = i + 1; j < text.size() && j - i <= 80; ++j) {
        if (text[j] == '>')
            return j + 1;
        if (text[j] == '<' || text[j] == '\n')
            return 0;
    }
    return 0;
}

} // namespace

std::string escape_keeping_mentions(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const auto n = mention_length(text.substr(i))) {
            // The id alone: Slack shows the current name, and a label typed by someone is not repeated.
            const auto bar = text.substr(i, n).find('|');
            out += bar == std::string_view::npos ? std::string(text.substr(i, n))
                                                 : std::string(text.substr(i, bar)) + ">";
            i += n;
            continue;
        }
        out += escape(text.substr(i, 1));
        ++i;
    }
    return out;
}

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

boost::json::object fields_block(const std::vector<field>& fields)
{
    boost::json::array out;
    for (const auto& [label, value] : fields) {
        if (out.size() == max_section_fields)
            break;
        out.push_back(mrkdwn("*" + label + "*\n" + (value.empty() ? std::string("—") : value), max_field_text));
    }
    return {{"type", "section"}, {"fields", std::move(out)}};
}

boost::json::object section_with_button(std::string_view markdown, boost::json::object b)
{
    auto s = section_block(markdown);
    s["accessory"] = std::move(b);
    return s;
}

boost::json::object button(action a, std::string_view text, std::string_view value, button_style style)
{
    boost::json::object b{{"type", "button"}, {"action_id", info(a).name}, {"text", plain_text(text, max_button_text)}};
    // Slack rejects an empty value; a button without one is the same click.
    if (!value.empty())
        b["value"] = truncate(value, max_button_value);
    switch (style) {
    case button_style::plain:
        break;
    case button_style::primary:
        b["style"] = "primary";
        break;
    case button_style::danger:
        b["style"] = "danger";
        break;
    }
    return b;
}

boost::json::object petition_button(action a, std::string_view petition_id, bool break_glass_review)
{
    const auto& row = info(a);
    const auto label = break_glass_review && !row.review_label.empty() ? row.review_label : row.label;
    return button(a, label, petition_id, row.style);
}

boost::json::object with_confirm(boost::json::object b, std::string_view title, std::string_view text,
                                 std::string_view confirm, std::string_view deny)
{
    b["confirm"] = boost::json::object{{"title", plain_text(title, max_confirm_title)},
                                       {"text", plain_text(text, max_confirm_text)},
                                       {"confirm", plain_text(confirm, max_confirm_button)},
                                       {"deny", plain_text(deny, max_confirm_button)}};
    return b;
}

boost::json::object actions_block(std::string_view block_id, boost::json::array elements)
{
    if (elements.size() > max_actions_elements)
        elements.resize(max_actions_elements);
    boost::json::object b{{"type", "actions"}, {"elements", std::move(elements)}};
    if (!block_id.empty())
        b["block_id"] = truncate(block_id, max_block_id);
    return b;
}

boost::json::object option(std::string_view text, std::string_view value, std::string_view description)
{
    boost::json::object o{{"text", plain_text(text, max_option_text)}, {"value", truncate(value, max_option_value)}};
    if (!description.empty())
        o["description"] = plain_text(description, max_option_text);
    return o;
}

boost::json::object input_block(action a, std::string_view label, boost::json::object element, bool optional,
                                std::string_view hint)
{
    element["action_id"] = info(a).name;
    boost::json::object b{{"type", "input"},
                          {"block_id", info(a).block_id},
                          {"label", plain_text(label, max_input_label)},
                          {"element", std::move(element)}};
    if (optional)
        b["optional"] = true;
    if (!hint.empty())
        b["hint"] = plain_text(hint, max_input_label);
    return b;
}

boost::json::object modal(action callback, std::string_view title, std::string_view submit, boost::json::array blocks,
                          std::string_view private_metadata, std::string_view close)
{
    if (blocks.size() > max_view_blocks)
        blocks.resize(max_view_blocks);
    boost::json::object v{{"type", "modal"},
                          {"callback_id", info(callback).name},
                          {"title", plain_text(title, max_modal_title)},
                          {"submit", plain_text(submit, max_modal_title)},
                          {"close", plain_text(close, max_modal_title)},
                          {"blocks", std::move(blocks)}};
    if (!private_metadata.empty())
        v["private_metadata"] = truncate(private_metadata, max_private_metadata);
    return v;
}

boost::json::object ephemeral_message(std::string_view text, boost::json::array blocks)
{
    boost::json::object out{{"response_type", "ephemeral"}};
    for (auto& [key, value] : message(text, std::move(blocks)))
        out[key] = std::move(value);
    return out;
}

boost::json::object message(std::string_view text, boost::json::array blocks)
{
    if (blocks.size() > max_message_blocks)
        blocks.resize(max_message_blocks);
    boost::json::object out{{"text", truncate(text, max_message_text)}};
    // No blocks: the text alone is the message (an empty "blocks" is not one).
    if (!blocks.empty())
        out["blocks"] = std::move(blocks);
    return out;
}

std::size_t append_fitting(boost::json::array& blocks, std::vector<boost::json::array> items, std::size_t max,
                           std::string_view more_hint)
{
    std::size_t shown = 0;
    for (auto& item : items) {
        const bool last = shown + 1 == items.size();
        // Keep one block free for the summary unless this is the last item.
        const std::size_t room = last ? max : max - 1;
        if (blocks.size() + item.size() > room)
            break;
        for (auto& b : item)
            blocks.push_back(std::move(b));
        ++shown;
    }
    const std::size_t left = items.size() - shown;
    if (left > 0 && blocks.size() < max)
        blocks.push_back(context_block("…and " + std::to_string(left) + " more" +
                                       (more_hint.empty() ? std::string(".") : "; " + std::string(more_hint))));
    return left;
}

} // namespace checkpoint::blocks
