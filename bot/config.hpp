#pragma once

#include <chrono>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot {

struct listen_address {
    std::string host;
    unsigned short port = 0;
};

struct config {
    // Empty only with Socket Mode on: Slack's HTTP endpoints then refuse every request.
    std::string signing_secret;
    std::string bot_token;
    // SLACK_APP_TOKEN (xapp-…): turns on Socket Mode. Never logged.
    std::string app_token;
    // Socket Mode connections kept open at once (CHECKPOINT_SOCKET_CONNECTIONS, 1 to 10).
    unsigned socket_connections = 2;
    std::string slack_api_url = "https://slack.com/api/";
    listen_address listen{"0.0.0.0", 3000};
    std::string database_path = "./checkpoint.db";
    // This replica's name among those sharing one PostgreSQL database (CHECKPOINT_REPLICA): its job leases carry
    // it, and a restart under the same name takes its own leases back at once. Empty: "checkpointd" on SQLite,
    // host:port on PostgreSQL.
    std::string replica;
    std::string manifests_path = "./manifests";
    unsigned threads = 0;
    // Background job workers (Slack calls, provisioning, expiry). They mostly wait, on a receiver or
    // on a group commit, so there are more of them than cores: 100,000 grants expiring at once are
    // revoked in 43 s with 16 and 67 s with 8 on a 2-core machine (bench/README.md).
    unsigned worker_threads = 16;
    // Application threads: Slack commands, clicks and API calls run here once they need storage or
    // Slack, so the HTTP threads only read, verify and answer. They do not wait for durable writes
    // (those complete asynchronously), only for reads and Slack look-ups.
    unsigned app_threads = 8;
    std::chrono::seconds read_timeout{15};
    std::chrono::seconds write_timeout{15};
    std::chrono::seconds shutdown_grace{10};
    // Connections served at once (CHECKPOINT_MAX_CONNECTIONS); one more is answered 503 and closed. Lowered
    // at start to what the open-files limit allows.
    unsigned max_connections = 10'000;
    // Each API token's budget (CHECKPOINT_API_RATE per second, CHECKPOINT_API_BURST at once); past it, 429
    // with Retry-After.
    unsigned api_rate = 20;
    unsigned api_burst = 200;
    // The audit chain's key (README.md, Operations, "Audit chain"): CHECKPOINT_AUDIT_KEY's value, or the
    // file CHECKPOINT_AUDIT_KEY_FILE names; with neither, a key file beside the database, made at first start.
    // Never logged.
    std::string audit_key{};
    std::string audit_key_file{};
    // How often the audit chain's head is anchored in the security channel (CHECKPOINT_AUDIT_ANCHOR_EVERY:
    // 1d, 12h, …, or off: zero).
    std::chrono::seconds audit_anchor_every{std::chrono::hours{24}};
    // True when --dev made up the signing secret.
    bool generated_secret = false;
    // --dev: the web pages also offer a sign-in as anyone in the directory, to browsers on loopback only.
    bool dev = false;
    // The web pages behind an SSO proxy (CHECKPOINT_WEB_TRUSTED_HEADER, e.g. X-Forwarded-Email): the header
    // that names who signed in, honoured only from CHECKPOINT_WEB_TRUSTED_PROXIES (addresses or CIDR ranges,
    // comma-separated). Empty: off.
    std::string web_trusted_header{};
    std::vector<boost::asio::ip::network_v6> web_trusted_proxies{};
    // Sign in with Slack on the web pages (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, from the Slack app's Basic
    // Information page); empty: off. The secret is never logged.
    std::string slack_client_id{};
    std::string slack_client_secret{};
    // Where browsers reach the service (CHECKPOINT_PUBLIC_URL, e.g. https://access.example.com): Slack sends them
    // back to <it>/web/signin/slack/callback. Empty: the address the browser used (https unless on loopback).
    std::string public_url{};

    bool socket_mode() const noexcept { return !app_token.empty(); }
};

// The shortest audit key accepted (storage::audit_key::min_length).
inline constexpr std::size_t min_audit_key_length = 32;

using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

// The process environment.
std::optional<std::string> process_env(std::string_view name);

// Reads configuration from the environment; every problem is reported, each naming the variable
// and what it accepts. With `dev`, a missing signing secret is generated instead of refused.
std::optional<config> load_config(const env_lookup& env, bool dev, std::vector<std::string>& errors);

std::optional<listen_address> parse_listen_address(std::string_view text);

// Whether `peer` is one of CHECKPOINT_WEB_TRUSTED_PROXIES.
bool trusted_proxy(const config& c, const boost::asio::ip::address& peer);

// A random 32-byte hex secret from OpenSSL's CSPRNG.
std::string generate_secret();

} // namespace checkpoint::bot
