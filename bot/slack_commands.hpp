#pragma once

#include "bot/service_context.hpp"
#include "bot/slack_identity.hpp"
#include "bot/slack_request.hpp"
#include "workflow/clock.hpp"
#include "workflow/directory.hpp"
#include "workflow/intent.hpp"
#include "workflow/manifests.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace checkpoint::bot {

// `/checkpoint …`: reads the text into an intent, binds the Slack user to a directory person, and
// renders the ephemeral reply. Decisions come from workflow/, words from blocks/.
class slack_commands {
public:
    // The ephemeral reply, given exactly once, on whichever thread finished the command.
    using reply = std::function<void(boost::json::object)>;

    explicit slack_commands(service_context& ctx);

    // The reply when it needs neither storage nor Slack (help, a command line that does not parse),
    // cheap enough for the thread that read the request; nullopt otherwise.
    std::optional<boost::json::object> answer_now(const slash_command& c) const;
    // Runs the command; a command that writes answers once its write is durable, without waiting for it.
    void handle(const slash_command& c, reply respond);
    // handle(), waiting for the reply (tests).
    boost::json::object handle(const slash_command& c);

    service_context& context() const noexcept { return ctx_; }

private:
    boost::json::object on_catalog(const slash_command& c, const workflow::intent::catalog& i);
    boost::json::object on_explain(const slash_command& c, const workflow::intent::explain& i);
    void on_request(const slash_command& c, const workflow::intent::request& i, reply respond);
    boost::json::object on_status(const slash_command& c, const workflow::intent::status& i);
    boost::json::object on_mine(const slash_command& c);
    boost::json::object on_pending(const slash_command& c);
    void on_extend(const slash_command& c, const workflow::intent::extend& i, reply respond);
    void on_cancel(const slash_command& c, const workflow::intent::cancel& i, reply respond);
    void on_revoke(const slash_command& c, const workflow::intent::revoke& i, reply respond);
    // The reply to a change of petition once `t` is known, rendered on the application's threads.
    void reply_changed(workflow::result<workflow::transition> t, workflow::event_kind kind, reply respond);
    // Out of office, kept in storage and laid over the manifests when requests are routed.
    boost::json::object on_ooo(const slash_command& c, const std::optional<workflow::intent::ooo_set>& set);

    // The directory person behind a Slack user (not found() when none), with the manifests it was found in.
    person_lookup bind(const slash_command& c) const;
    // The person id behind the command's user; else nullopt and `refusal` says what an admin must add.
    std::optional<std::string> bind_person(const slash_command& c, boost::json::object& refusal) const;

    service_context& ctx_;
    const workflow::clock& clock_;
};

} // namespace checkpoint::bot
