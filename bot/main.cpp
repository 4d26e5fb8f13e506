#include "bot/config.hpp"
#include "bot/http_app.hpp"
#include "bot/http_server.hpp"
#include "bot/logging.hpp"
#include "bot/metrics.hpp"
#include "bot/slack_endpoint.hpp"
#include "storage/database.hpp"
#include "storage/slack_event_store.hpp"
#include "workflow/clock.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <thread>
#include <vector>

namespace {

using namespace checkpoint;
namespace net = boost::asio;

constexpr std::string_view version = "0.1.0";

// Waits for in-flight requests to finish, up to the grace period, then stops the loop.
void drain_then_stop(net::io_context& ioc, bot::http_server& server, std::chrono::steady_clock::time_point deadline)
{
    auto timer = std::make_shared<net::steady_timer>(ioc);
    std::function<void()> check = [&ioc, &server, deadline, timer, &check] {
        if (server.in_flight() == 0 || std::chrono::steady_clock::now() >= deadline) {
            if (server.in_flight() != 0)
                spdlog::warn("shutdown: {} requests still in flight after the grace period", server.in_flight());
            ioc.stop();
            return;
        }
        timer->expires_after(std::chrono::milliseconds(10));
        timer->async_wait([&check](boost::system::error_code) { check(); });
    };
    check();
}

// Forgets processed Slack event ids older than two days, once an hour.
void schedule_event_purge(net::steady_timer& timer, storage::slack_event_store& events, const workflow::clock& clock)
{
    timer.expires_after(std::chrono::hours(1));
    timer.async_wait([&timer, &events, &clock](boost::system::error_code ec) {
        if (ec)
            return;
        const int n = events.purge_before(clock.now() - std::chrono::hours(48));
        spdlog::debug("slack: forgot {} old event ids", n);
        schedule_event_purge(timer, events, clock);
    });
}

int serve(const bot::config& cfg)
{
    auto opened = storage::database::open(cfg.database_path);
    if (!opened) {
        spdlog::critical("{}", opened.error().message);
        return 1;
    }
    auto db = std::move(*opened);
    spdlog::info("database {} open at schema version {}", cfg.database_path, db->schema_version());

    if (!std::filesystem::exists(std::filesystem::path(cfg.manifests_path) / "checkpoint.yaml")) {
        spdlog::critical("no manifests at {}: expected {}/checkpoint.yaml (set CHECKPOINT_MANIFESTS)",
                         cfg.manifests_path, cfg.manifests_path);
        return 1;
    }

    workflow::system_clock clock;
    bot::metrics metrics;
    storage::slack_event_store events(*db);
    bot::slack_endpoint slack(cfg.signing_secret, clock, events, metrics);
    bot::http_app app(metrics, slack,
                      {
                          {"database", [&db] { return db->ping(); }},
                          {"manifests",
                           [&cfg] {
                               return std::filesystem::exists(std::filesystem::path(cfg.manifests_path) /
                                                              "checkpoint.yaml");
                           }},
                      });

    net::io_context ioc{static_cast<int>(cfg.threads)};
    bot::http_server server(ioc, app, cfg);
    auto bound = server.listen(cfg.listen);
    if (!bound) {
        spdlog::critical("cannot listen on {}:{}: {}", cfg.listen.host, cfg.listen.port, bound.error().message());
        return 1;
    }
    server.start();

    const auto ep = *bound;
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    spdlog::info("checkpointd {} listening on http://{}:{} with {} threads", version, host, ep.port(), cfg.threads);
    spdlog::info("connect Slack: create an app from manifests/slack-app.yaml, replace "
                 "https://checkpoint.example.com with this server's public HTTPS URL, and set "
                 "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN from the app's settings");

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec)
            return;
        spdlog::info("shutdown: signal {} received; finishing in-flight requests (up to {} s)", sig,
                     cfg.shutdown_grace.count());
        server.begin_drain();
        drain_then_stop(ioc, server, std::chrono::steady_clock::now() + cfg.shutdown_grace);
    });

    net::steady_timer purge_timer(ioc);
    schedule_event_purge(purge_timer, events, clock);

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < cfg.threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    spdlog::info("shutdown: done");
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App cli{"checkpointd: the Checkpoint just-in-time access service.\n"
                 "Configuration comes from the environment: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL,\n"
                 "CHECKPOINT_LISTEN (0.0.0.0:3000), CHECKPOINT_DB (./checkpoint.db),\n"
                 "CHECKPOINT_MANIFESTS (./manifests), CHECKPOINT_THREADS (one per core)."};
    bool dev = false;
    std::string format = "text";
    cli.add_flag("--dev", dev, "Generate a signing secret when SLACK_SIGNING_SECRET is unset (local trials only)");
    cli.add_option("--log-format", format, "Log as human-readable text or as JSON lines")
        ->check(CLI::IsMember({"text", "json"}));
    cli.set_version_flag("--version", std::string(version));
    CLI11_PARSE(cli, argc, argv);

    bot::setup_logging(format == "json" ? bot::log_format::json : bot::log_format::text);

    std::vector<std::string> errors;
    auto cfg = bot::load_config(bot::process_env, dev, errors);
    if (!cfg) {
        for (const auto& e : errors)
            spdlog::critical("configuration: {}", e);
        spdlog::critical("checkpointd refuses to start until the configuration above is fixed");
        return 2;
    }
    if (cfg->generated_secret) {
        // Printed once on purpose: --dev is for local trials, where the operator needs it to sign requests.
        std::cout << "checkpointd --dev: generated SLACK_SIGNING_SECRET=" << cfg->signing_secret << std::endl;
        spdlog::warn("--dev: using a generated signing secret; never run this way in production");
    }
    try {
        return serve(*cfg);
    } catch (const std::exception& e) {
        spdlog::critical("checkpointd stopped: {}", e.what());
        return 1;
    }
}
