#include "bot/slack/slack_client.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <spdlog/spdlog.h>


namespace checkpoint::bot {

namespace json = boost::json;

namespace {

constexpr std::string_view json_content_type = "application/json; charset=utf-8";
constexpr std::string_view form_content_type = "application/x-www-form-urlencoded";
// Slack's 429 without Retry-After still means "not now"; one second is its own pacing unit.
constexpr std::chrono::milliseconds default_rate_limit_wait{1'000};

// application/x-www-form-urlencoded with everything but unreserved characters escaped, so a '+'
// in an email address is not read back as a space. An empty value leaves its parameter out (a
// first page has no cursor).
std::string form_body(std::initializer_list<std::pair<std::string_view, std::string_view>> params)
{
    std::string out;
    for (const auto& [key, value] : params) {
        if (value.empty())
            continue;
        if (!out.empty())
            out += '&';
        out += key;
        out += '=';
        out += boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return out;
}

// A message whose metadata names `delivery_key` (see slack_client::post_message).
bool carries_key(const json::value& message, std::string_view delivery_key)
{
    const auto* m = message.if_object();
    const auto* meta = m ? m->if_contains("metadata") : nullptr;
    if (!meta || !meta->is_object())
        return false;
    const auto* type = meta->get_object().if_contains("event_type");
    const auto* payload = meta->get_object().if_contains("event_payload");
    if (!type || !type->is_string() || type->get_string() != slack_client::delivery_event || !payload ||
        !payload->is_object())
        return false;
    const auto* key = payload->get_object().if_contains("key");
    return key && key->is_string() && key->get_string() == delivery_key;
}

bool is_user_id(std::string_view id) { return !id.empty() && (id.front() == 'U' || id.front() == 'W'); }

std::string_view channel_of(const json::object& args)
{
    const auto* channel = args.if_contains("channel");
    return channel != nullptr && channel->is_string() ? std::string_view(channel->get_string()) : std::string_view{};
}

void log_result(std::string_view method, std::string_view channel, const slack_result& r)
{
    // Method, channel and error code only: bodies carry people's data and the token never leaves the header.
    if (r.ok()) {
        spdlog::debug("slack {} channel={} ok", method, channel);
        return;
    }
    // Held back by our own pacer or a known rate limit: expected, so not worth a warning.
    const auto level = r.http_status == 0 && r.retry_after ? spdlog::level::debug : spdlog::level::warn;
    spdlog::log(level, "slack {} channel={} {} error={} retry_after_ms={}", method, channel, to_string(r.outcome), r.error,
                r.retry_after ? r.retry_after->count() : -1);
}

slack_result local_retry(std::string_view error, std::chrono::milliseconds wait)
{
    slack_result r;
    r.outcome = slack_outcome::retryable;
    r.error = std::string(error);
    r.retry_after = wait;
    return r;
}

} // namespace

slack_client::slack_client(outbound::http_client& http, const workflow::clock& clock, slack_client_options options)
    : http_(http), clock_(clock), options_(std::move(options)), pacer_(clock, options_.post_interval)
{
    if (options_.api_url.empty() || options_.api_url.back() != '/')
        options_.api_url += '/';
}

std::optional<std::chrono::milliseconds> slack_client::rate_limited_for(std::string_view method)
{
    const auto now = clock_.now();
    std::lock_guard lock(mutex_);
    const auto it = blocked_until_.find(method);
    if (it == blocked_until_.end())
        return std::nullopt;
    if (it->second <= now) {
        blocked_until_.erase(it);
        return std::nullopt;
    }
    return std::chrono::ceil<std::chrono::milliseconds>(it->second - now);
}

void slack_client::note_rate_limit(std::string_view method, std::chrono::milliseconds wait)
{
    const auto until = clock_.now() + wait;
    std::lock_guard lock(mutex_);
    auto [it, inserted] = blocked_until_.try_emplace(std::string(method), until);
    if (!inserted && it->second < until)
        it->second = until;
}

slack_result slack_client::send(std::string_view method, std::string body, std::string_view content_type,
                                std::string_view channel, std::chrono::milliseconds timeout, std::string_view token)
{
    if (token.empty())
        token = options_.bot_token;
    if (token.empty()) {
        slack_result r;
        r.outcome = slack_outcome::permanent;
        r.error = std::string(no_token_error);
        return r;
    }
    if (const auto wait = rate_limited_for(method)) {
        auto r = local_retry("ratelimited", *wait);
        log_result(method, channel, r);
        return r;
    }

    outbound::outbound_request req;
    req.method = "POST";
    req.url = options_.api_url + std::string(method);
    req.headers = {{"Authorization", "Bearer " + std::string(token)}, {"Content-Type", std::string(content_type)}};
    req.body = std::move(body);
    req.timeout = timeout;

    auto [res, failure] = http_.send(req);
    auto r = res ? classify_slack_response(*res) : classify_transport_failure(*failure);
    if (r.http_status == 429 || r.error == "ratelimited" || r.error == "rate_limited")
        note_rate_limit(method, r.retry_after.value_or(default_rate_limit_wait));
    log_result(method, channel, r);
    return r;
}

slack_result slack_client::call(std::string_view method, const json::object& args)
{
    return send(method, json::serialize(args), json_content_type, channel_of(args), options_.timeout);
}

slack_result slack_client::post_message(std::string_view channel, json::object message, std::string_view delivery_key)
{
    if (!configured())
        return send("chat.postMessage", {}, json_content_type, channel, options_.timeout);
    if (const auto wait = pacer_.reserve(channel, delivery_key)) {
        auto r = local_retry(paced_error, *wait);
        log_result("chat.postMessage", channel, r);
        return r;
    }
    message["channel"] = channel;
    if (!delivery_key.empty())
        message["metadata"] = json::object{{"event_type", delivery_event},
                                           {"event_payload", json::object{{"key", delivery_key}}}};
    return call("chat.postMessage", message);
}

slack_result slack_client::find_posted(std::string_view channel, std::string_view delivery_key,
                                       std::string_view thread_ts)
{
    // History is read by conversation: a DM is found through its D… channel.
    std::string conversation(channel);
    if (is_user_id(channel)) {
        auto opened = open_conversation(channel);
        if (!opened.ok())
            return opened;
        conversation = opened.channel().value_or("");
        if (conversation.empty()) {
            opened.outcome = slack_outcome::permanent;
            opened.error = "invalid_response";
            return opened;
        }
    }
    const std::string_view method = thread_ts.empty() ? "conversations.history" : "conversations.replies";
    const std::string page_size = "200";
    std::string cursor;
    slack_result r;
    for (std::size_t scanned = 0; scanned < max_scanned;) {
        r = thread_ts.empty()
                ? read(method, {{"channel", conversation}, {"limit", page_size}, {"include_all_metadata", "true"},
                                {"cursor", cursor}},
                       channel, options_.timeout)
                : read(method, {{"channel", conversation}, {"ts", thread_ts}, {"limit", page_size},
                                {"include_all_metadata", "true"}, {"cursor", cursor}},
                       channel, options_.timeout);
        if (!r.ok())
            return r;
        const auto* messages = r.body.if_contains("messages");
        if (!messages || !messages->is_array()) {
            r.outcome = slack_outcome::permanent;
            r.error = "invalid_response";
            return r;
        }
        for (const auto& m : messages->get_array()) {
            if (carries_key(m, delivery_key)) {
                const auto* ts = m.get_object().if_contains("ts");
                r.body = json::object{{"ok", true},
                                      {"channel", conversation},
                                      {"ts", ts && ts->is_string() ? ts->get_string() : json::string()}};
                return r;
            }
        }
        scanned += messages->get_array().size();
        cursor.clear();
        if (const auto* meta = r.body.if_contains("response_metadata"); meta && meta->is_object())
            if (const auto* next = meta->get_object().if_contains("next_cursor"); next && next->is_string())
                cursor = std::string(next->get_string());
        if (cursor.empty() || messages->get_array().empty())
            break;
    }
    r.body = json::object{{"ok", true}, {"channel", conversation}};
    return r;
}

slack_result slack_client::update_message(std::string_view channel, std::string_view ts, json::object message)
{
    message["channel"] = channel;
    message["ts"] = ts;
    return call("chat.update", message);
}

slack_result slack_client::post_ephemeral(std::string_view channel, std::string_view user, json::object message)
{
    message["channel"] = channel;
    message["user"] = user;
    return call("chat.postEphemeral", message);
}

slack_result slack_client::open_view(std::string_view trigger_id, json::object view)
{
    json::object args{{"trigger_id", trigger_id}, {"view", std::move(view)}};
    return send("views.open", json::serialize(args), json_content_type, {}, options_.view_open_timeout);
}

slack_result slack_client::update_view(std::string_view view_id, json::object view, std::string_view hash)
{
    json::object args{{"view_id", view_id}, {"view", std::move(view)}};
    if (!hash.empty())
        args["hash"] = hash;
    return call("views.update", args);
}

slack_result slack_client::publish_view(std::string_view user_id, json::object view, std::string_view hash)
{
    json::object args{{"user_id", user_id}, {"view", std::move(view)}};
    if (!hash.empty())
        args["hash"] = hash;
    return call("views.publish", args);
}

slack_result slack_client::read(std::string_view method,
                                std::initializer_list<std::pair<std::string_view, std::string_view>> args,
                                std::string_view channel, std::chrono::milliseconds timeout)
{
    return send(method, form_body(args), form_content_type, channel, timeout);
}

slack_result slack_client::openid_token(std::string_view client_id, std::string_view client_secret,
                                        std::string_view code, std::string_view redirect_uri)
{
    outbound::outbound_request req;
    req.method = "POST";
    req.url = options_.api_url + "openid.connect.token";
    // client_secret_post: the app's credentials in the form, no Authorization header.
    req.headers = {{"Content-Type", std::string(form_content_type)}};
    req.body = form_body({{"client_id", client_id},
                          {"client_secret", client_secret},
                          {"code", code},
                          {"redirect_uri", redirect_uri},
                          {"grant_type", "authorization_code"}});
    req.timeout = options_.lookup_timeout;
    auto [res, failure] = http_.send(req);
    auto r = res ? classify_slack_response(*res) : classify_transport_failure(*failure);
    log_result("openid.connect.token", {}, r);
    return r;
}

slack_result slack_client::openid_user_info(std::string_view access_token)
{
    return send("openid.connect.userInfo", {}, form_content_type, {}, options_.lookup_timeout, access_token);
}

std::string slack_client::openid_authorize_url() const
{
    constexpr std::string_view api = "api/";
    auto base = options_.api_url;
    if (base.ends_with(api))
        base.resize(base.size() - api.size());
    return base + "openid/connect/authorize";
}

slack_result slack_client::user_info(std::string_view user_id)
{
    return read("users.info", {{"user", user_id}}, {}, options_.lookup_timeout);
}

std::optional<slack_workspace> slack_client::workspace(slack_result* failure)
{
    {
        std::lock_guard lock(mutex_);
        if (workspace_)
            return workspace_;
    }
    auto r = read("auth.test", {}, {}, options_.lookup_timeout);
    auto text = [&](std::string_view key) {
        const auto* v = r.body.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    if (r.ok() && text("team_id").empty()) {
        r.outcome = slack_outcome::permanent;
        r.error = "invalid_response";
    }
    if (!r.ok()) {
        if (failure != nullptr)
            *failure = std::move(r);
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    workspace_ = slack_workspace{text("team_id"), text("enterprise_id")};
    return workspace_;
}

slack_result slack_client::lookup_user_by_email(std::string_view email)
{
    return read("users.lookupByEmail", {{"email", email}}, {}, options_.timeout);
}

slack_result slack_client::open_conversation(std::string_view user_id)
{
    return call("conversations.open", json::object{{"users", user_id}});
}

slack_result slack_client::open_socket_connection()
{
    if (options_.app_token.empty()) {
        slack_result r;
        r.error = "no_app_token";
        return r;
    }
    return send("apps.connections.open", {}, form_content_type, {}, options_.timeout, options_.app_token);
}

} // namespace checkpoint::bot
