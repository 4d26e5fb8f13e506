#pragma once

#include "bot/api/api_auth.hpp"
#include "bot/api/petition_waiters.hpp"
#include "bot/api/token_budget.hpp"
#include "bot/http.hpp"
#include "bot/service_context.hpp"
#include "workflow/report_queries.hpp"
#include "workflow/token_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <memory>
#include <string_view>

namespace checkpoint::bot::api {

// The REST API under /api/v1 (docs/api.md): authenticates the bearer token, checks scopes, and acts
// through the access service, so every rule Slack clicks follow applies here too.
// How much one token may ask of the API. Zero rate: no limit (the router's own tests).
struct api_limits {
    // Requests per second each token earns, and how many it may spend at once (a token bucket).
    unsigned rate = 0;
    unsigned burst = 0;
    // Reports running or waiting at once (each reads up to 200,000 requests, one at a time); more: 429.
    std::size_t queued_reports = 4;
};

class api_router {
public:
    api_router(service_context& ctx, workflow::token_store& tokens, workflow::report_queries& reports,
               petition_waiters& waiters, api_limits limits = {});
    // The same, running reports on `reports_on` instead of a thread of its own (tests hold it to fill the queue).
    api_router(service_context& ctx, workflow::token_store& tokens, workflow::report_queries& reports,
               petition_waiters& waiters, api_limits limits, boost::asio::any_io_executor reports_on);

    static constexpr std::string_view prefix = "/api/v1";
    // /api/v1 and the SCIM service provider under /scim/v2 (api_scim.cpp).
    static bool owns(std::string_view path);
    static bool owns_scim(std::string_view path);
    // The largest body a request may carry: 8 MiB for PUT /api/v1/resources, POST /api/v1/policy/preview,
    // POST /api/v1/directory/import and SCIM writes (a group of many members), 64 KiB for everything else.
    static std::size_t body_limit(http::verb method, std::string_view target);

    // Whether a request may send a body over max_body_bytes, decided from its header alone: nullopt when its
    // token checks out and may upload, else the answer (401, 403) to send without reading the body.
    std::optional<response> admit_large_body(const request& head);

    // Every endpoint but the long poll, answered at once.
    response handle(const request& req);
    // Answers through `done`, on `ex` (the connection's strand): at once, or when a long poll ends.
    void handle_async(const request& req, const boost::asio::any_io_executor& ex, std::function<void(response)> done);

private:
    struct call;
    struct wait_state;
    // One endpoint, authenticated: routed to the file of its resource (api_<resource>.cpp).
    response dispatch(call& c);
    response catalog(call& c);
    response resources(call& c);
    response petitions(call& c);
    response audits(call& c);
    response tokens(call& c);
    response manifests(call& c);
    response directory(call& c);
    // /scim/v2: SCIM 2.0 for Okta and Entra ID, answered in SCIM's own shapes (RFC 7644), errors included.
    response scim(const request& req);
    response scim_route(const request& req);
    // `v` as the JSON answer to `c`.
    static response ok(const call& c, boost::json::value v, http::status s = http::status::ok);
    // An audit event for what `c` did, by its caller, through the API; audit() appends it on its own.
    workflow::audit_event audit_event(const call& c, std::string action, std::string reason, std::string petition,
                                      const boost::json::object& details) const;
    // Where `c` came from, for its audit records: "cli" when the Checkpoint CLI sent it (its User-Agent),
    // else "api"; and the token it presented.
    static workflow::origin origin_of(const call& c);
    void audit(const call& c, std::string action, std::string reason, std::string petition,
               boost::json::object details);
    // handle_async's work; hands `done` on (and sets `later`) when it answers later, else returns the answer.
    response start(const request& req, const boost::asio::any_io_executor& ex, std::function<void(response)>& done,
                   bool& later);
    void wait_round(const std::shared_ptr<wait_state>& w, bool first) noexcept;
    // The petition as the API shows it: with its resource's display name, or its bundle's entitlements.
    boost::json::object petition_out(const workflow::petition& p);
    // The petition as the public request log shows it: who, what, when and the state; "private": true, and the
    // reason, ticket and decisions' reasons null.
    boost::json::object public_out(const workflow::petition& p);
    // A long poll's answer: the petition, and X-Checkpoint-Waiting when it is still undecided.
    response poll_answer(const workflow::petition& p, unsigned version);

    service_context& ctx_;
    workflow::token_store& tokens_;
    workflow::report_queries& reports_;
    petition_waiters& waiters_;
    api_limits limits_;
    token_budget budget_;
    std::atomic<std::size_t> queued_reports_{0};
    // Reports run here, off the HTTP threads. Last members: joined (and its work finished) first.
    boost::asio::thread_pool report_thread_{1};
    boost::asio::any_io_executor reports_on_;
};

} // namespace checkpoint::bot::api
