#include "bot/config.hpp"

#include "workflow/duration.hpp"
#include "workflow/text.hpp"

#include <boost/algorithm/hex.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace checkpoint::bot {

namespace {

std::optional<long long> parse_positive(std::string_view s, long long max)
{
    long long v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || v <= 0 || v > max)
        return std::nullopt;
    return v;
}

} // namespace

std::optional<std::string> process_env(std::string_view name)
{
    const char* v = std::getenv(std::string(name).c_str());
    if (!v)
        return std::nullopt;
    return std::string(v);
}

std::optional<listen_address> parse_listen_address(std::string_view text)
{
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty() || port.empty())
        return std::nullopt;
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || ptr != port.data() + port.size() || p > 65535)
        return std::nullopt;
    return listen_address{std::string(host), static_cast<unsigned short>(p)};
}

namespace {

// An address or a CIDR range, v4 or v6, as a v6 network (v4 as v4-mapped), so one comparison covers both.
std::optional<boost::asio::ip::network_v6> parse_network(std::string_view text)
{
    boost::system::error_code ec;
    const auto slash = text.find('/');
    const auto host = std::string(text.substr(0, slash));
    auto address = boost::asio::ip::make_address(host, ec);
    if (ec)
        return std::nullopt;
    unsigned prefix = address.is_v4() ? 32 : 128;
    if (slash != std::string_view::npos) {
        auto n = parse_positive(text.substr(slash + 1), prefix);
        if (!n && text.substr(slash + 1) != "0")
            return std::nullopt;
        prefix = n ? static_cast<unsigned>(*n) : 0;
    }
    if (address.is_v4())
        return boost::asio::ip::network_v6(
                   boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()),
                   static_cast<unsigned short>(96 + prefix))
            .canonical();
    return boost::asio::ip::network_v6(address.to_v6(), static_cast<unsigned short>(prefix)).canonical();
}

void read_web_settings(const env_lookup& env, config& c, std::vector<std::string>& errors)
{
    c.slack_client_id = env("SLACK_CLIENT_ID").value_or("");
    c.slack_client_secret = env("SLACK_CLIENT_SECRET").value_or("");
    if (c.slack_client_id.empty() != c.slack_client_secret.empty())
        errors.emplace_back("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (Sign in with Slack on the web pages): "
                            "both from your Slack app's Basic Information page, or neither");
    c.public_url = env("CHECKPOINT_PUBLIC_URL").value_or("");
    if (!c.public_url.empty()) {
        if (!c.public_url.starts_with("https://") && !c.public_url.starts_with("http://"))
            errors.emplace_back("CHECKPOINT_PUBLIC_URL must be the address browsers reach the service at, such as "
                                "https://access.example.com, got '" + c.public_url.substr(0, 80) + "'");
        while (c.public_url.ends_with('/'))
            c.public_url.pop_back();
    }

    const auto header = env("CHECKPOINT_WEB_TRUSTED_HEADER").value_or("");
    const auto proxies = env("CHECKPOINT_WEB_TRUSTED_PROXIES").value_or("");
    if (header.empty() && proxies.empty())
        return;
    if (header.empty() || proxies.empty()) {
        errors.emplace_back("CHECKPOINT_WEB_TRUSTED_HEADER and CHECKPOINT_WEB_TRUSTED_PROXIES go together: the "
                            "header your SSO proxy sets (e.g. X-Forwarded-Email) and the proxy's addresses, so "
                            "the header is believed from the proxy only");
        return;
    }
    const bool token_chars = std::all_of(header.begin(), header.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
    if (!token_chars || header.size() > 100)
        errors.emplace_back("CHECKPOINT_WEB_TRUSTED_HEADER must be a header name such as X-Forwarded-Email (letters, "
                            "digits, - and _), got '" + header.substr(0, 80) + "'");
    c.web_trusted_header = header;
    for (const auto item : workflow::split_trimmed(proxies, ',')) {
        if (auto n = parse_network(item))
            c.web_trusted_proxies.push_back(*n);
        else
            errors.emplace_back("CHECKPOINT_WEB_TRUSTED_PROXIES must list addresses or CIDR ranges such as "
                                "127.0.0.1, 10.0.0.0/8 or ::1, comma-separated; '" + std::string(item.substr(0, 60)) +
                                "' is neither");
    }
}

} // namespace

bool trusted_proxy(const config& c, const boost::asio::ip::address& peer)
{
    const auto v6 = peer.is_v4() ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, peer.to_v4())
                                 : peer.to_v6();
    return std::any_of(c.web_trusted_proxies.begin(), c.web_trusted_proxies.end(), [&](const auto& n) {
        return boost::asio::ip::network_v6(v6, n.prefix_length()).canonical() == n;
    });
}

std::string generate_secret()
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    std::string hex;
    boost::algorithm::hex_lower(std::begin(bytes), std::end(bytes), std::back_inserter(hex));
    return hex;
}

