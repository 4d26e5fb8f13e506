#include "bot/slack_identity.hpp"

#include "bot/json_fields.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace checkpoint::bot {

namespace {

constexpr auto cache_fresh_for = std::chrono::hours{24};

// Binds `user` (from users.info or users.lookupByEmail) to `person` by email, or says why not: Slack's
// answer (the workspace unknown) or the refusal.
struct binding_check {
    std::optional<slack_result> failure;
    std::string refusal;
};

binding_check check_binding(service_context& ctx, const slack_result& r, const workflow::person& person)
{
    const auto* user = object_at(r.body, "user");
    if (user == nullptr)
        return {std::nullopt, "Slack described the account without a user"};
    slack_result failure;
    auto workspace = ctx.slack.workspace(&failure);
    if (!workspace)
        return {std::move(failure), {}};
    return {std::nullopt, email_binding_refusal(*user, *workspace, person)};
}

} // namespace

std::string email_binding_refusal(const boost::json::object& user, const slack_workspace& workspace,
                                  const workflow::person& person)
{
    auto flag = [&](std::string_view key) {
        const auto* v = user.if_contains(key);
        return v != nullptr && v->is_bool() && v->get_bool();
    };
    const auto id = string_at(user, "id");
    if (!person.slack_id.empty() && person.slack_id != id)
        return "the directory gives " + person.id + " the Slack id " + person.slack_id + ", not " + id;
    if (flag("deleted"))
        return "the Slack account is deactivated";
    if (flag("is_bot") || flag("is_app_user") || id == "USLACKBOT")
        return "the Slack account is a bot or an app, not a person";
    if (!flag("is_email_confirmed"))
        return "Slack has not confirmed the account's email address";
    const auto team = string_at(user, "team_id");
    if (team == workspace.team_id)
        return {};
    const auto* grid = object_at(user, "enterprise_user");
    const auto enterprise = grid != nullptr ? string_at(*grid, "enterprise_id") : std::string();
    if (!workspace.enterprise_id.empty() && enterprise == workspace.enterprise_id)
        return {};
    return "the Slack account belongs to another workspace (" + (team.empty() ? std::string("none given") : team) +
           ") than Checkpoint's (" + workspace.team_id + ")";
}

slack_user_lookup slack_user_for_person(service_context& ctx, std::string_view person_id)
{
    const auto policy = ctx.policy.now();
    const auto& dir = policy->directory;
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
    // Whoever holds that email in Slack gets this person's cards and messages: only a trusted account.
    if (auto check = check_binding(ctx, r, person); check.failure || !check.refusal.empty()) {
        if (check.failure) {
            // The sentence first: the failure is moved into the result.
            auto why = "auth.test failed: " + check.failure->error;
            return {{}, std::move(check.failure), std::move(why)};
        }
        slack_result refused;
        refused.error = "email_not_trusted";
        return {{}, std::move(refused), person.id + " is not bound to Slack user " + *id + " by email: " + check.refusal};
    }
    (void)ctx.slack_users.put({*id, person.id, person.email, ctx.clock.now()});
    return {*id, std::nullopt, {}};
}

namespace {

person_lookup find_slack_user(service_context& ctx, const workflow::directory& dir, std::string_view slack_user_id)
{
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
    if (auto check = check_binding(ctx, r, dir.at(idx)); check.failure || !check.refusal.empty()) {
        if (!check.refusal.empty())
            spdlog::warn("slack: {} is not bound to {} by email: {}", user, dir.at(idx).id, check.refusal);
        return {workflow::no_person, email, std::move(check.failure), std::move(check.refusal)};
    }
    (void)ctx.slack_users.put({user, dir.at(idx).id, email, now});
    return {idx, email, std::nullopt};
}

} // namespace

person_lookup person_for_slack_user(service_context& ctx, std::string_view slack_user_id)
{
    auto policy = ctx.policy.now();
    auto found = find_slack_user(ctx, policy->directory, slack_user_id);
    found.policy = std::move(policy);
    return found;
}

} // namespace checkpoint::bot
