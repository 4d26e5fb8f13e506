#pragma once

#include "bot/service_context.hpp"
#include "bot/slack_request.hpp"
#include "workflow/clock.hpp"
#include "workflow/directory.hpp"
#include "workflow/intent.hpp"
#include "workflow/manifests.hpp"

#include <boost/json/object.hpp>

namespace checkpoint::bot {

// `/checkpoint …`: reads the text into an intent, binds the Slack user to a directory person, and
// renders the ephemeral reply. Decisions come from workflow/, words from blocks/.
class slack_commands {
public:
    explicit slack_commands(service_context& ctx);

    boost::json::object handle(const slash_command& c);

private:
    boost::json::object on_catalog(const slash_command& c, const workflow::intent::catalog& i);
    boost::json::object on_explain(const slash_command& c, const workflow::intent::explain& i);

    // The directory person behind a Slack user, or no_person.
    workflow::person_index bind(const slash_command& c) const;

    service_context& ctx_;
    const workflow::manifests& manifests_;
    const workflow::clock& clock_;
};

} // namespace checkpoint::bot
