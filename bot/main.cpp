#include "admin/audit_key_file.hpp"
#include "admin/host_admin.hpp"
#include "bot/api/api_router.hpp"
#include "bot/api/petition_waiters.hpp"
#include "bot/audit_anchors.hpp"
#include "bot/config.hpp"
#include "bot/http_app.hpp"
#include "bot/web/web_front.hpp"
#include "bot/job_handlers.hpp"
#include "bot/manifests_reload.hpp"
#include "bot/http_server.hpp"
#include "bot/logging.hpp"
#include "bot/metrics.hpp"
#include "bot/offset_clock.hpp"
#include "outbound/beast_http_client.hpp"
#include "bot/provisioning_jobs.hpp"
#include "bot/resource_sync.hpp"
#include "bot/service_context.hpp"
#include "bot/slack_jobs.hpp"
#include "bot/slack_endpoint.hpp"
#include "bot/socket_mode/socket_client.hpp"
#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/away_store.hpp"
#include "storage/directory_store.hpp"
#include "storage/card_message_store.hpp"
#include "storage/change_listener.hpp"
#include "storage/database.hpp"
#include "storage/grant_store.hpp"
#include "storage/job_queue.hpp"
#include "storage/petition_store.hpp"
#include "storage/resource_store.hpp"
#include "storage/slack_user_cache.hpp"
#include "storage/slack_event_store.hpp"
#include "storage/report_queries.hpp"
#include "storage/session_store.hpp"
#include "storage/token_store.hpp"
#include "workflow/loader/manifest_loader.hpp"
#include "workflow/clock.hpp"

#include <CLI/CLI.hpp>
#include <boost/url/parse.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using namespace checkpoint;
namespace net = boost::asio;

constexpr std::string_view version = "0.1.0";

// Waits for in-flight requests to finish, up to the grace period, then stops the loop.
class drain {
public:
    drain(net::io_context& ioc, bot::http_server& server, std::chrono::steady_clock::time_point deadline)
        : ioc_(ioc), server_(server), deadline_(deadline), timer_(ioc)
    {
    }

    void check()
    {
        if (server_.in_flight() == 0 || std::chrono::steady_clock::now() >= deadline_) {
            if (server_.in_flight() != 0)
                spdlog::warn("shutdown: {} requests still in flight after the grace period", server_.in_flight());
            ioc_.stop();
            return;
        }
        timer_.expires_after(std::chrono::milliseconds(10));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec)
                check();
        });
    }

private:
    net::io_context& ioc_;
    bot::http_server& server_;
    std::chrono::steady_clock::time_point deadline_;
    net::steady_timer timer_;
};

// Forgets processed Slack event ids older than two days, once an hour.
// The name this replica's job leases carry (config::replica).
std::string replica_name(const bot::config& cfg, storage::backend b)
{
    if (!cfg.replica.empty())
        return cfg.replica;
    if (b == storage::backend::sqlite)
        return "checkpointd";
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0)
        std::snprintf(host, sizeof host, "checkpointd");
    // Port 0 (chosen by the system) names nothing stable: the process then, whose leases others take back when
    // they expire.
    return std::string(host) + ":" +
           (cfg.listen.port != 0 ? std::to_string(cfg.listen.port) : "pid" + std::to_string(getpid()));
}

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

// Loads and validates the manifests; prints every problem, one a line, when they are invalid.
std::optional<workflow::manifests> load_manifests(const std::string& dir)
{
    if (std::error_code ec; !std::filesystem::is_directory(dir, ec)) {
        std::cerr << "no manifests folder at " << dir
                  << ": set CHECKPOINT_MANIFESTS to the folder holding checkpoint.yaml, bundles/ and directory/ "
                     "(default ./manifests; the repository's manifests/ is an example)"
                  << std::endl;
        return std::nullopt;
    }
    auto loaded = loader::load_manifests(dir);
    if (!loaded) {
        std::cerr << loader::format(loaded.error());
        std::cerr << loaded.error().errors.size() << " problem(s) in the manifests at " << dir << std::endl;
        return std::nullopt;
    }
    return std::move(*loaded);
}

