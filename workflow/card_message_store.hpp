#pragma once

#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/petition.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::workflow {

enum class card_kind { dm, channel };

// One posted copy of a petition's card, so every copy can be updated later.
struct card_message {
    std::string petition_id;
    std::size_t step = 0;
    // What the post_card effect named: a channel id or a person id.
    std::string destination;
    card_kind kind = card_kind::channel;
    // Where Slack put it: the channel (a DM's D… id for people) and the message ts.
    std::string channel;
    std::string ts;
    time_point posted_at{};
    // What the card was posted to ask (submitted, extension_requested, review_requested): every later
    // update draws it as that kind of card.
    notice asked = notice::submitted;
};

// Card copies by petition; a retried post finds its earlier message here and updates it instead.
class card_message_store {
public:
    virtual ~card_message_store() = default;

    // Records (or replaces) the copy for (petition, step, destination).
    virtual result<void> record(const card_message& m) = 0;
    virtual result<std::optional<card_message>> find(const std::string& petition_id, std::size_t step,
                                                     const std::string& destination) = 0;
    virtual result<std::vector<card_message>> for_petition(const std::string& petition_id) = 0;
};

} // namespace checkpoint::workflow
