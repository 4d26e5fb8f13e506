#pragma once

#include "bot/http.hpp"
#include "bot/service_context.hpp"

#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace checkpoint::bot::web {

// The web pages at `/` (issue 17): the page shell and its files (web/, built into checkpointd, served with ETag
// and gzip), and sign-in under /web/. The pages are a thin client of /api/v1, which takes the session's cookie
// in place of a token (api_auth.hpp); no rule is decided here.
class web_front {
public:
    explicit web_front(service_context& ctx);

    // "/", the pages' own paths, /assets/… and /web/….
    static bool owns(std::string_view path);
    // Whether answering `path` reads or writes storage (sign-in and the session): then it runs on the
    // application's threads. The page shell and its files are in memory.
    static bool needs_storage(std::string_view path);

    // `peer`: the address the connection came from (dev sign-in is for loopback only; the trusted header is
    // believed only from CHECKPOINT_WEB_TRUSTED_PROXIES).
    response handle(const request& req, const boost::asio::ip::address& peer);

    // Headers every answer of the web front carries: a strict Content-Security-Policy (no inline script, nothing
    // from elsewhere), no sniffing, no framing.
    static void secure(response& res);

private:
    struct asset {
        std::string content_type;
        std::string plain;
        std::string gzipped;
        std::string etag;
    };
    response serve(const request& req, const asset& a) const;
    response session(const request& req, const boost::asio::ip::address& peer);
    response people(const request& req, const boost::asio::ip::address& peer);
    response sign_in_dev(const request& req, const boost::asio::ip::address& peer);
    response sign_out(const request& req);
    // Sign in with Slack: off to Slack's authorize page with a fresh state and nonce (kept in a short cookie), and
    // back: the code exchanged, the ID token's nonce and audience checked, the Slack user bound to a person.
    response slack_start(const request& req, const boost::asio::ip::address& peer);
    response slack_callback(const request& req, const boost::asio::ip::address& peer);
    std::string redirect_uri(const request& req) const;
    // The session's answer, with its cookie when `secret` is set (a new sign-in).
    response signed_in(const request& req, const workflow::web_session& s, const std::string& secret,
                       const boost::asio::ip::address& peer) const;
    response not_signed_in(const request& req, const boost::asio::ip::address& peer, std::string_view why) const;
    bool dev_allowed(const request& req, const boost::asio::ip::address& peer) const;
    // Whether cookies may go without Secure: see plain_http in web_front.cpp.
    bool plain_http(const request& req, const boost::asio::ip::address& peer) const;
    // Who the SSO proxy in front says is there: the header's value, from a trusted proxy only.
    std::optional<std::string> proxy_says(const request& req, const boost::asio::ip::address& peer) const;

    service_context& ctx_;
    // Sign in with Slack callbacks running now (each waits on Slack), at most max_callbacks.
    std::atomic<int> callbacks_{0};
    static constexpr int max_callbacks = 8;
    // By URL path: "/assets/app.js"; the shell is "/index.html".
    std::unordered_map<std::string, asset> assets_;
};

} // namespace checkpoint::bot::web
