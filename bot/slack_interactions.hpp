#pragma once

#include "bot/service_context.hpp"
#include "bot/slack_identity.hpp"
#include "bot/slack_request.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot {

// The request modal for `person_id` (empty: not yet bound), with `bundle` pre-selected when it names
// one and each of its durations hinted with what it means for this person (workflow::explain).
boost::json::object request_modal_for(service_context& ctx, const std::string& person_id, std::string_view bundle,
                                      std::string_view private_metadata, std::optional<workflow::duration> wanted = {});

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

    // The request modal's bundle search (external select above 100 bundles): ≤ 100 options.
    boost::json::object on_block_suggestion(const interaction& i);
    // A bundle picked in the open request modal: the modal again with that bundle's durations (a job).
    void on_bundle_picked(const interaction& i, const boost::json::object& action);
    // Extend (expiry notice, App Home): the extend modal, for the requester of live access only.
    void open_extend_modal(const interaction& i, const workflow::petition& p, const std::string& me);
    std::optional<boost::json::object> on_extend_submit(const interaction& i, const boost::json::object& view);

    // Enqueues a post in the clicked card's thread mentioning the requester and the asker.
    void ask_in_thread(const interaction& i, const workflow::petition& p, const person_lookup& asker);
    // Enqueues an ephemeral message to `user` in the channel the click came from.
    void tell(const interaction& i, boost::json::object message);

    service_context& ctx_;
};

} // namespace checkpoint::bot
