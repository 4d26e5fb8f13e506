#include "bot/slack_endpoint.hpp"

#include "app/effect_jobs.hpp"
#include "bot/slack_signature.hpp"

#include <boost/beast/http/field.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

#include <future>

namespace checkpoint::bot {

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
// Spelled out for clang before 17, which does not deduce an aggregate's template arguments.
template <class... F>
overloaded(F...) -> overloaded<F...>;

response empty_ok(const request& req)
{
    response res{http::status::ok, req.version()};
    res.set(http::field::server, server_name);
    res.prepare_payload();
    return res;
}

std::string_view header(const request& req, http::field f)
{
    auto it = req.find(f);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

// X-Slack-Request-Timestamp as a time (already checked by the signature's verification).
workflow::time_point sent_at(std::string_view seconds)
{
    long long t = 0;
    std::from_chars(seconds.data(), seconds.data() + seconds.size(), t);
    return workflow::time_point{std::chrono::seconds{t}};
}

std::string_view header(const request& req, std::string_view name)
{
    auto it = req.find(name);
    return it == req.end() ? std::string_view{} : std::string_view(it->value());
}

} // namespace

slack_endpoint::slack_endpoint(std::string signing_secret, const workflow::clock& clock,
                               workflow::slack_event_store& events, metrics& m, slack_commands& commands)
    : signing_secret_(std::move(signing_secret)), clock_(clock), events_(events), metrics_(m), commands_(commands),
      interactions_(commands.context())
{
}

response slack_endpoint::handle(const request& req)
{
    std::promise<response> promise;
    auto answered = promise.get_future();
    handle(req, [&promise](response res) { promise.set_value(std::move(res)); });
    return answered.get();
}

void slack_endpoint::handle(const request& req, answer done)
{
    const auto content_type = header(req, http::field::content_type);
    const std::string_view body = req.body();

    if (is_ssl_check(content_type, body)) {
        metrics_.slack_request("ssl_check");
        return done(empty_ok(req));
    }

    if (signing_secret_.empty()) {
        metrics_.signature_failure("no_signing_secret");
        return done(error_response(http::status::forbidden, "slack_http_off",
                                   "Slack over HTTP is off: SLACK_SIGNING_SECRET is not set (this service takes "
                                   "Slack's requests over Socket Mode)",
                                   req.version()));
    }

    if (auto bad = verify_slack_signature(signing_secret_, header(req, "X-Slack-Request-Timestamp"),
                                          header(req, "X-Slack-Signature"), body, clock_.now())) {
        const auto why = describe(*bad);
        metrics_.signature_failure(code(*bad));
        spdlog::warn("slack: refused unverified request ({}), {} bytes", why, body.size());
        return done(error_response(http::status::unauthorized, "invalid_signature",
                                   "request is not signed by Slack: " + std::string(why), req.version()));
    }

    auto parsed = parse_slack_request(content_type, body);
    if (auto* bad = std::get_if<bad_slack_request>(&parsed)) {
        spdlog::warn("slack: bad request: {}", bad->reason);
        metrics_.slack_request("malformed");
        return done(error_response(http::status::bad_request, "bad_slack_request", bad->reason, req.version()));
    }

    // A command or click already taken, sent again inside the window with its valid signature: refused. (An
    // event repeated is a retry Slack may make; its event_id answers it.)
    if (!std::holds_alternative<event_callback>(std::get<slack_request>(parsed)) &&
        !replays_.first_use(header(req, "X-Slack-Signature"), sent_at(header(req, "X-Slack-Request-Timestamp")),
                            clock_.now())) {
        metrics_.signature_failure("replayed");
        spdlog::warn("slack: refused a replayed request (its signature was already used)");
        return done(error_response(http::status::unauthorized, "replayed",
                                   "this signed request was already received; Slack signs each request anew",
                                   req.version()));
    }

    const slack_delivery delivery{std::string(header(req, "X-Slack-Retry-Num")),
                                  std::string(header(req, "X-Slack-Retry-Reason"))};
    dispatch(std::move(std::get<slack_request>(parsed)), delivery,
             [version = req.version(), done = std::move(done)](std::optional<boost::json::object> reply) {
                 if (reply)
                     return done(json_response(http::status::ok, std::move(*reply), version));
                 response res{http::status::ok, version};
                 res.set(http::field::server, server_name);
                 res.prepare_payload();
                 done(std::move(res));
             });
}

void slack_endpoint::dispatch(slack_request r, const slack_delivery& delivery, slack_reply done)
{
    auto& ctx = commands_.context();
    std::visit(
        overloaded{
            [&](slash_command& c) {
                metrics_.slack_request("command");
                on_command(std::move(c), std::move(done));
            },
            [&](interaction& i) {
                metrics_.slack_request(to_string(i.kind));
                // Clicks and forms look people up and change requests: off the threads reading requests.
                ctx.run_off_http([this, i = std::move(i), done = std::move(done)] { done(on_interaction(i)); });
            },
            [&](const url_verification& v) {
                metrics_.slack_request("url_verification");
                done(boost::json::object{{"challenge", v.challenge}});
            },
            [&](const event_callback& e) {
                metrics_.slack_request("event_callback");
                ctx.run_off_http([this, delivery, e, done = std::move(done)] {
                    on_event(delivery, e);
                    done(std::nullopt);
                });
            },
            [&](const ssl_check&) { done(std::nullopt); },
        },
        r);
}

void slack_endpoint::on_command(slash_command c, slack_reply done)
{
    if (auto now = commands_.answer_now(c))
        return done(std::move(*now));
    commands_.context().run_off_http([this, c = std::move(c), done = std::move(done)]() mutable {
        commands_.handle(c, [done = std::move(done)](boost::json::object reply) { done(std::move(reply)); });
    });
}

std::optional<boost::json::object> slack_endpoint::on_interaction(const interaction& i)
{
    spdlog::info("slack: {} from {}", to_string(i.kind), i.user_id);
    return interactions_.handle(i);
}

void slack_endpoint::on_event(const slack_delivery& delivery, const event_callback& e)
{
    const auto& retry = delivery.retry_num;
    if (!events_.first_delivery(e.event_id, clock_.now())) {
        spdlog::info("slack: event {} ({}) already handled; retry {} ({}) ignored", e.event_id, e.event_type,
                     retry.empty() ? "-" : retry, delivery.retry_reason);
        return;
    }
    spdlog::info("slack: event {} ({}) accepted{}", e.event_id, e.event_type,
                 retry.empty() ? "" : " on retry " + retry);
    if (e.event_type == "app_home_opened")
        on_app_home_opened(e);
}

void slack_endpoint::on_app_home_opened(const event_callback& e)
{
    const auto* user = e.event.if_contains("user");
    const auto* tab = e.event.if_contains("tab");
    // The Messages tab opens the DM; only the Home tab is ours to draw.
    if (!user || !user->is_string() || user->get_string().empty() || user->get_string().size() > max_slack_id_length ||
        (tab && tab->is_string() && tab->get_string() != "home"))
        return;
    auto& ctx = commands_.context();
    const auto now = clock_.now();
    if (auto r = ctx.jobs.enqueue(app::home_job_for_slack_user(user->get_string(), now), now); !r)
        spdlog::warn("slack: could not enqueue the Home tab of {}: {}", std::string_view(user->get_string()),
                     r.error().message);
    ctx.runner.wake();
}

} // namespace checkpoint::bot
