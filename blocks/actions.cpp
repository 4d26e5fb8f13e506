#include "blocks/actions.hpp"

#include "blocks/limits.hpp"

#include <array>

namespace checkpoint::blocks {

namespace {

constexpr std::array<action_info, 18> table{{
    {action::approve, action_kind::button, "checkpoint.approve", "", "Approve", "Mark reviewed", button_style::primary,
     workflow::event_kind::approve, who_may::reviewer, "approve", "approving"},
    {action::deny, action_kind::button, "checkpoint.deny", "", "Deny", "Revoke access", button_style::danger,
     workflow::event_kind::deny, who_may::reviewer, "deny", "denying"},
    {action::ask_in_thread, action_kind::button, "checkpoint.ask_in_thread", "", "Ask in thread", "",
     button_style::plain, std::nullopt, who_may::reviewer, ""},
    {action::extend, action_kind::button, "checkpoint.extend", "", "Extend", "", button_style::plain,
     workflow::event_kind::request_extension, who_may::requester, "extend", "extending"},
    {action::revoke, action_kind::button, "checkpoint.revoke", "", "Revoke", "", button_style::danger,
     workflow::event_kind::revoke, who_may::requester_or_reviewer, "revoke", "revoking"},
    {action::cancel, action_kind::button, "checkpoint.cancel", "", "Cancel", "", button_style::plain,
     workflow::event_kind::cancel, who_may::requester, "cancel", "cancelling"},
    {action::open_request_modal, action_kind::button, "checkpoint.open_request_modal", "", "Request access"},
    {action::request_submit, action_kind::view, "checkpoint.request_modal", ""},
    {action::bundle_select, action_kind::select, "checkpoint.bundle", "bundle"},
    {action::duration_select, action_kind::select, "checkpoint.duration", "duration"},
    {action::reason_input, action_kind::input, "checkpoint.reason", "reason"},
    {action::ticket_input, action_kind::input, "checkpoint.ticket", "ticket"},
    {action::deny_submit, action_kind::view, "checkpoint.deny_modal", ""},
    {action::deny_reason_input, action_kind::input, "checkpoint.deny_reason", "deny_reason"},
    {action::extend_submit, action_kind::view, "checkpoint.extend_modal", ""},
    {action::extend_duration_select, action_kind::select, "checkpoint.extend_duration", "extend_duration"},
    {action::extend_reason_input, action_kind::input, "checkpoint.extend_reason", "extend_reason"},
    {action::approve_for, action_kind::menu, "checkpoint.approve_for", "", "Approve for less…", "", button_style::plain,
     workflow::event_kind::approve, who_may::reviewer, "", "approving"},
}};

// The table is indexed by the enum; this fails to compile if a row is out of place.
constexpr bool in_enum_order()
{
    for (std::size_t i = 0; i < table.size(); ++i)
        if (static_cast<std::size_t>(table[i].id) != i)
            return false;
    return true;
}
static_assert(in_enum_order(), "actions table rows must follow the enum order");
static_assert(static_cast<std::size_t>(action::approve_for) + 1 == table.size(), "one row per action");

} // namespace

std::span<const action_info> actions() { return table; }

const action_info& info(action a) { return table[static_cast<std::size_t>(a)]; }

std::optional<action> parse_action_id(std::string_view id)
{
    for (const auto& row : table)
        if (row.name == id)
            return row.id;
    return std::nullopt;
}

const action_info* find_api_verb(std::string_view verb)
{
    for (const auto& row : table)
        if (!row.api_verb.empty() && row.api_verb == verb)
            return &row;
    return nullptr;
}

std::string petition_block_id(std::string_view petition_id)
{
    return truncate("petition:" + std::string(petition_id), max_block_id);
}

} // namespace checkpoint::blocks
