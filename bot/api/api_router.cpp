#include "bot/api/api_router.hpp"

#include "bot/api/api_internal.hpp"

#include "blocks/actions.hpp"

#include "bot/integrations/pulled_resources.hpp"
#include "bot/resource_sync.hpp"

#include "bot/api/api_errors.hpp"
#include "bot/api/api_json.hpp"
#include "workflow/petition_json.hpp"
#include "workflow/duration.hpp"
#include "workflow/intent.hpp"
#include "workflow/loader/yaml_reader.hpp"
#include "workflow/reports.hpp"
#include "workflow/text.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <variant>

namespace checkpoint::bot::api {

using workflow::petition_state;

namespace {

// A 429 that says when to come back.
response slow_down(std::string_view message, std::chrono::seconds retry_after, unsigned version)
{
    auto res = api_error(code::rate_limited, message, version);
    res.set(http::field::retry_after, std::to_string(retry_after.count()));
    return res;
}

// What `f` answers, or the error it threw as the API words it.
template <class F>
response answer_or_error(const request& req, F&& f)
{
    try {
        return f();
    } catch (const api_failure& e) {
        return api_error(e.code, e.message, req.version());
    } catch (const workflow::error_exception& e) {
        return from_error(e.get(), req.version());
    } catch (const std::exception& e) {
        spdlog::error("api: {} {}: {}", std::string(req.method_string()), std::string(req.target()), e.what());
        return api_error(code::internal, "Something went wrong inside Checkpoint; the details are in its log.",
                         req.version());
    }
}

} // namespace

api_router::api_router(service_context& ctx, workflow::token_store& tokens, workflow::report_queries& reports,
                       petition_waiters& waiters, api_limits limits)
    : ctx_(ctx), tokens_(tokens), reports_(reports), waiters_(waiters), limits_(limits),
      budget_(limits.rate, limits.burst, std::max<std::size_t>(1, waiters.capacity() / 4)),
      reports_on_(report_thread_.get_executor())
{
}

api_router::api_router(service_context& ctx, workflow::token_store& tokens, workflow::report_queries& reports,
                       petition_waiters& waiters, api_limits limits, boost::asio::any_io_executor reports_on)
    : api_router(ctx, tokens, reports, waiters, limits)
{
    reports_on_ = std::move(reports_on);
}

std::optional<response> api_router::admit_large_body(const request& head)
{
    auto refusal = answer_or_error(head, [&] {
        auto auth = authenticate(head, tokens_, *ctx_.policy.now(), ctx_.clock.now());
        if (!auth.who)
            fail(code::unauthenticated, auth.refusal + " (checked before a body over " +
                                            std::to_string(max_body_bytes) + " bytes is read)");
        const auto path = head.target().substr(0, head.target().find('?'));
        if (path.starts_with("/api/v1/policy/preview"))
            need(*auth.who, scope::audit_read, "previewing a policy change");
        else if (path.starts_with("/api/v1/directory/import"))
            need(*auth.who, scope::admin, "importing the directory");
        else if (owns_scim(path))
            need(*auth.who, scope::scim, "writing the directory through SCIM");
        else
            need(*auth.who, scope::resources_write, "uploading resources");
        return response{http::status::ok, head.version()};
    });
    if (refusal.result() == http::status::ok)
        return std::nullopt;
    refusal.keep_alive(false);
    return refusal;
}

std::vector<std::string> segments_after_prefix(const boost::urls::url_view& target)
{
    std::vector<std::string> seg;
    for (auto s : target.segments())
        seg.push_back(std::string(s));
    // Drop "api", "v1" (or "scim", "v2"), and a trailing slash's empty segment.
    seg.erase(seg.begin(), seg.begin() + std::min<std::ptrdiff_t>(2, static_cast<std::ptrdiff_t>(seg.size())));
    if (!seg.empty() && seg.back().empty())
        seg.pop_back();
    return seg;
}

bool api_router::owns(std::string_view path)
{
    if (owns_scim(path))
        return true;
    return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/');
}

std::size_t api_router::body_limit(http::verb method, std::string_view target)
{
    const auto q = target.find('?');
    const auto path = target.substr(0, q);
    if (method == http::verb::put && (path == "/api/v1/resources" || path == "/api/v1/resources/"))
        return max_upload_bytes;
    if (method == http::verb::post && (path == "/api/v1/policy/preview" || path == "/api/v1/policy/preview/" ||
                                       path == "/api/v1/directory/import" || path == "/api/v1/directory/import/"))
        return max_upload_bytes;
    if (owns_scim(path) && method != http::verb::get)
        return max_upload_bytes;
    return max_body_bytes;
}

response api_router::handle(const request& req)
{
    std::optional<response> out;
    handle_async(req, {}, [&](response r) { out = std::move(r); });
    if (!out)
        return api_error(code::internal, "This endpoint answers later; call it through the server.", req.version());
    return std::move(*out);
}

void api_router::handle_async(const request& req, const boost::asio::any_io_executor& ex,
                              std::function<void(response)> done)
{
    const auto path = req.target().substr(0, req.target().find('?'));
    if (owns_scim(path))
        return done(scim(req));
    // `later` is set once `done` is handed on (a report queued, a long poll registered): it answers then.
    bool later = false;
    auto res = answer_or_error(req, [&] { return start(req, ex, done, later); });
    if (!later)
        done(std::move(res));
}

response api_router::start(const request& req, const boost::asio::any_io_executor& ex,
                           std::function<void(response)>& done, bool& later)
{
    const auto version = req.version();
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target)
        fail(code::invalid_request, "The request target is not a valid path: " + target.error().message());
    call c{req, *target, {}, {}, {}, ctx_.policy.now()};
    c.seg = segments_after_prefix(*target);
    auto m = match(c.seg, req.method());
    if (m.allow.empty())
        fail(code::not_found, "No such endpoint: " + std::string(req.method_string()) + " " +
                                  std::string(target->encoded_path()) + ". The endpoints are listed in docs/api.md.");
    if (!m.which) {
        auto res = api_error(code::method_not_allowed,
                             std::string(target->encoded_path()) + " accepts " + m.allow + ", not " +
                                 std::string(req.method_string()) + ".",
                             version);
        res.set(http::field::allow, m.allow);
        return res;
    }
    c.which = *m.which;
    if ((c.which == endpoint::petition_get || c.which == endpoint::petition_wait ||
         c.which == endpoint::petition_act) &&
        !workflow::is_petition_id(c.seg[1]))
        fail(code::not_found, "\"" + c.seg[1].substr(0, 40) + "\" is not a request id; ids look like "
                              "p-0bq3k7d2m9x4f (see GET /api/v1/petitions?mine=true).");
    auto auth = authenticate(req, tokens_, c.m(), ctx_.clock.now(), ctx_.sessions);
    if (!auth.who)
        fail(auth.forbidden ? code::forbidden : code::unauthenticated, auth.refusal);
    c.who = std::move(*auth.who);
    if (auto wait = budget_.spend(c.who.budget_key(), ctx_.clock.now()))
        return slow_down("This token has made more than " + std::to_string(limits_.burst) +
                             " requests in a burst, or more than " + std::to_string(limits_.rate) +
                             " a second; retry after " + std::to_string(wait->count()) + " s.",
                         *wait, version);
    const bool heavy =
        c.which == endpoint::report || c.which == endpoint::manifests_reload || c.which == endpoint::policy_preview ||
        c.which == endpoint::directory_import;
    if (heavy && ex) {
        // A report reads up to 200,000 requests, a preview replays them, a reload re-routes every waiting one:
        // each runs on a thread of its own, one at a time, not on the threads that answer Slack within its 3
        // seconds. Only a caller who may run it is queued, and only a few at once. The session keeps `req`
        // until `done`.
        if (c.which == endpoint::report)
            need(c.who, scope::audit_read, "reading reports");
        else if (c.which == endpoint::policy_preview)
            need(c.who, scope::audit_read, "previewing a policy change");
        else if (c.which == endpoint::directory_import)
            need(c.who, scope::admin, "importing the directory");
        else
            need(c.who, scope::admin, "reloading the manifests");
        if (queued_reports_.fetch_add(1) >= limits_.queued_reports) {
            queued_reports_.fetch_sub(1);
            return slow_down("The service is already running " + std::to_string(limits_.queued_reports) +
                                 " reports, previews or reloads; ask again in a few seconds.",
                             std::chrono::seconds{5}, version);
        }
        boost::asio::post(reports_on_, [this, c, ex, done = std::move(done)]() mutable {
            auto res = answer_or_error(c.req, [&] { return dispatch(c); });
            queued_reports_.fetch_sub(1);
            boost::asio::post(ex, [done = std::move(done), res = std::move(res)]() mutable { done(std::move(res)); });
        });
        later = true;
        return response{};
    }
    if (c.which != endpoint::petition_wait)
        return dispatch(c);

