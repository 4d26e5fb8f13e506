#include "bot/integrations/integration_factory.hpp"
#include "tests/bot/integrations/sample_events.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace checkpoint;
using namespace checkpoint::bot;

namespace {

workflow::integration declared(std::string name, workflow::integration_kind kind)
{
    workflow::integration i;
    i.name = std::move(name);
    i.kind = kind;
    return i;
}

} // namespace

TEST_CASE("each declared kind builds its integration")
{
    test::scripted_client http;
    workflow::system_clock clock;
    const integration_context ctx{http, clock};
    test::temp_dir dir;
    const std::string cmd = dir.file("ok");
    std::ofstream(cmd) << "#!/bin/sh\nexit 0\n";
    std::filesystem::permissions(cmd, std::filesystem::perms::owner_all);

    workflow::settings s;
    auto hook = declared("aws-identity-center", workflow::integration_kind::webhook);
    hook.url = "https://provisioner.internal/checkpoint";
    hook.secret_env = "CHECKPOINT_TEST_FACTORY_SECRET";
    ::setenv("CHECKPOINT_TEST_FACTORY_SECRET", "x", 1);
    auto exec = declared("customer-acl", workflow::integration_kind::exec);
    exec.command = {cmd};
    s.integrations = {hook, exec, declared("staging-access", workflow::integration_kind::log)};

    auto made = make_integrations(s, ctx);
    REQUIRE(made.has_value());
    REQUIRE(made->size() == 3);
    for (const auto& [name, integration] : *made) {
        CHECK(integration->name() == name);
        CHECK(integration->deliver(test::sample_grant()).is_done());
    }
    // the webhook went out through the injected client, with the declared timeout
    const auto sent = http.sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].url == "https://provisioner.internal/checkpoint");
    CHECK(sent[0].timeout == std::chrono::seconds{30});
}

TEST_CASE("a webhook declaration that policy refuses fails at start, naming the integration")
{
    test::scripted_client http;
    workflow::system_clock clock;
    auto hook = declared("public-plain", workflow::integration_kind::webhook);
    hook.url = "http://provisioner.example.com/hook";
    hook.secret_env = "X";
    const auto made = make_integration(hook, integration_context{http, clock});
    REQUIRE_FALSE(made.has_value());
    CHECK_THAT(made.error().message, Catch::Contains("public-plain"));
    CHECK_THAT(made.error().message, Catch::Contains("https://"));
}
