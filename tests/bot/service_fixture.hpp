#pragma once

#include "app/access_service.hpp"
#include "app/live_manifests.hpp"
#include "bot/config.hpp"
#include "bot/job_runner.hpp"
#include "outbound/beast_http_client.hpp"
#include "bot/service_context.hpp"
#include "bot/slack/slack_client.hpp"
#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/away_store.hpp"
#include "storage/card_message_store.hpp"
#include "storage/database.hpp"
#include "storage/grant_store.hpp"
#include "storage/job_queue.hpp"
#include "storage/petition_store.hpp"
#include "storage/resource_store.hpp"
#include "storage/slack_user_cache.hpp"
#include "tests/support/example_manifests.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_database.hpp"
#include "workflow/intent.hpp"
#include "workflow/loader/manifest_loader.hpp"
#include "workflow/petition.hpp"

#include <memory>
#include <string>

namespace checkpoint::test {

// The service as main composes it, over a temporary database, the example manifests and a clock
// that only moves when told. Slack calls go to `slack_api_url` (a fake Slack in tests that need one).
struct service_fixture {
    explicit service_fixture(std::string slack_api_url = "http://127.0.0.1:9/api/",
                             std::string bot_token = "xoxb-fake-slack-token")
        : cfg(make_config(std::move(slack_api_url), std::move(bot_token)))
    {
    }

    static bot::config make_config(std::string url, std::string token)
    {
        bot::config c;
        c.signing_secret = "test-signing-secret";
        c.slack_api_url = std::move(url);
        c.bot_token = std::move(token);
        return c;
    }

    temp_dir dir;
    bot::config cfg;
    // 2026-11-23 10:00 UTC: Mary Major is out of office (delegate Lee Lin), Raj Davis too (no delegate).
    static constexpr workflow::time_point start{std::chrono::seconds{1'795'428'000}};
    // The manifests in force (reloadable); `manifests` is the version the fixture started with.
    app::live_manifests live{loader::load_manifests(write_example_manifests(dir.path() / "manifests", start)).value()};
    app::live_manifests::snapshot initial = live.now();
    const workflow::manifests& manifests = *initial;
    workflow::manual_clock clock{start};
    // Keyed as main keys it: the audit chain's key kept outside the database.
    static storage::database_options keyed()
    {
        storage::database_options o;
        o.audit_key = storage::audit_key::make("service-fixture-audit-key-0123456789abcdef").value();
        return o;
    }
    std::unique_ptr<storage::database> db = storage::database::open(checkpoint::test::database_for(dir.file("t.db")), keyed()).value();
    storage::petition_store petitions{*db};
    storage::job_queue jobs{*db};
    storage::audit_log audit{*db};
    storage::card_message_store cards{*db};
    storage::grant_store grants{*db};
    storage::slack_user_cache slack_users{*db};
    storage::resource_store resources{*db};
    outbound::beast_http_client http;
    bot::slack_client slack{http, clock, {cfg.slack_api_url, cfg.bot_token}};
    bot::integration_map integrations = bot::make_integrations(manifests.settings, {http, clock}).value();
    bot::job_runner runner{jobs, clock, {}};
    app::access_service access{live, clock, petitions, [] {}, &resources};
    storage::away_store away{*db};
    // Out of office set with `/checkpoint ooo` is read from the database, as main wires it.
    bool away_wired = (access.use_away_store(away), true);
    bot::service_context ctx{cfg,    live,   clock,     petitions,    jobs,   audit, cards,
                             grants, slack_users, resources, slack, integrations, access, runner};
};

// A request as a person files it: `target` for `length` ("1d"), with a reason.
inline workflow::intent::request request_for(std::string target, const std::string& length,
                                             std::string reason = "debugging latency")
{
    workflow::intent::request r;
    r.target = std::move(target);
    r.length = workflow::parse_duration(length).value();
    r.reason = std::move(reason);
    return r;
}

// Whom a pending request waits on at its current step.
inline std::vector<std::string> waiting_ids(const workflow::petition& p)
{
    return workflow::waiting_on(p.route.steps.at(p.progress.step), p.progress.assigned);
}

} // namespace checkpoint::test