    // The long poll: registered against the petition, answered when it settles or at the timeout.
    auto p = must(ctx_.access.get(c.seg[1]));
    if (!may_see(c.who, p))
        fail(code::not_found, "There is no request " + c.seg[1] + " you can see.");
    std::chrono::seconds timeout{30};
    if (auto t = c.param("timeout")) {
        int v = 0;
        auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
        if (ec != std::errc() || end != t->data() + t->size() || v < 1 || v > 60)
            fail(code::invalid_request, "`timeout` must be a whole number of seconds from 1 to 60 (default 30).");
        timeout = std::chrono::seconds{v};
    }
    if (!ex) {
        // No connection to wait on (called through handle()): answer with the petition as it is.
        return poll_answer(p, version);
    }
    auto slot = budget_.hold_wait(c.who.budget_key());
    if (!slot)
        return slow_down("This token already holds " + std::to_string(budget_.waits_per_token()) +
                             " long polls, its share; answer one before opening another.",
                         std::chrono::seconds{5}, version);
    auto w = std::make_shared<wait_state>(wait_state{p.id, version, std::chrono::steady_clock::now() + timeout, ex,
                                                     std::move(done), std::move(slot)});
    wait_round(w, true);
    later = true;
    return response{};
}

json::object api_router::petition_out(const workflow::petition& p)
{
    const auto policy = ctx_.policy.now();
    const auto& dir = policy->directory;
    if (!p.route.is_resource)
        return petition_json(p, dir, {}, policy->catalog.find(p.entitlement()));
    const auto colon = p.entitlement().find(':');
    auto r = ctx_.resources.find(p.entitlement().substr(0, colon), p.entitlement().substr(colon + 1));
    return petition_json(p, dir, r && *r ? (*r)->display_name : std::string());
}

