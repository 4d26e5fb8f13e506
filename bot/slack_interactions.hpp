#pragma once

#include "bot/service_context.hpp"
#include "bot/slack_request.hpp"

#include <boost/json/object.hpp>

#include <optional>

namespace checkpoint::bot {

// Clicks and modal submissions: binds the clicker to a directory person, applies the event through
// the access service, and answers. Explanations to the clicker (not a reviewer, own request, already
// decided) are ephemeral messages carried by a "post_ephemeral" job, so the answer to Slack stays fast.
class slack_interactions {
public:
    explicit slack_interactions(service_context& ctx);

    // The body of the HTTP answer to Slack, or nullopt for an empty 200.
    std::optional<boost::json::object> handle(const interaction& i);

private:
    std::optional<boost::json::object> on_block_actions(const interaction& i);
    std::optional<boost::json::object> on_view_submission(const interaction& i);
    // The request modal: validated field by field (`response_action: errors`), then filed like the command.
    std::optional<boost::json::object> on_request_submit(const interaction& i, const boost::json::object& view);

    // Enqueues a post in the clicked card's thread mentioning the requester and the asker.
    void ask_in_thread(const interaction& i, const workflow::petition& p, workflow::person_index asker);
    // Enqueues an ephemeral message to `user` in the channel the click came from.
    void tell(const interaction& i, boost::json::object message);

    service_context& ctx_;
};

} // namespace checkpoint::bot