// True when the Slack API URL is an http:// server on this machine: a fake Slack in tests, the one case
// where Socket Mode may dial ws:// without TLS.
bool is_loopback_test_api(const std::string& api_url)
{
    auto u = boost::urls::parse_uri(api_url);
    if (!u || u->scheme() != "http")
        return false;
    if (u->host_type() == boost::urls::host_type::ipv6)
        return u->host_ipv6_address().is_loopback();
    if (u->host_type() == boost::urls::host_type::ipv4)
        return (u->host_ipv4_address().to_uint() >> 24) == 127;
    return u->host_address() == "localhost";
}

// apps.connections.open's answer, as the Socket Mode client reads it.
bot::socket_mode::open_result open_socket_url(bot::slack_client& slack)
{
    auto r = slack.open_socket_connection();
    if (!r.ok())
        return bot::socket_mode::open_failure{r.error, r.outcome == bot::slack_outcome::retryable, r.retry_after};
    const auto* url = r.body.if_contains("url");
    if (!url || !url->is_string() || url->get_string().empty())
        return bot::socket_mode::open_failure{"apps.connections.open answered ok without a url", true};
    return bot::socket_mode::opened_url{std::string(url->get_string())};
}

std::string manifests_summary(const workflow::manifests& m)
{
    return std::to_string(m.catalog.bundles().size()) + " bundles, " + std::to_string(m.directory.size()) + " people";
}

