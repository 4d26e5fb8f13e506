#include "bot/slack_identity.hpp"

#include <chrono>

namespace checkpoint::bot {

namespace {

constexpr auto cache_fresh_for = std::chrono::hours{24};

} // namespace

slack_user_lookup slack_user_for_person(service_context& ctx, std::string_view person_id)
{
    const auto& dir = ctx.manifests.directory;
    const auto idx = dir.find(person_id);
    if (idx == workflow::no_person)
        return {{}, std::nullopt, "'" + std::string(person_id) + "' is not in the directory"};
    const auto& person = dir.at(idx);
    if (!person.slack_id.empty())
        return {person.slack_id, std::nullopt, {}};
    if (auto cached = ctx.slack_users.by_person(person.id); cached && *cached && !(*cached)->slack_id.empty())
        return {(*cached)->slack_id, std::nullopt, {}};
    if (person.email.empty())
        return {{}, std::nullopt, person.id + " has no slack_id and no email in the directory"};

    auto r = ctx.slack.lookup_user_by_email(person.email);
    if (!r.ok()) {
        std::string why = r.error == "users_not_found"
                              ? person.id + " is not in Slack: no slack_id in the directory and no Slack user has " +
                                    person.email
                              : "users.lookupByEmail for " + person.id + " failed: " + r.error;
        return {{}, std::move(r), std::move(why)};
    }
    auto id = r.user_id();
    if (!id || id->empty())
        return {{}, std::move(r), "users.lookupByEmail for " + person.id + " answered without a user id"};
    (void)ctx.slack_users.put({*id, person.id, person.email, ctx.clock.now()});
    return {*id, std::nullopt, {}};
}

person_lookup person_for_slack_user(service_context& ctx, std::string_view slack_user_id)
{
    const auto& dir = ctx.manifests.directory;
    if (auto idx = dir.find_by_slack_id(slack_user_id); idx != workflow::no_person)
        return {idx, {}, std::nullopt};
    const auto now = ctx.clock.now();
    const std::string user(slack_user_id);
    if (auto cached = ctx.slack_users.get(user, now - cache_fresh_for); cached && *cached) {
        if (auto idx = dir.find((*cached)->person_id); idx != workflow::no_person)
            return {idx, (*cached)->email, std::nullopt};
    }
    auto r = ctx.slack.user_info(user);
    if (!r.ok())
        return {workflow::no_person, {}, std::move(r)};
    auto email = r.user_email().value_or("");
    if (email.empty())
        return {workflow::no_person, {}, std::nullopt};
    const auto idx = dir.find_by_email(email);
    if (idx == workflow::no_person)
        return {workflow::no_person, email, std::nullopt};
    (void)ctx.slack_users.put({user, dir.at(idx).id, email, now});
    return {idx, email, std::nullopt};
}

} // namespace checkpoint::bot
