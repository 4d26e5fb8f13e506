#pragma once

#include "bot/http.hpp"
#include "bot/metrics.hpp"
#include "bot/replay_guard.hpp"
#include "bot/slack_commands.hpp"
#include "bot/slack_interactions.hpp"
#include "bot/slack_request.hpp"
#include "workflow/slack_event_store.hpp"
#include "workflow/clock.hpp"

#include <functional>
#include <optional>
#include <string>

namespace checkpoint::bot {

// How a request reached the service, for the log: Slack's retry count and reason when it sent it again.
struct slack_delivery {
    std::string retry_num;
    std::string retry_reason;
};

// What Slack gets back: the JSON of the answer (a command's message, a response_action, options, a
// challenge), or nothing (an empty 200 over HTTP, a bare acknowledgement over Socket Mode).
using slack_reply = std::function<void(std::optional<boost::json::object>)>;

// Slack's requests, from either transport. POST /slack/events (and its aliases) verifies the signature
// over the raw body, decodes, then dispatches by kind; Socket Mode's envelopes arrive authenticated and
// decoded and go straight to dispatch. Answers within milliseconds; side effects become jobs.
class slack_endpoint {
public:
    slack_endpoint(std::string signing_secret, const workflow::clock& clock, workflow::slack_event_store& events,
                   metrics& m, slack_commands& commands);

    using answer = std::function<void(response)>;

    // Verifies and decodes on the calling thread; what needs storage or Slack runs on the application's
    // threads (service_context::offload) and answers through `done`, exactly once, from there.
    void handle(const request& req, answer done);
    // handle(), waiting for the answer (tests).
    response handle(const request& req);

    // One decoded, authenticated request, whichever transport carried it. Help and bad input answer on
    // the calling thread; what needs storage or Slack answers from the application's threads. `done`
    // is called exactly once.
    void dispatch(slack_request r, const slack_delivery& delivery, slack_reply done);

private:
    void on_command(slash_command c, slack_reply done);
    std::optional<boost::json::object> on_interaction(const interaction& i);
    void on_event(const slack_delivery& delivery, const event_callback& e);
    // Publishes the Home tab through a durable job; Slack only waits for the 200.
    void on_app_home_opened(const event_callback& e);

    // Slack user ids are short (U/W + ~10); anything longer is not one.
    static constexpr std::size_t max_slack_id_length = 32;

    std::string signing_secret_;
    const workflow::clock& clock_;
    workflow::slack_event_store& events_;
    metrics& metrics_;
    slack_commands& commands_;
    slack_interactions interactions_;
    replay_guard replays_;
};

} // namespace checkpoint::bot
