#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace checkpoint::blocks {

// Slack's Block Kit limits (shared/slack/REFERENCE.md §7); every renderer truncates to these.
inline constexpr std::size_t max_message_blocks = 50;
inline constexpr std::size_t max_view_blocks = 100;
inline constexpr std::size_t max_section_text = 3000;
inline constexpr std::size_t max_section_fields = 10;
inline constexpr std::size_t max_field_text = 2000;
inline constexpr std::size_t max_header_text = 150;
inline constexpr std::size_t max_context_elements = 10;
inline constexpr std::size_t max_actions_elements = 25;
inline constexpr std::size_t max_button_text = 75;
inline constexpr std::size_t max_button_value = 2000;
inline constexpr std::size_t max_action_id = 255;
inline constexpr std::size_t max_block_id = 255;
inline constexpr std::size_t max_option_text = 75;
inline constexpr std::size_t max_option_value = 75;
inline constexpr std::size_t max_options = 100;
inline constexpr std::size_t max_modal_title = 24;
inline constexpr std::size_t max_private_metadata = 3000;
inline constexpr std::size_t max_message_text = 4000;
inline constexpr std::size_t max_option_groups = 100;
inline constexpr std::size_t max_option_group_label = 75;
inline constexpr std::size_t max_suggestion_options = 100;
inline constexpr std::size_t max_input_label = 2000;
inline constexpr std::size_t max_placeholder = 150;
inline constexpr std::size_t max_text_input_length = 3000;
inline constexpr std::size_t max_confirm_title = 100;
inline constexpr std::size_t max_confirm_text = 300;
inline constexpr std::size_t max_confirm_button = 30;
inline constexpr std::size_t max_callback_id = 255;
// Slack documents no limit for a view_submission error; an input hint's is a safe cap.
inline constexpr std::size_t max_field_error = 2000;

// Cuts `s` to at most `max` characters (code points), ending with an ellipsis when cut, and never
// splits a UTF-8 sequence.
std::string truncate(std::string_view s, std::size_t max);

// Length in code points, as Slack counts characters.
std::size_t char_count(std::string_view s);

} // namespace checkpoint::blocks
