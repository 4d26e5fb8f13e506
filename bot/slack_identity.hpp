#pragma once

#include "bot/service_context.hpp"
#include "bot/slack/slack_result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot {

// A directory person as Slack knows them, or why they could not be found.
struct slack_user_lookup {
    // The Slack user id (U…); empty when not found.
    std::string slack_id;
    // Set when Slack answered with an error (users_not_found is permanent; 429 is retryable).
    std::optional<slack_result> failure;
    // A sentence for logs and job errors when slack_id is empty.
    std::string why;

    bool found() const noexcept { return !slack_id.empty(); }
};

// person id -> Slack user id: the directory's slack_id, else the cache, else users.lookupByEmail
// (the answer is cached in ctx.slack_users).
slack_user_lookup slack_user_for_person(service_context& ctx, std::string_view person_id);

// A Slack user bound to a directory person, or why not.
struct person_lookup {
    workflow::person_index person = workflow::no_person;
    // The email Slack gave for the user, when it was asked (for not_in_directory_reply).
    std::string email;
    std::optional<slack_result> failure;
    // Why the email was not trusted to bind the user (email_binding_refusal); empty otherwise.
    std::string refusal{};
    // The manifests `person` indexes into: read the person, and anything else the handler decides, from
    // this snapshot.
    app::live_manifests::snapshot policy{};

    bool found() const noexcept { return person != workflow::no_person; }
    const workflow::person& who() const { return policy->directory.at(person); }
};

// Slack user id -> directory person: the directory's slack_id, else the cache (a day fresh), else the
// email from users.info matched against the directory (cached) when email_binding_refusal allows it.
person_lookup person_for_slack_user(service_context& ctx, std::string_view slack_user_id);

// Why the Slack user `user` (as users.info or users.lookupByEmail describe them) may not be bound to
// directory person `person` by their email, or empty when they may: the account is deleted, a bot, has
// an unconfirmed email, belongs to another workspace than `workspace` (or another Enterprise Grid
// organisation), or the directory already gives `person` a different slack_id.
std::string email_binding_refusal(const boost::json::object& user, const slack_workspace& workspace,
                                  const workflow::person& person);

} // namespace checkpoint::bot