std::optional<config> load_config(const env_lookup& env, bool dev, std::vector<std::string>& errors)
{
    config c;
    const auto start = errors.size();

    if (auto t = env("SLACK_APP_TOKEN"); t && !t->empty()) {
        if (!t->starts_with("xapp-") || t->size() < 10 || t->find_first_of(" \t\r\n") != std::string::npos)
            errors.emplace_back("SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write "
                                "scope, from your Slack app's Basic Information page; the value set does not "
                                "start with xapp-");
        c.app_token = *t;
    }

    if (auto s = env("SLACK_SIGNING_SECRET"); s && !s->empty()) {
        if (s->find_first_not_of(" \t") == std::string::npos)
            errors.emplace_back("SLACK_SIGNING_SECRET is blank; set it to the Signing Secret from your Slack "
                                "app's Basic Information page");
        c.signing_secret = *s;
    } else if (dev) {
        c.signing_secret = generate_secret();
        c.generated_secret = true;
    } else if (c.app_token.empty()) {
        errors.emplace_back("SLACK_SIGNING_SECRET is not set; set it to the Signing Secret from your Slack app's "
                            "Basic Information page, or set SLACK_APP_TOKEN to take Slack's requests over Socket "
                            "Mode (or run `checkpointd --dev` to generate one for local trials)");
    }

    if (auto t = env("SLACK_BOT_TOKEN"))
        c.bot_token = *t;
    if (auto u = env("SLACK_API_URL"); u && !u->empty()) {
        if (!u->starts_with("https://") && !u->starts_with("http://"))
            errors.emplace_back("SLACK_API_URL must start with https:// (or http:// for a local fake), got '" +
                                u->substr(0, 80) + "'");
        c.slack_api_url = *u;
        if (!c.slack_api_url.ends_with('/'))
            c.slack_api_url += '/';
    }
    if (auto l = env("CHECKPOINT_LISTEN"); l && !l->empty()) {
        if (auto a = parse_listen_address(*l))
            c.listen = *a;
        else
            errors.emplace_back("CHECKPOINT_LISTEN must be host:port such as 0.0.0.0:3000, 127.0.0.1:0 or "
                                "[::1]:3000, got '" + l->substr(0, 80) + "'");
    }
    if (auto d = env("CHECKPOINT_DB"); d && !d->empty())
        c.database_path = *d;
    if (auto r = env("CHECKPOINT_REPLICA"); r && !r->empty()) {
        const bool fits = r->size() <= 64 && std::all_of(r->begin(), r->end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_' || ch == ':';
        });
        if (fits)
            c.replica = *r;
        else
            errors.emplace_back("CHECKPOINT_REPLICA must be 1 to 64 letters, digits, '.', '-', '_' or ':' (a name "
                                "unique among the replicas, the same across restarts), got '" + r->substr(0, 80) + "'");
    }
    if (auto m = env("CHECKPOINT_MANIFESTS"); m && !m->empty())
        c.manifests_path = *m;
    // A count from 1 to `max` in `name`, if set; otherwise `into` keeps its default.
    auto count = [&](const char* name, unsigned max, unsigned& into) {
        auto t = env(name);
        if (!t || t->empty())
            return;
        if (auto n = parse_positive(*t, max))
            into = static_cast<unsigned>(*n);
        else
            errors.emplace_back(std::string(name) + " must be a whole number from 1 to " + std::to_string(max) +
                                ", got '" + t->substr(0, 20) + "'");
    };
    count("CHECKPOINT_THREADS", 256, c.threads);
    if (auto t = env("CHECKPOINT_HTTP_TIMEOUT"); t && !t->empty()) {
        if (auto n = parse_positive(*t, 300))
            c.read_timeout = c.write_timeout = std::chrono::seconds(*n);
        else
            errors.emplace_back("CHECKPOINT_HTTP_TIMEOUT must be seconds from 1 to 300, got '" + t->substr(0, 20) + "'");
    }
    count("CHECKPOINT_WORKERS", 64, c.worker_threads);
    count("CHECKPOINT_APP_THREADS", 64, c.app_threads);
    count("CHECKPOINT_SOCKET_CONNECTIONS", 10, c.socket_connections);
    count("CHECKPOINT_MAX_CONNECTIONS", 1'000'000, c.max_connections);
    count("CHECKPOINT_API_RATE", 100'000, c.api_rate);
    count("CHECKPOINT_API_BURST", 1'000'000, c.api_burst);
    if (c.threads == 0)
        c.threads = std::max(1u, std::thread::hardware_concurrency());

    // The audit chain's key and anchors. The key's value is never repeated in a message.
    const auto audit_key = env("CHECKPOINT_AUDIT_KEY").value_or("");
    const auto audit_key_file = env("CHECKPOINT_AUDIT_KEY_FILE").value_or("");
    if (!audit_key.empty() && !audit_key_file.empty())
        errors.emplace_back("CHECKPOINT_AUDIT_KEY and CHECKPOINT_AUDIT_KEY_FILE are both set; set one: the key "
                            "itself, or the file that holds it");
    else if (!audit_key.empty() && audit_key.size() < min_audit_key_length)
        errors.emplace_back("CHECKPOINT_AUDIT_KEY is " + std::to_string(audit_key.size()) + " characters; it must be at "
                            "least " + std::to_string(min_audit_key_length) + " (make one with `openssl rand -hex 32`)");
    c.audit_key = audit_key;
    c.audit_key_file = audit_key_file;
    if (auto every = env("CHECKPOINT_AUDIT_ANCHOR_EVERY"); every && !every->empty()) {
        auto d = *every == "off" ? workflow::result<workflow::duration>(workflow::duration::zero())
                                 : workflow::parse_duration(*every);
        if (!d || (*every != "off" && *d < std::chrono::minutes(1)))
            errors.emplace_back("CHECKPOINT_AUDIT_ANCHOR_EVERY must be a duration of at least a minute such as 1d, 12h "
                                "or 30m, or off, got '" + every->substr(0, 20) + "'");
        else
            c.audit_anchor_every = std::chrono::duration_cast<std::chrono::seconds>(*d);
    }

    c.dev = dev;
    read_web_settings(env, c, errors);

    if (errors.size() != start)
        return std::nullopt;
    return c;
}

} // namespace checkpoint::bot
