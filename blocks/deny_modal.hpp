#pragma once

#include "blocks/approval_card.hpp"

#include <boost/json/object.hpp>

namespace checkpoint::blocks {

inline constexpr std::size_t min_deny_reason_length = 3;

// Opened by a Deny click: a required reason; private_metadata carries the petition id.
// For a break-glass review it reads as revoking; for an extension, as denying the extension.
boost::json::object deny_modal(const workflow::petition& p, card_kind kind = card_kind::request);

} // namespace checkpoint::blocks