json::object api_router::public_out(const workflow::petition& p)
{
    auto out = petition_out(workflow::public_view(p));
    out["reason"] = nullptr;
    out["ticket"] = nullptr;
    if (auto* decisions = out.if_contains("decisions"); decisions && decisions->is_array())
        for (auto& d : decisions->as_array())
            d.as_object()["reason"] = nullptr;
    if (auto* extension = out.if_contains("extension"); extension && extension->is_object())
        extension->as_object()["reason"] = nullptr;
    out["withheld"] = json::array{"reason", "ticket", "decisions[].reason", "extension.reason"};
    return out;
}

response api_router::poll_answer(const workflow::petition& p, unsigned version)
{
    auto res = json_response(http::status::ok, petition_out(p), version);
    res.set("X-Checkpoint-Waiting", still_waiting(p) ? "true" : "false");
    return res;
}

void api_router::wait_round(const std::shared_ptr<wait_state>& w, bool first) noexcept
{
    // Runs on the connection's strand, outside any request handler's try: nothing may escape into the io loop.
    auto internal = [w](const std::exception& e) {
        spdlog::error("api: wait on {}: {}", w->id, e.what());
        w->done(api_error(code::internal, "Something went wrong inside Checkpoint; the details are in its log.",
                          w->version));
    };
    // Answers with the petition as last read.
    auto answer = [this, w](const workflow::result<workflow::petition>& p) {
        if (!p)
            return w->done(from_error(p.error(), w->version));
        w->done(poll_answer(*p, w->version));
    };
    try {
        const bool registered = waiters_.wait(w->id, w->ex, w->deadline, [this, w, answer, internal](bool timed_out) {
            try {
                auto p = ctx_.access.get(w->id);
                if (timed_out || !p || !still_waiting(*p) || std::chrono::steady_clock::now() >= w->deadline)
                    return answer(p);
                // Woken by a transition that left it waiting (one step of several approved): wait on.
                wait_round(w, false);
            } catch (const std::exception& e) {
                internal(e);
            }
        });
        if (!registered) {
            // Full: a new poll is refused. Closing (shutdown), or a re-wait that found no room: answered as it stands.
            if (first && !waiters_.closed())
                return w->done(api_error(code::rate_limited,
                                         "Too many requests are being waited on right now; poll again in a few seconds.",
                                         w->version));
            return answer(ctx_.access.get(w->id));
        }
        // Checked after registering, so a transition committed just before is not missed.
        auto p = ctx_.access.get(w->id);
        if (!p || !still_waiting(*p))
            waiters_.notify(w->id);
    } catch (const std::exception& e) {
        internal(e);
    }
}

response api_router::ok(const call& c, json::value v, http::status s)
{
    return json_response(s, v, c.req.version());
}

workflow::audit_event api_router::audit_event(const call& c, std::string action, std::string reason,
                                             std::string petition, const json::object& details) const
{
    return {c.who.actor(), std::move(action), ctx_.clock.now(), std::move(reason), "api", std::move(petition),
            json::serialize(details), origin_of(c)};
}

workflow::origin api_router::origin_of(const call& c)
{
    if (c.who.web())
        return {"web", 0};
    constexpr std::string_view cli_agent = "checkpoint-cli/";
    const auto agent = c.req[http::field::user_agent];
    return {agent.substr(0, cli_agent.size()) == cli_agent ? "cli" : "api", c.who.token.id};
}

void api_router::audit(const call& c, std::string action, std::string reason, std::string petition,
                       json::object details)
{
    auto r = ctx_.audit.append(audit_event(c, std::move(action), std::move(reason), std::move(petition), details));
    if (!r)
        throw workflow::error_exception(r.error());
}

response api_router::dispatch(call& c)
{
    switch (c.which) {
    case endpoint::me:
    case endpoint::bundles:
    case endpoint::bundle:
    case endpoint::explain: return catalog(c);
    case endpoint::resources_list:
    case endpoint::resources_put:
    case endpoint::resources_sync: return resources(c);
    case endpoint::petitions_list:
    case endpoint::petitions_create:
    case endpoint::override_create:
    case endpoint::access_denied:
    case endpoint::petition_get:
    case endpoint::petition_wait:
    case endpoint::petition_act: return petitions(c);
    case endpoint::audit:
    case endpoint::audit_verify:
    case endpoint::report: return audits(c);
    case endpoint::tokens_list:
    case endpoint::tokens_create:
    case endpoint::token_delete: return tokens(c);
    case endpoint::manifests_reload:
    case endpoint::policy_preview:
    case endpoint::directory_import: return manifests(c);
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
