#include "bot/integrations/integration_factory.hpp"

#include "bot/integrations/exec_integration.hpp"
#include "bot/integrations/log_integration.hpp"
#include "bot/integrations/webhook_integration.hpp"
#include "bot/integrations/webhook_url_policy.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace checkpoint::bot {

namespace {

workflow::error refused(const workflow::integration& decl, std::string why)
{
    return {"integration_refused", "integration " + decl.name + ": " + std::move(why)};
}

} // namespace

workflow::result<std::unique_ptr<integration>> make_integration(const workflow::integration& decl,
                                                                const integration_context& ctx)
{
    const std::chrono::milliseconds timeout = decl.timeout;
    switch (decl.kind) {
    case workflow::integration_kind::webhook: {
        if (auto why = refuse_webhook_url(decl.url))
            return refused(decl, *why);
        if (decl.secret_env.empty())
            return refused(decl, "secret_env is required: the environment variable that holds the signing secret");
        const char* secret = std::getenv(decl.secret_env.c_str());
        if (!secret || !*secret)
            spdlog::warn("integration {}: the environment variable {} is not set; its deliveries fail until it is",
                         decl.name, decl.secret_env);
        return std::make_unique<webhook_integration>(
            decl.name, webhook_settings{decl.url, decl.secret_env, decl.format, timeout}, ctx.http, ctx.clock);
    }
    case workflow::integration_kind::exec:
        if (decl.command.empty())
            return refused(decl, "command is required: the program and its arguments, as a list");
        return std::make_unique<exec_integration>(decl.name, exec_settings{decl.command, timeout});
    case workflow::integration_kind::log:
        return std::make_unique<log_integration>(decl.name);
    }
    return refused(decl, "unknown kind");
}

workflow::result<integration_map> make_integrations(const workflow::settings& settings, const integration_context& ctx)
{
    integration_map out;
    for (const auto& decl : settings.integrations) {
        auto made = make_integration(decl, ctx);
        if (!made)
            return made.error();
        out.emplace(decl.name, std::move(*made));
    }
    return out;
}

} // namespace checkpoint::bot