int serve(const bot::config& cfg, const std::string& clock_offset_file)
{
    // The address first: a port in use is reported before any database is created or migrated.
    net::io_context ioc{static_cast<int>(cfg.threads)};
    // Where handlers run once they need storage or Slack, and where durable writes' answers are rendered.
    // Made before the database, so a write still queued at exit finds it (joined: its task is dropped).
    net::thread_pool app_threads(cfg.app_threads);
    auto listening = bot::http_server::listen(ioc, cfg.listen);
    if (!listening) {
        spdlog::critical("cannot listen on {}:{}: {}", cfg.listen.host, cfg.listen.port, listening.error().message());
        return 1;
    }

    const auto hashed_before = bot::manifests_version_of(cfg.manifests_path);
    auto manifests = load_manifests(cfg.manifests_path);
    if (!manifests) {
        spdlog::critical("checkpointd refuses to start on invalid manifests; fix the problems above "
                         "(check with `checkpointd --check-manifests`)");
        return 2;
    }
    spdlog::info("manifests {} loaded: {}", cfg.manifests_path, manifests_summary(*manifests));
    // The version of what was loaded: the files hashed before and after the load. A checkout landing meanwhile is
    // read again; if that fails, no version is claimed, so the next reload applies whatever is there.
    auto manifests_version = bot::manifests_version_of(cfg.manifests_path);
    if (manifests_version.hash != hashed_before.hash) {
        auto reread = bot::read_manifests(cfg.manifests_path);
        if (reread.manifests)
            manifests = std::move(reread.manifests);
        manifests_version = reread.manifests ? std::move(reread.version) : app::manifests_version{};
    }
    spdlog::info("manifests version {}{}", manifests_version.hash.substr(0, 12),
                 manifests_version.commit.empty() ? std::string() : " (git commit " + manifests_version.commit + ")");
    app::live_manifests live(std::move(*manifests), std::move(manifests_version));

    // The audit chain's key, from outside the database (README.md, Operations); never logged.
    auto audit_secret = admin::find_audit_key({cfg.audit_key, cfg.audit_key_file}, cfg.database_path, true);
    if (!audit_secret || !*audit_secret) {
        spdlog::critical("audit key: {}", audit_secret ? std::string("none found or made") : audit_secret.error().message);
        return 2;
    }
    const auto& secret = **audit_secret;
    for (const auto& w : secret.warnings)
        spdlog::warn("audit key: {}", w);
    if (secret.beside_database)
        spdlog::warn("audit key: {} {}, beside the database: whoever can write the database there can likely read the "
                     "key and rewrite the audit chain. In production keep the key elsewhere (a secret store, another "
                     "owner) and set CHECKPOINT_AUDIT_KEY_FILE to it",
                     secret.generated ? "made" : "using", secret.source);
    auto audit_key = storage::audit_key::make(secret.secret);
    if (!audit_key) {
        spdlog::critical("audit key from {}: {}", secret.source, audit_key.error().message);
        return 2;
    }
    storage::database_options db_options;
    db_options.audit_key = *audit_key;
    auto opened = storage::database::open(cfg.database_path, db_options);
    if (!opened) {
        if (secret.generated)
            std::filesystem::remove(admin::default_audit_key_file(cfg.database_path));
        spdlog::critical("{}", admin::explain_audit_key_error(opened.error(), secret).message);
        spdlog::critical("checkpointd refuses to start: the audit chain and its key must agree");
        return opened.error().code.starts_with("audit_") ? 2 : 1;
    }
    auto db = std::move(*opened);
    spdlog::info("database {} open at schema version {}", db->target().shown(), db->schema_version());

    workflow::system_clock system_clock;
    std::optional<bot::offset_clock> moved_clock;
    if (!clock_offset_file.empty()) {
        moved_clock.emplace(clock_offset_file);
        spdlog::warn("--clock-offset-file: time is moved by the offset in {} (for tests only)", clock_offset_file);
    }
    const workflow::clock& clock = moved_clock ? static_cast<const workflow::clock&>(*moved_clock) : system_clock;

    storage::petition_store petitions(*db);
    storage::job_queue jobs(*db);
    storage::audit_log audit(*db);
    storage::card_message_store cards(*db);
    storage::grant_store grants(*db);
    storage::slack_user_cache slack_users(*db);
    storage::resource_store resources(*db);

    outbound::beast_http_client http;
    bot::slack_client_options slack_options;
    slack_options.api_url = cfg.slack_api_url;
    slack_options.bot_token = cfg.bot_token;
    slack_options.app_token = cfg.app_token;
    bot::slack_client slack_api(http, clock, slack_options);
    auto integrations = bot::make_integrations(live.now()->settings, {http, clock});
    if (!integrations) {
        spdlog::critical("integrations: {}", integrations.error().message);
        return 2;
    }

    bot::job_runner_options runner_options;
    runner_options.threads = cfg.worker_threads;
    runner_options.owner = replica_name(cfg, db->backend());
    spdlog::info("jobs: {} workers, leasing as {}", runner_options.threads, runner_options.owner);
    bot::job_runner runner(jobs, clock, runner_options);
    app::access_service access(live, clock, petitions, [&runner] { runner.wake(); }, &resources);
    storage::away_store away(*db);
    access.use_away_store(away);
    storage::token_store tokens(*db);
    storage::session_store web_sessions(*db);
    storage::directory_store directory_records(*db);
    app::directory_sync directory(live, directory_records, access, petitions, tokens, audit, clock);
    auto offload = [&app_threads](std::function<void()> task) {
        net::post(app_threads, [task = std::move(task)] {
            // A handler that throws loses its answer (Slack retries or the client times out), not the service.
            try {
                task();
            } catch (const std::exception& e) {
                spdlog::error("app: a request handler failed: {}", e.what());
            }
        });
    };
    bot::service_context ctx{cfg,   live, clock,       petitions,     jobs,   audit, cards,
                             grants, slack_users, resources, slack_api, *integrations, access, runner, offload,
                             &directory, &web_sessions};
    bot::register_job_handlers(runner, ctx);
    for (auto k : bot::jobs_without_handler(runner))
        spdlog::critical("jobs: no handler for job kind '{}'; such jobs will wait in the queue", app::name(k));
    bot::schedule_resource_sync(ctx);
    // Audit anchors: on a schedule, and now when this start sealed events written before the key.
    if (const auto sealed = db->audit_seal().sealed_now; sealed > 0) {
        spdlog::warn("audit: sealed the {} events written before the audit key with the key from {}", sealed,
                     secret.source);
        (void)bot::anchor_audit_now(ctx, "seal", "checkpoint", sealed);
    }
    bot::schedule_audit_anchors(ctx);
    // The people and groups SCIM and imports keep, laid over the manifests' directory; what a change cut short by a
    // stop left to end for deactivated people is ended now.
    if (auto loaded = directory.load(); !loaded) {
        spdlog::critical("directory records: {}", loaded.error().message);
        return 2;
    } else {
        if (loaded->changed)
            spdlog::info("directory: {} record(s) from SCIM and imports laid over the manifests",
                         directory.records().people.size());
        for (const auto& f : loaded->failures)
            spdlog::error("directory: {}", f);
    }

    bot::tell_deprecated_holders(ctx);
    bot::metrics metrics;
    storage::slack_event_store events(*db);
    bot::slack_commands commands(ctx);
    bot::slack_endpoint slack(cfg.signing_secret, clock, events, metrics, commands);
    storage::report_queries report_queries(*db);
    // After the io_context: its timers live on the connections' strands and go first.
    bot::api::petition_waiters waiters;
    access.on_change([&waiters](const workflow::petition& p) { waiters.notify(p.id); });
    // Other replicas on the same PostgreSQL database: a job they queued wakes these workers, a petition they
    // changed answers the long polls waiting here (nothing on SQLite: one process holds it).
    storage::change_listener replicas(*db, {{"checkpoint_jobs", [&runner](const std::string&) { runner.wake(); }},
                                            {"checkpoint_petitions", [&waiters](const std::string& id) {
                                                 if (!id.empty())
                                                     waiters.notify(id);
                                             }},
                                            {"checkpoint_directory", [&offload, &directory](const std::string&) {
                                                 offload([&directory] {
                                                     if (auto r = directory.refresh(); !r)
                                                         spdlog::error("directory records: {}", r.error().message);
                                                 });
                                             }}});
    bot::api::api_router api(ctx, tokens, report_queries, waiters,
                             bot::api::api_limits{cfg.api_rate, cfg.api_burst});
    // Socket Mode: Slack's requests over WebSockets the service dials, into the same dispatch as HTTP.
    std::optional<bot::socket_mode::client> socket;
    std::vector<bot::readiness_check> checks{
        {"database", [&db] { return db->ping(); }},
        {"manifests", [&live] { return !live.now()->catalog.bundles().empty(); }},
    };
    if (cfg.socket_mode()) {
        bot::socket_mode::client_options socket_options;
        socket_options.connections = cfg.socket_connections;
        socket_options.allow_plain_loopback = is_loopback_test_api(cfg.slack_api_url);
        socket.emplace(
            socket_options, [&slack_api] { return open_socket_url(slack_api); },
            [&slack](bot::slack_request r, const bot::slack_delivery& d, bot::slack_reply done) {
                slack.dispatch(std::move(r), d, std::move(done));
            },
            offload, metrics);
        checks.push_back({"slack_socket_mode", [&socket] { return socket->open_connections() > 0; },
                          [&socket] { return socket->state(); }});
    }
    bot::web::web_front web(ctx);
    bot::http_app app(metrics, slack, std::move(checks), &api, offload, &web);

    // Installed before anything is announced, so a signal at any moment after start-up is handled.
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    std::optional<drain> draining;
    // SIGUSR1 re-reads the clock offset (tests move time forward) and wakes the workers.
    net::signal_set reload_clock(ioc, SIGUSR1);
    std::function<void()> on_reload = [&] {
        reload_clock.async_wait([&](boost::system::error_code ec, int) {
            if (ec)
                return;
            if (moved_clock && moved_clock->reload())
                spdlog::info("clock: offset reloaded; now {}", std::chrono::duration_cast<std::chrono::seconds>(
                                                                   clock.now().time_since_epoch())
                                                                   .count());
            runner.wake();
            on_reload();
        });
    };
    on_reload();
    // SIGHUP re-reads the manifests: invalid ones are reported and the old stay; valid ones swap at once.
    net::signal_set reload_manifests(ioc, SIGHUP);
    std::function<void()> on_hangup = [&] {
        reload_manifests.async_wait([&](boost::system::error_code ec, int) {
            if (ec)
                return;
            offload([&ctx] { (void)bot::reload_from_disk(ctx, "checkpoint", workflow::origin{}); });
            on_hangup();
        });
    };
    on_hangup();
    const auto ep = listening->local_endpoint();
    bot::http_server server(ioc, std::move(*listening), app, cfg);
    server.start();
    // Overdue jobs (revokes that fell due while the service was down) run as soon as workers start.
    runner.start();
    if (socket) {
        socket->start();
        spdlog::info("socket mode: on, keeping {} connection(s) to Slack (SLACK_APP_TOKEN); Slack over HTTP is {}",
                     socket->wanted_connections(), cfg.signing_secret.empty() ? "off (no SLACK_SIGNING_SECRET)" : "on too");
    }

    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    spdlog::info("checkpointd {} listening on http://{}:{} with {} threads", version, host, ep.port(), cfg.threads);
    if (!socket)
        spdlog::info("connect Slack: create an app from manifests/slack-app.yaml, replace "
                     "https://checkpoint.example.com with this server's public HTTPS URL, and set "
                     "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN from the app's settings (or, without a public URL, "
                     "use manifests/slack-app-socket-mode.yaml and set SLACK_APP_TOKEN)");
    spdlog::info("try it without Slack: `checkpoint tokens create me --scopes requests,review --person u-2001 "
                 "--database {}` prints a token; then CHECKPOINT_URL=http://{}:{} CHECKPOINT_TOKEN=<token> "
                 "checkpoint catalog (the CLI is build/release/cli/checkpoint; README: API and CLI)",
                 db->target().shown(), ep.address().is_unspecified() ? std::string("127.0.0.1") : host, ep.port());
    if (!slack_api.configured())
        spdlog::warn("SLACK_BOT_TOKEN is not set: Slack calls are off (no cards, DMs or Home tabs are sent, and "
                     "Slack users are known only by the directory's slack_id)");

    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec)
            return;
        spdlog::info("shutdown: signal {} received; finishing in-flight requests (up to {} s)", sig,
                     cfg.shutdown_grace.count());
        server.begin_drain();
        // Long polls are answered now, with the petition as it stands, instead of at their timeout.
        waiters.close();
        reload_clock.cancel();
        draining.emplace(ioc, server, std::chrono::steady_clock::now() + cfg.shutdown_grace);
        draining->check();
    });

    net::steady_timer purge_timer(ioc);
    schedule_event_purge(purge_timer, events, clock);

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < cfg.threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    // Envelopes being handled are acknowledged (the application threads still run), then the sockets close.
    if (socket)
        socket->stop(std::chrono::duration_cast<std::chrono::milliseconds>(cfg.shutdown_grace) / 2);
    // Requests drained: what they handed to the application threads (and those threads' answers) is done.
    app_threads.join();
    runner.stop();
    spdlog::info("shutdown: done");
    return 0;
}

