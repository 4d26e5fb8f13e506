#include "bot/http_app.hpp"

#include "bot/api/api_errors.hpp"
#include "bot/api/api_router.hpp"
#include "bot/web/web_front.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <chrono>

namespace checkpoint::bot {

namespace {

struct route_entry {
    std::string_view path;
    http::verb method;
    route_id id;
};

constexpr std::array routes{
    route_entry{"/healthz", http::verb::get, route_id::healthz},
    route_entry{"/readyz", http::verb::get, route_id::readyz},
    route_entry{"/metrics", http::verb::get, route_id::metrics},
    route_entry{"/slack/events", http::verb::post, route_id::slack},
    route_entry{"/slack/commands", http::verb::post, route_id::slack},
    route_entry{"/slack/interactions", http::verb::post, route_id::slack},
};

} // namespace

http_app::http_app(metrics& m, slack_endpoint& slack, std::vector<readiness_check> checks, api::api_router* api,
                   std::function<void(std::function<void()>)> offload, web::web_front* web)
    : metrics_(m), slack_(slack), checks_(std::move(checks)), api_(api), offload_(std::move(offload)), web_(web)
{
}

void http_app::handle_async(const request& req, const boost::asio::ip::address& peer,
                            const boost::asio::any_io_executor& ex, std::function<void(response)> done)
{
    auto target = boost::urls::parse_origin_form(req.target());
    const std::string_view path = target ? std::string_view(target->encoded_path()) : std::string_view{};
    if (web_ && target && web::web_front::owns(path)) {
        // The page shell and its files are in memory; sign-in and the session read storage, off these threads.
        if (offload_ && web::web_front::needs_storage(path))
            return offload_([this, &req, peer, ex, done = std::move(done)]() mutable {
                auto res = web_->handle(req, peer);
                boost::asio::post(ex, [done = std::move(done), res = std::move(res)]() mutable { done(std::move(res)); });
            });
        return done(web_->handle(req, peer));
    }
    const bool api = api_ && target && api::api_router::owns(path);
    const bool slack = target && req.method() == http::verb::post &&
                       std::any_of(routes.begin(), routes.end(),
                                   [&](const route_entry& r) { return r.id == route_id::slack && r.path == path; });
    if (!api && !slack) {
        // /readyz reads the database: off the threads that read requests, like everything that does.
        if (offload_ && path == "/readyz")
            return offload_([this, &req, ex, done = std::move(done)]() mutable {
                auto res = handle(req);
                boost::asio::post(ex, [done = std::move(done), res = std::move(res)]() mutable { done(std::move(res)); });
            });
        return done(handle(req));
    }
    const auto start = std::chrono::steady_clock::now();
    metrics_.in_flight().Increment();
    const auto id = api ? route_id::api : route_id::slack;
    // Answers may come from another thread (a durable write's continuation): back onto the
    // connection's strand, at once when already there.
    auto finish = [this, start, id, ex, done = std::move(done)](response res) mutable {
        metrics_.in_flight().Decrement();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        metrics_.observe_request(id, res.result_int(), took.count());
        boost::asio::dispatch(ex, [done = std::move(done), res = std::move(res)]() mutable { done(std::move(res)); });
    };
    if (slack)
        return slack_.handle(req, std::move(finish));
    // The API reads and writes storage on every call: off the threads that read requests.
    if (offload_)
        return offload_([this, &req, ex, finish = std::move(finish)]() mutable {
            api_->handle_async(req, ex, std::move(finish));
        });
    api_->handle_async(req, ex, std::move(finish));
}

std::size_t http_app::body_limit(http::verb method, std::string_view target) const
{
    return api_ ? api::api_router::body_limit(method, target) : max_body_bytes;
}

void http_app::admit(const request& head, const boost::asio::any_io_executor& ex,
                     std::function<void(std::optional<response>)> done)
{
    if (!api_)
        return done(std::nullopt);
    auto check = [this, &head, ex, done = std::move(done)]() mutable {
        auto refusal = api_->admit_large_body(head);
        boost::asio::post(ex, [done = std::move(done), refusal = std::move(refusal)]() mutable {
            done(std::move(refusal));
        });
    };
    if (offload_)
        return offload_(std::move(check));
    check();
}

response http_app::too_large(std::string_view target, std::size_t limit, unsigned version) const
{
    const auto words = "the body is larger than " + std::to_string(limit) + " bytes";
    if (api_ && api::api_router::owns(target.substr(0, target.find('?'))))
        return api::api_error(api::code::too_large,
                              "The body is larger than " + std::to_string(limit) +
                                  " bytes, the most this endpoint accepts (PUT /api/v1/resources takes up to " +
                                  std::to_string(max_upload_bytes) + ").",
                              version);
    return error_response(http::status::payload_too_large, "payload_too_large", words, version);
}

response http_app::handle(const request& req)
{
    const auto start = std::chrono::steady_clock::now();
    metrics_.in_flight().Increment();
    route_id id = route_id::other;
    response res = route(req, id);
    metrics_.in_flight().Decrement();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    metrics_.observe_request(id, res.result_int(), took.count());
    return res;
}

response http_app::route(const request& req, route_id& id)
{
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target)
        return error_response(http::status::bad_request, "bad_target",
                              "the request target is not a valid path: " + target.error().message(), req.version());
    const std::string_view path = target->encoded_path();
    if (api_ && api::api_router::owns(path)) {
        id = route_id::api;
        return api_->handle(req);
    }
    if (web_ && web::web_front::owns(path))
        return web_->handle(req, boost::asio::ip::address{});

    const route_entry* same_path = nullptr;
    for (const auto& r : routes) {
        if (r.path != path)
            continue;
        same_path = &r;
        if (r.method != req.method())
            continue;
        id = r.id;
        switch (r.id) {
        case route_id::healthz:
            return json_response(http::status::ok, boost::json::object{{"status", "ok"}}, req.version());
        case route_id::readyz:
            return readyz(req);
        case route_id::metrics: {
            response res{http::status::ok, req.version()};
            res.set(http::field::server, server_name);
            res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            res.body() = metrics_.render();
            res.prepare_payload();
            return res;
        }
        case route_id::slack:
            return slack_.handle(req);
        case route_id::api:
        case route_id::other:
            break;
        }
    }
    if (same_path) {
        id = same_path->id;
        auto res = error_response(http::status::method_not_allowed, "method_not_allowed",
                                  std::string(path) + " accepts " + std::string(http::to_string(same_path->method)) +
                                      ", not " + std::string(req.method_string()),
                                  req.version());
        res.set(http::field::allow, http::to_string(same_path->method));
        return res;
    }
    return error_response(http::status::not_found, "not_found",
                          "no such endpoint: " + std::string(req.method_string()) + " " + std::string(path),
                          req.version());
}

response http_app::readyz(const request& req)
{
    boost::json::object checks;
    boost::json::object details;
    bool all = true;
    for (const auto& c : checks_) {
        const bool ok = c.ready();
        all = all && ok;
        checks[c.name] = ok ? "ok" : "failing";
        if (c.detail)
            details[c.name] = c.detail();
    }
    boost::json::object body{{"status", all ? "ready" : "not_ready"}, {"checks", std::move(checks)}};
    if (!details.empty())
        body["details"] = std::move(details);
    return json_response(all ? http::status::ok : http::status::service_unavailable, std::move(body), req.version());
}

} // namespace checkpoint::bot
