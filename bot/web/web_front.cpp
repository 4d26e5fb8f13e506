#include "bot/web/web_front.hpp"

#include "app/web_sessions.hpp"
#include "bot/api/api_auth.hpp"
#include "bot/api/api_errors.hpp"
#include "bot/slack_identity.hpp"
#include "bot/web/web_assets.hpp"
#include "workflow/text.hpp"

#include <boost/algorithm/hex.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <array>
#include <atomic>
#include <stdexcept>

namespace checkpoint::bot::web {

namespace json = boost::json;
namespace code = api::code;

namespace {

// The pages the shell answers; web/app.js draws the one the path names.
constexpr std::string_view page_paths[] = {"/", "/catalog", "/mine", "/approvals", "/log", "/signin", "/audit"};
constexpr std::string_view page_prefixes[] = {"/request/", "/requests/"};

std::string_view content_type_of(std::string_view name)
{
    const auto dot = name.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (ext == "html")
        return "text/html; charset=utf-8";
    if (ext == "js")
        return "text/javascript; charset=utf-8";
    if (ext == "css")
        return "text/css; charset=utf-8";
    if (ext == "svg")
        return "image/svg+xml";
    if (ext == "json")
        return "application/json";
    if (ext == "png")
        return "image/png";
    return "application/octet-stream";
}

std::string gzip(std::string_view plain)
{
    z_stream z{};
    // 15 + 16: a gzip header and trailer around the deflate stream.
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("zlib: deflateInit2 failed");
    std::string out(deflateBound(&z, static_cast<uLong>(plain.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const auto written = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        throw std::runtime_error("zlib: deflate did not finish");
    out.resize(written);
    return out;
}

// A strong ETag: the first 16 bytes of the file's SHA-256, in hex, quoted.
std::string etag_of(std::string_view bytes)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL SHA-256 failed");
    std::string out = "\"";
    boost::algorithm::hex_lower(digest.data(), digest.data() + 16, std::back_inserter(out));
    return out + "\"";
}

bool accepts_gzip(const request& req)
{
    // Accept-Encoding: gzip, deflate, br (a q=0 for gzip is not something browsers send).
    const auto ae = workflow::to_lower(req[http::field::accept_encoding]);
    return ae.find("gzip") != std::string::npos && ae.find("gzip;q=0") == std::string::npos;
}

// The state and nonce of a Sign in with Slack under way, "<state>.<nonce>".
constexpr std::string_view oidc_cookie = "checkpoint_oidc";

bool is_loopback_host(std::string_view host)
{
    if (host.starts_with("["))
        host = host.substr(0, host.find(']') + 1);
    else
        host = host.substr(0, host.find(':'));
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

// Loopback, also as an IPv4 address mapped into IPv6 (a dual-stack listener's view of 127.0.0.1).
bool loopback(const boost::asio::ip::address& a)
{
    if (a.is_loopback())
        return true;
    return a.is_v6() && a.to_v6().is_v4_mapped() &&
           boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).is_loopback();
}

// A cookie only this service reads (HttpOnly), sent on top-level navigations from elsewhere but not on their
// sub-requests (SameSite=Lax), and Secure unless `plain` (plain HTTP is how the browser reaches the service).
std::string cookie_for(bool plain, std::string_view name, std::string_view value, std::string_view path,
                       std::chrono::seconds max_age)
{
    std::string cookie = std::string(name) + "=" + std::string(value) + "; Path=" + std::string(path) +
                         "; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age.count());
    if (!plain)
        cookie += "; Secure";
    return cookie;
}

// At most one warning a minute about a trusted header from an untrusted peer: a client cannot flood the log.
bool time_to_warn()
{
    static std::atomic<long long> last{0};
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    auto seen = last.load();
    return now - seen >= 60 && last.compare_exchange_strong(seen, now);
}

// A POST from another site: a JSON body cannot be sent cross-site without the browser asking first, and an
// Origin that is not this host is refused outright.
std::optional<std::string> cross_site(const request& req)
{
    const auto type = workflow::to_lower(req[http::field::content_type]);
    if (!type.starts_with("application/json"))
        return "Send the body as JSON (Content-Type: application/json).";
    const auto origin = req[http::field::origin];
    if (!origin.empty()) {
        const auto scheme = origin.find("://");
        if (scheme == std::string_view::npos || origin.substr(scheme + 3) != req[http::field::host])
            return "This request came from another site (Origin " + std::string(origin.substr(0, 100)) +
                   "), so it was refused.";
    }
    return std::nullopt;
}

// Where a browser is sent after a sign-in that did not work: the sign-in page, which says why.
response back_to_sign_in(const request& req, std::string_view why)
{
    boost::urls::url to("/");
    to.params().set("signin_error", why);
    response res{http::status::found, req.version()};
    res.set(http::field::server, server_name);
    res.set(http::field::location, to.buffer());
    res.set(http::field::cache_control, "no-store");
    return res;
}

// The claims of a JWT, unverified: the ID token comes straight from Slack's token endpoint over TLS, which vouches
// for it (OpenID Connect Core 3.1.3.7), so its signature is not what is checked here; its nonce and audience are.
std::optional<json::object> jwt_claims(std::string_view token)
{
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos)
        return std::nullopt;
    std::string b64(token.substr(first + 1, second - first - 1));
    for (auto& ch : b64)
        ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
    while (b64.size() % 4 != 0)
        b64 += '=';
    std::string raw(b64.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0)
        return std::nullopt;
    // EVP_DecodeBlock counts the padding's zero bytes; JSON ends at its closing brace.
    raw.resize(static_cast<std::size_t>(n));
    while (!raw.empty() && raw.back() == '\0')
        raw.pop_back();
    boost::system::error_code ec;
    auto v = json::parse(raw, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return std::move(v.get_object());
}

std::string text_of(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::object person_json(const workflow::directory& dir, std::string_view id)
{
    const auto i = dir.find(id);
    if (i == workflow::no_person)
        return {{"id", id}, {"name", id}};
    const auto& p = dir.at(i);
    return {{"id", p.id}, {"name", p.name}, {"team", p.team}};
}

} // namespace

web_front::web_front(service_context& ctx) : ctx_(ctx)
{
    for (const auto& a : embedded_assets()) {
        asset out;
        out.content_type = std::string(content_type_of(a.name));
        out.plain = std::string(a.bytes);
        out.gzipped = gzip(out.plain);
        out.etag = etag_of(out.plain);
        assets_.emplace(a.name == "index.html" ? "/index.html" : "/assets/" + std::string(a.name), std::move(out));
    }
    if (!assets_.contains("/index.html"))
        throw std::logic_error("web: index.html is not among the embedded files");
}

bool web_front::owns(std::string_view path)
{
    if (path.starts_with("/assets/") || path.starts_with("/web/"))
        return true;
    for (auto p : page_paths)
        if (path == p)
            return true;
    for (auto p : page_prefixes)
        if (path.starts_with(p) && path.size() > p.size())
            return true;
    return false;
}

bool web_front::needs_storage(std::string_view path) { return path.starts_with("/web/"); }

void web_front::secure(response& res)
{
    res.set("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "same-origin");
}

response web_front::handle(const request& req, const boost::asio::ip::address& peer)
{
    const auto target = req.target();
    const auto path = target.substr(0, target.find('?'));
    auto answer = [&]() -> response {
        const auto method = req.method();
        const bool read = method == http::verb::get || method == http::verb::head;
        if (path.starts_with("/web/")) {
            if (path == "/web/session" && read)
                return session(req, peer);
            if (path == "/web/people" && read)
                return people(req, peer);
            if (path == "/web/signin/dev" && method == http::verb::post)
                return sign_in_dev(req, peer);
            if (path == "/web/signout" && method == http::verb::post)
                return sign_out(req);
            if (path == "/web/signin/slack" && read)
                return slack_start(req, peer);
            if (path == "/web/signin/slack/callback" && read)
                return slack_callback(req, peer);
            if (path == "/web/session" || path == "/web/people" || path == "/web/signin/dev" || path == "/web/signout" ||
                path.starts_with("/web/signin/slack"))
                return api::api_error(code::method_not_allowed,
                                      std::string(path) + " does not accept " + std::string(req.method_string()) + ".",
                                      req.version());
            return api::api_error(code::not_found, "No such page: " + std::string(path.substr(0, 200)) + ".",
                                  req.version());
        }
        if (!read) {
            auto res = api::api_error(code::method_not_allowed,
                                      std::string(path.substr(0, 200)) + " is a page; it accepts GET.", req.version());
            res.set(http::field::allow, "GET, HEAD");
            return res;
        }
        if (path.starts_with("/assets/")) {
            const auto it = assets_.find(std::string(path));
            if (it == assets_.end())
                return api::api_error(code::not_found, "No such file: " + std::string(path.substr(0, 200)) + ".",
                                      req.version());
            return serve(req, it->second);
        }
        return serve(req, assets_.at("/index.html"));
    };
    response res;
    try {
        res = answer();
    } catch (const workflow::error_exception& e) {
        res = api::from_error(e.get(), req.version());
    } catch (const std::exception& e) {
        spdlog::error("web: {} {}: {}", std::string(req.method_string()), std::string(path), e.what());
        res = api::api_error(code::internal, "Something went wrong inside Checkpoint; the details are in its log.",
                             req.version());
    }
    secure(res);
    return res;
}

response web_front::serve(const request& req, const asset& a) const
{
    response res{http::status::ok, req.version()};
    res.set(http::field::server, server_name);
    res.set(http::field::etag, a.etag);
    // Always asked again, answered 304 while unchanged: a new build's files are seen at once.
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::vary, "Accept-Encoding");
    const auto if_none = req[http::field::if_none_match];
    if (!if_none.empty() && (if_none == a.etag || if_none == "*" || if_none.find(a.etag) != std::string_view::npos)) {
        res.result(http::status::not_modified);
        return res;
    }
    res.set(http::field::content_type, a.content_type);
    if (accepts_gzip(req) && a.gzipped.size() < a.plain.size()) {
        res.set(http::field::content_encoding, "gzip");
        res.body() = a.gzipped;
    } else {
        res.body() = a.plain;
    }
    res.prepare_payload();
    if (req.method() == http::verb::head)
        res.body().clear();
    return res;
}

bool web_front::dev_allowed(const request& req, const boost::asio::ip::address& peer) const
{
    // --dev, a browser on this machine that calls it by a loopback name (not a rebound DNS name), and no proxy in
    // between that says so (a proxy on this host would make everyone local).
    return ctx_.cfg.dev && loopback(peer) && is_loopback_host(req[http::field::host]) &&
           req.find(http::field::forwarded) == req.end() && req.find("X-Forwarded-For") == req.end();
}

bool web_front::plain_http(const request& req, const boost::asio::ip::address& peer) const
{
    // Secure cookies everywhere but a --dev trial in a browser on this machine, or a service whose public address is
    // plain http (CHECKPOINT_PUBLIC_URL says so). A proxy on this host does not make its visitors local.
    return (ctx_.cfg.dev && loopback(peer) && is_loopback_host(req[http::field::host])) ||
           ctx_.cfg.public_url.starts_with("http://");
}

std::optional<std::string> web_front::proxy_says(const request& req, const boost::asio::ip::address& peer) const
{
    if (ctx_.cfg.web_trusted_header.empty())
        return std::nullopt;
    const auto value = req[ctx_.cfg.web_trusted_header];
    if (value.empty())
        return std::nullopt;
    if (!trusted_proxy(ctx_.cfg, peer)) {
        if (time_to_warn())
            spdlog::warn("web: {} came from {}, which is not in CHECKPOINT_WEB_TRUSTED_PROXIES; ignored (said once a "
                         "minute at most)",
                         ctx_.cfg.web_trusted_header, peer.to_string());
        return std::nullopt;
    }
    // Twice: a proxy that adds its header beside the browser's instead of replacing it. Neither is believed.
    if (req.count(ctx_.cfg.web_trusted_header) != 1) {
        if (time_to_warn())
            spdlog::warn("web: {} came more than once in one request; ignored (make the proxy replace it, not add it)",
                         ctx_.cfg.web_trusted_header);
        return std::nullopt;
    }
    return std::string(value.substr(0, 320));
}

response web_front::session(const request& req, const boost::asio::ip::address& peer)
{
    if (!ctx_.sessions)
        return not_signed_in(req, peer, "Sign-in to the web pages is not set up on this server.");
    const auto snapshot = ctx_.policy.now();
    const auto& dir = snapshot->directory;
    const auto now = ctx_.clock.now();
    auto found = api::find_session(req, *ctx_.sessions, dir, now);
    if (auto who = proxy_says(req, peer)) {
        // The proxy says who is at the browser now: a session of someone else is not theirs.
        const auto i = dir.find(*who);
        if (found.session && i != workflow::no_person && dir.at(i).id == found.session->person_id)
            return signed_in(req, *found.session, {}, peer);
        auto opened = app::sign_in(*ctx_.sessions, dir, *who, app::sign_in_via::trusted_header, now);
        if (auto* refusal = std::get_if<app::sign_in_refusal>(&opened))
            return not_signed_in(req, peer, refusal->message);
        auto& o = std::get<workflow::opened_session>(opened);
        return signed_in(req, o.session, o.secret, peer);
    }
    if (!found.session)
        return not_signed_in(req, peer, found.refusal);
    return signed_in(req, *found.session, {}, peer);
}

response web_front::signed_in(const request& req, const workflow::web_session& s, const std::string& secret,
                              const boost::asio::ip::address& peer) const
{
    const auto snapshot = ctx_.policy.now();
    json::object body{{"person", person_json(snapshot->directory, s.person_id)},
                      {"auditor", app::is_auditor(snapshot->settings, snapshot->directory, s.person_id, ctx_.clock.now())},
                      {"via", s.via},
                      {"csrf", s.csrf},
                      {"expires_at", workflow::format_utc(s.expires_at)}};
    auto res = json_response(http::status::ok, body, req.version());
    res.set(http::field::cache_control, "no-store");
    if (!secret.empty()) {
        const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(s.expires_at - ctx_.clock.now());
        res.set(http::field::set_cookie, cookie_for(plain_http(req, peer), api::session_cookie, secret, "/", max_age));
    }
    return res;
}

response web_front::not_signed_in(const request& req, const boost::asio::ip::address& peer, std::string_view why) const
{
    json::object body{
        {"error", json::object{{"code", code::unauthenticated}, {"message", why}}},
        {"sign_in", json::object{{"dev", dev_allowed(req, peer)},
                                 {"trusted_header", !ctx_.cfg.web_trusted_header.empty()},
                                 {"slack", !ctx_.cfg.slack_client_id.empty()}}}};
    auto res = json_response(http::status::unauthorized, body, req.version());
    res.set(http::field::cache_control, "no-store");
    return res;
}

response web_front::people(const request& req, const boost::asio::ip::address& peer)
{
    if (!dev_allowed(req, peer))
        return api::api_error(code::forbidden,
                              "The list of people to sign in as is for local trials only: checkpointd --dev, from a "
                              "browser on the same machine.",
                              req.version());
    const auto snapshot = ctx_.policy.now();
    json::array items;
    for (const auto& p : snapshot->directory.people())
        items.push_back(json::object{{"id", p.id}, {"name", p.name}, {"team", p.team}});
    return json_response(http::status::ok, json::object{{"items", std::move(items)}}, req.version());
}

response web_front::sign_in_dev(const request& req, const boost::asio::ip::address& peer)
{
    if (!dev_allowed(req, peer))
        return api::api_error(code::forbidden,
                              "Signing in as anyone is for local trials only: checkpointd --dev, from a browser on the "
                              "same machine. Sign in with Slack or through your SSO proxy instead.",
                              req.version());
    if (auto why = cross_site(req))
        return api::api_error(code::forbidden, *why, req.version());
    if (!ctx_.sessions)
        return api::api_error(code::not_found, "Sign-in to the web pages is not set up on this server.",
                              req.version());
    boost::system::error_code ec;
    auto body = json::parse(req.body(), ec);
    const auto* fields = ec ? nullptr : body.if_object();
    const auto* who = fields ? fields->if_contains("person") : nullptr;
    if (!who || !who->is_string())
        return api::api_error(code::invalid_request,
                              "\"person\" is required: the directory id or email of the person to sign in as.",
                              req.version());
    auto opened = app::sign_in(*ctx_.sessions, ctx_.policy.now()->directory, who->get_string(), app::sign_in_via::dev,
                               ctx_.clock.now());
    if (auto* refusal = std::get_if<app::sign_in_refusal>(&opened))
        return api::api_error(code::invalid_request, refusal->message, req.version());
    auto& o = std::get<workflow::opened_session>(opened);
    return signed_in(req, o.session, o.secret, peer);
}

std::string web_front::redirect_uri(const request& req) const
{
    std::string base = ctx_.cfg.public_url;
    if (base.empty()) {
        const auto host = std::string(req[http::field::host]).substr(0, 255);
        base = (is_loopback_host(host) ? "http://" : "https://") + host;
    }
    return base + "/web/signin/slack/callback";
}

response web_front::slack_start(const request& req, const boost::asio::ip::address& peer)
{
    if (ctx_.cfg.slack_client_id.empty())
        return back_to_sign_in(req, "Sign in with Slack is not set up on this server (SLACK_CLIENT_ID and "
                                    "SLACK_CLIENT_SECRET).");
    // 32 random bytes each, from OpenSSL's CSPRNG, in hex.
    const auto state = generate_secret();
    const auto nonce = generate_secret();
    boost::urls::url to(ctx_.slack.openid_authorize_url());
    to.params().set("response_type", "code");
    to.params().set("scope", "openid email profile");
    to.params().set("client_id", ctx_.cfg.slack_client_id);
    to.params().set("state", state);
    to.params().set("nonce", nonce);
    to.params().set("redirect_uri", redirect_uri(req));
    response res{http::status::found, req.version()};
    res.set(http::field::server, server_name);
    res.set(http::field::location, to.buffer());
    res.set(http::field::cache_control, "no-store");
    // Ten minutes to come back from Slack, to this path only.
    res.set(http::field::set_cookie,
            cookie_for(plain_http(req, peer), oidc_cookie, state + "." + nonce, "/web/signin/slack",
                       std::chrono::minutes{10}));
    return res;
}

response web_front::slack_callback(const request& req, const boost::asio::ip::address& peer)
{
    if (ctx_.cfg.slack_client_id.empty() || !ctx_.sessions)
        return back_to_sign_in(req, "Sign in with Slack is not set up on this server.");
    // Each callback waits on Slack twice: only a few at once, so no one ties up the application's threads with them.
    struct in_flight {
        std::atomic<int>& n;
        ~in_flight() { n.fetch_sub(1); }
    } held{callbacks_};
    if (callbacks_.fetch_add(1) >= max_callbacks)
        return back_to_sign_in(req, "Too many sign-ins with Slack at once; try again in a moment.");
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target)
        return back_to_sign_in(req, "Slack sent the browser back with an address that could not be read; try again.");
    auto param = [&](std::string_view key) {
        auto it = target->params().find(key);
        return it == target->params().end() ? std::string() : std::string((*it).value).substr(0, 2000);
    };
    if (const auto error = param("error"); !error.empty())
        return back_to_sign_in(req, error == "access_denied" ? "You cancelled signing in with Slack."
                                                             : "Slack did not sign you in (" + error.substr(0, 60) + ").");
    // The state proves this browser started the sign-in (no one else's code lands in it); the nonce, that the ID
    // token was made for this sign-in.
    const std::string kept(api::cookie_value(req, oidc_cookie));
    const auto dot = kept.find('.');
    const auto state = dot == std::string::npos ? std::string() : kept.substr(0, dot);
    const auto nonce = dot == std::string::npos ? std::string() : kept.substr(dot + 1);
    if (state.empty() || param("state") != state)
        return back_to_sign_in(req, "That sign-in with Slack was not started from this browser (or took longer than "
                                    "ten minutes); start again.");
    const auto code = param("code");
    if (code.empty())
        return back_to_sign_in(req, "Slack sent the browser back without a code; start again.");

    auto tokens = ctx_.slack.openid_token(ctx_.cfg.slack_client_id, ctx_.cfg.slack_client_secret, code,
                                          redirect_uri(req));
    if (!tokens.ok())
        return back_to_sign_in(req, "Slack did not confirm the sign-in (" + tokens.error.substr(0, 60) + "); try again.");
    const auto claims = jwt_claims(text_of(tokens.body, "id_token"));
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(ctx_.clock.now().time_since_epoch()).count();
    const auto* exp = claims ? claims->if_contains("exp") : nullptr;
    if (!claims || text_of(*claims, "nonce") != nonce || text_of(*claims, "aud") != ctx_.cfg.slack_client_id ||
        text_of(*claims, "iss") != "https://slack.com" || !exp || !exp->is_number() ||
        exp->to_number<double>() < static_cast<double>(now_s))
        return back_to_sign_in(req, "Slack's answer was not for this sign-in (its nonce, audience or expiry did not "
                                    "match); start again.");
    const auto access_token = text_of(tokens.body, "access_token");
    if (access_token.empty())
        return back_to_sign_in(req, "Slack's answer carried no access token; try again.");
    auto info = ctx_.slack.openid_user_info(access_token);
    if (!info.ok())
        return back_to_sign_in(req, "Slack did not say who you are (" + info.error.substr(0, 60) + "); try again.");
    const auto slack_user = text_of(info.body, "https://slack.com/user_id");
    if (slack_user.empty() || slack_user != text_of(*claims, "https://slack.com/user_id"))
        return back_to_sign_in(req, "Slack's answer named no user; try again.");
    if (ctx_.slack.configured()) {
        // Only people of the workspace the bot is in.
        auto ws = ctx_.slack.workspace();
        if (!ws)
            return back_to_sign_in(req, "Slack could not say which workspace Checkpoint is in just now; try again.");
        if (text_of(info.body, "https://slack.com/team_id") != ws->team_id)
            return back_to_sign_in(req, "You signed in to another Slack workspace than the one Checkpoint is in.");
    }
    // Bound to a person the way a command's user is: the directory's slack_id, else an email Slack vouches for.
    auto found = person_for_slack_user(ctx_, slack_user);
    if (!found.found())
        return back_to_sign_in(req, found.refusal.empty()
                                        ? "Your Slack account is not linked to anyone in Checkpoint's directory; ask the "
                                          "platform team to add you."
                                        : found.refusal);
    auto opened = app::sign_in(*ctx_.sessions, found.policy->directory, found.who().id, app::sign_in_via::slack,
                               ctx_.clock.now());
    if (auto* refusal = std::get_if<app::sign_in_refusal>(&opened))
        return back_to_sign_in(req, refusal->message);
    auto& o = std::get<workflow::opened_session>(opened);
    auto res = signed_in(req, o.session, o.secret, peer);
    res.result(http::status::found);
    res.set(http::field::location, "/");
    res.body().clear();
    res.prepare_payload();
    // The state and nonce are spent.
    res.insert(http::field::set_cookie, std::string(oidc_cookie) + "=; Path=/web/signin/slack; HttpOnly; SameSite=Lax; Max-Age=0");
    return res;
}

response web_front::sign_out(const request& req)
{
    auto auth = ctx_.sessions ? api::find_session(req, *ctx_.sessions, ctx_.policy.now()->directory, ctx_.clock.now())
                              : api::session_result{std::nullopt, "You are not signed in."};
    if (!auth.session)
        return api::api_error(code::unauthenticated, auth.refusal, req.version());
    if (req[api::csrf_header] != auth.session->csrf)
        return api::api_error(code::forbidden,
                              "The page's CSRF token is missing or wrong, so you are still signed in; reload the page "
                              "and try again.",
                              req.version());
    auto ended = app::sign_out(*ctx_.sessions, *auth.session, ctx_.clock.now());
    if (!ended)
        throw workflow::error_exception(ended.error());
    response res{http::status::no_content, req.version()};
    res.set(http::field::server, server_name);
    res.set(http::field::set_cookie, std::string(api::session_cookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return res;
}

} // namespace checkpoint::bot::web
