#pragma once

#include "bot/http.hpp"
#include "bot/metrics.hpp"
#include "bot/slack_commands.hpp"
#include "bot/slack_interactions.hpp"
#include "bot/slack_request.hpp"
#include "workflow/slack_event_store.hpp"
#include "workflow/clock.hpp"

#include <functional>
#include <string>

namespace checkpoint::bot {

// POST /slack/events (and its aliases): verifies the signature over the raw body, then decodes
// and dispatches the request by kind. Answers within milliseconds; side effects become jobs.
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

private:
    void on_command(const request& req, slash_command c, answer done);
    response on_interaction(unsigned version, const interaction& i);
    response on_event(const request& req, const event_callback& e);
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
};

} // namespace checkpoint::bot