// `--create-token`: the first token, made on the database directly; the secret is printed once and never again.
int create_token_and_exit(const std::string& name, const std::string& scope_list, const std::string& person_ref,
                          const std::string& expires)
{
    std::vector<std::string> scopes;
    for (std::size_t i = 0; i <= scope_list.size();) {
        const auto j = std::min(scope_list.find(',', i), scope_list.size());
        if (j > i)
            scopes.push_back(scope_list.substr(i, j - i));
        i = j + 1;
    }
    const std::string path = bot::process_env("CHECKPOINT_DB").value_or("./checkpoint.db");
    auto made = admin::create_token_in_file(path, admin::open_mode::create, name,
                                            person_ref.empty() ? "service" : "personal", person_ref, scopes, expires,
                                            bot::process_env("CHECKPOINT_MANIFESTS").value_or("./manifests"),
                                            "checkpointd", admin::audit_key_settings_from(bot::process_env));
    if (!made) {
        std::cerr << "--create-token: " << made.error().message << std::endl;
        return made.error().code == "usage" ? 64 : 1;
    }
    // The token itself goes to stdout alone, so scripts can capture it; it is not stored anywhere.
    std::cout << made->at("token").as_string().c_str() << std::endl;
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App cli{"checkpointd: the Checkpoint just-in-time access service.\n"
                 "Configuration comes from the environment: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL,\n"
                 "SLACK_APP_TOKEN (xapp-…: Socket Mode), CHECKPOINT_SOCKET_CONNECTIONS (2),\n"
                 "CHECKPOINT_LISTEN (0.0.0.0:3000), CHECKPOINT_DB (./checkpoint.db),\n"
                 "CHECKPOINT_MANIFESTS (./manifests), CHECKPOINT_THREADS (one per core),\n"
                 "CHECKPOINT_WORKERS (16 background job workers), CHECKPOINT_APP_THREADS (8 application threads),\n"
                 "CHECKPOINT_HTTP_TIMEOUT (seconds per read or write), CHECKPOINT_MAX_CONNECTIONS (10000),\n"
                 "CHECKPOINT_API_RATE (20 per second per token) and CHECKPOINT_API_BURST (200),\n"
                 "CHECKPOINT_AUDIT_KEY or CHECKPOINT_AUDIT_KEY_FILE (the audit chain's key; default: a key file\n"
                 "beside the database, made at first start), CHECKPOINT_AUDIT_ANCHOR_EVERY (1d, or off).\n"
                 "Exit codes: 0 done, 1 failed, 2 bad configuration, 64 bad command line."};
    bool dev = false;
    bool check_manifests = false;
    std::string clock_offset_file;
    std::string format = "text";
    cli.add_flag("--dev", dev, "Generate a signing secret when SLACK_SIGNING_SECRET is unset (local trials only)");
    cli.add_flag("--check-manifests", check_manifests,
                 "Validate the manifests in CHECKPOINT_MANIFESTS (default ./manifests), print every problem, and exit");
#ifdef CHECKPOINT_TEST_HOOKS
    // Test builds only (CHECKPOINT_TEST_HOOKS): a service built to run has no way to move its clock.
    cli.add_option("--clock-offset-file", clock_offset_file,
                   "For end-to-end tests: move the clock by the seconds in this file (re-read on SIGUSR1)");
#endif
    cli.add_option("--log-format", format, "Log as human-readable text or as JSON lines")
        ->check(CLI::IsMember({"text", "json"}));
    std::string token_name;
    std::string token_scopes;
    std::string token_person;
    std::string token_expires;
    auto* create_token = cli.add_option("--create-token", token_name,
                                        "Create an API token NAME in CHECKPOINT_DB, print it once, and exit "
                                        "(bootstrap the first admin token)");
    cli.add_option("--scopes", token_scopes, "With --create-token: comma-separated scopes "
                                             "(requests, review, resources:write, audit:read, admin)")
        ->needs(create_token);
    cli.add_option("--person", token_person,
                   "With --create-token: the directory person a personal token acts as (a service token without it)")
        ->needs(create_token);
    cli.add_option("--expires", token_expires,
                   "With --create-token: how long it works, e.g. 30d (personal: 90d by default, at most 365d; "
                   "service: never by default)")
        ->needs(create_token);
    cli.set_version_flag("--version", std::string(version));
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; a flag it does not know is a usage error (64), as in the CLI.
        const int code = cli.exit(e);
        return code == 0 ? 0 : 64;
    }

    bot::setup_logging(format == "json" ? bot::log_format::json : bot::log_format::text);

    if (check_manifests) {
        const std::string dir = bot::process_env("CHECKPOINT_MANIFESTS").value_or("./manifests");
        auto m = load_manifests(dir);
        if (!m)
            return 1;
        std::cout << "manifests at " << dir << " are valid: " << manifests_summary(*m) << std::endl;
        return 0;
    }

    if (!token_name.empty())
        return create_token_and_exit(token_name, token_scopes, token_person, token_expires);

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
        return serve(*cfg, clock_offset_file);
    } catch (const std::exception& e) {
        spdlog::critical("checkpointd stopped: {}", e.what());
        return 1;
    }
}
