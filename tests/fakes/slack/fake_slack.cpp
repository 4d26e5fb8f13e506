#include "tests/fakes/slack/fake_slack.hpp"
#include "tests/fakes/slack/fake_slack_server.hpp"
#include "tests/support/slack_limits.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <thread>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace checkpoint::test {

namespace json = boost::json;

namespace {

constexpr std::string_view api_prefix = "/api/";
constexpr std::string_view bot_user_id = "UFAKEBOT01";
constexpr std::string_view bot_id = "BFAKEBOT01";
constexpr std::string_view team_id = "TFAKETEAM1";
// Slack's limits, REFERENCE.md §6 and §7.
constexpr std::size_t max_update_text_chars = 4000;
constexpr std::size_t max_view_bytes = 250 * 1000;
constexpr std::size_t max_conversation_users = 8;

json::object error_answer(std::string_view error, std::string_view detail = {})
{
    json::object out{{"ok", false}, {"error", error}};
    if (!detail.empty())
        out["response_metadata"] = json::object{{"messages", json::array{json::string("[ERROR] " + std::string(detail))}}};
    return out;
}

std::string string_arg(const json::object& args, std::string_view key)
{
    const auto* v = args.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::size_t utf8_chars(std::string_view s)
{
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_user_id(std::string_view id)
{
    return id.size() > 1 && (id.front() == 'U' || id.front() == 'W');
}

bool is_conversation_id(std::string_view id)
{
    return id.size() > 1 && (id.front() == 'C' || id.front() == 'G' || id.front() == 'D');
}

// "132456.7890123.abcdef": digits, digits, hex, as Slack's invalid_trigger_id message describes.
bool is_trigger_id(std::string_view id)
{
    const auto first = id.find('.');
    const auto second = first == std::string_view::npos ? first : id.find('.', first + 1);
    if (second == std::string_view::npos)
        return false;
    const auto all = [](std::string_view s, auto pred) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
    };
    return all(id.substr(0, first), ::isdigit) && all(id.substr(first + 1, second - first - 1), ::isdigit) &&
           all(id.substr(second + 1), ::isxdigit);
}

// Slack accepts a JSON-valued argument inline (JSON bodies) or as a JSON string (form bodies).
std::optional<json::value> json_arg(const json::object& args, std::string_view key)
{
    const auto* v = args.if_contains(key);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_string())
        return *v;
    boost::system::error_code ec;
    auto parsed = json::parse(v->get_string(), ec);
    if (ec)
        return json::value(nullptr);
    return parsed;
}

// The Block Kit check shared with the renderer's tests; empty when within Slack's limits.
std::string limit_violations(const json::value& message_or_view)
{
    try {
        return slack_limit_violations(message_or_view);
    } catch (const std::exception& e) {
        return std::string("malformed blocks: ") + e.what();
    }
}

// Validates a message's text and blocks for chat.*; returns the Slack error, empty when fine.
std::string message_error(const json::object& args, bool text_required, std::size_t max_text, std::string& detail)
{
    const auto* text = args.if_contains("text");
    if (text != nullptr && !text->is_string())
        return "invalid_arguments";
    const auto blocks = json_arg(args, "blocks");
    if (blocks && !blocks->is_array())
        return "invalid_blocks_format";
    const bool has_text = text != nullptr && !text->get_string().empty();
    if (text_required && !has_text && !blocks && !args.contains("attachments"))
        return "no_text";
    if (has_text && max_text != 0 && utf8_chars(text->get_string()) > max_text)
        return "msg_too_long";
    if (blocks) {
        detail = limit_violations(json::object{{"blocks", *blocks}});
        if (!detail.empty())
            return "invalid_blocks";
    }
    return {};
}

// The parts of a message the fake keeps: what a reader of the channel would see.
json::object stored_message(const json::object& args)
{
    json::object out;
    for (const std::string_view key : {"text", "thread_ts", "reply_broadcast", "metadata", "attachments"})
        if (const auto* v = args.if_contains(key))
            out[key] = *v;
    if (auto blocks = json_arg(args, "blocks"))
        out["blocks"] = std::move(*blocks);
    return out;
}

// A view argument: present, an object, within 250 kB and Slack's Block Kit limits.
std::string view_error(const json::object& args, json::object& view, std::string& detail)
{
    auto v = json_arg(args, "view");
    if (!v || !v->is_object()) {
        detail = "view must be a JSON object";
        return "invalid_arguments";
    }
    if (json::serialize(*v).size() > max_view_bytes)
        return "view_too_large";
    detail = limit_violations(*v);
    if (!detail.empty())
        return "invalid_arguments";
    view = std::move(v->get_object());
    return {};
}

json::object form_args(std::string_view body)
{
    json::object out;
    if (!boost::urls::parse_query(body))
        return out;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (const auto& param : boost::urls::params_view(body, opts))
        out[param.key] = param.value;
    return out;
}

json::object view_answer(const fake_slack_view& v)
{
    json::object view = v.view;
    view["id"] = v.id;
    view["team_id"] = team_id;
    view["hash"] = v.hash;
    view["root_view_id"] = v.id;
    view["app_id"] = "AFAKEAPP01";
    view["bot_id"] = bot_id;
    if (!view.contains("state"))
        view["state"] = json::object{{"values", json::object{}}};
    return json::object{{"ok", true}, {"view", std::move(view)}};
}

} // namespace

bool fake_slack_call::ok() const
{
    const auto* v = response.if_contains("ok");
    return v != nullptr && v->is_bool() && v->get_bool();
}

std::string fake_slack_call::error() const
{
    return string_arg(response, "error");
}

fake_slack::fake_slack(fake_slack_options options)
    : options_(std::move(options)), server_(std::make_unique<server>(*this, options_.port))
{
}

fake_slack::~fake_slack() = default;

unsigned short fake_slack::port() const noexcept
{
    return server_->port();
}

std::string fake_slack::api_url() const
{
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(api_prefix);
}

void fake_slack::add_user(fake_slack_user user)
{
    std::lock_guard lock(mutex_);
    // A user added again (the same id) is replaced: their account changed.
    auto same = std::find_if(users_.begin(), users_.end(), [&](const auto& u) { return u.id == user.id; });
    if (same != users_.end())
        *same = std::move(user);
    else
        users_.push_back(std::move(user));
}

void fake_slack::rate_limit_next(std::string method, std::size_t times, std::chrono::seconds retry_after)
{
    std::lock_guard lock(mutex_);
    auto& queue = failures_[std::move(method)];
    for (std::size_t i = 0; i < times; ++i)
        queue.push_back({429, retry_after, "ratelimited"});
}

void fake_slack::error_next(std::string method, std::size_t times, std::string error)
{
    std::lock_guard lock(mutex_);
    auto& queue = failures_[std::move(method)];
    for (std::size_t i = 0; i < times; ++i)
        queue.push_back({200, std::nullopt, error});
}

void fake_slack::http_error_next(std::string method, std::size_t times, unsigned status)
{
    std::lock_guard lock(mutex_);
    auto& queue = failures_[std::move(method)];
    for (std::size_t i = 0; i < times; ++i)
        queue.push_back({status, std::nullopt, {}});
}

void fake_slack::fail_channel(std::string method, std::string channel, unsigned status)
{
    std::lock_guard lock(mutex_);
    failing_channels_[method + " " + channel] = status;
}

void fake_slack::heal()
{
    std::lock_guard lock(mutex_);
    failing_channels_.clear();
    failures_.clear();
}

void fake_slack::delay_next(std::string method, std::size_t times, std::chrono::milliseconds delay)
{
    std::lock_guard lock(mutex_);
    auto& queue = delays_[std::move(method)];
    for (std::size_t i = 0; i < times; ++i)
        queue.push_back(delay);
}

void fake_slack::expire_trigger(std::string trigger_id)
{
    std::lock_guard lock(mutex_);
    expired_triggers_.insert(std::move(trigger_id));
}

std::string fake_slack::new_trigger_id()
{
    std::lock_guard lock(mutex_);
    char buf[64];
    std::snprintf(buf, sizeof buf, "1700000000.%zu.%08zx", 4242 + trigger_counter_, 0xabc000 + trigger_counter_);
    ++trigger_counter_;
    return buf;
}

std::string fake_slack::dm_channel_of(std::string_view user_id)
{
    return "D" + std::string(user_id.substr(user_id.empty() ? 0 : 1));
}

std::vector<fake_slack_call> fake_slack::calls() const
{
    std::lock_guard lock(mutex_);
    return calls_;
}

std::vector<fake_slack_call> fake_slack::calls(std::string_view method) const
{
    std::lock_guard lock(mutex_);
    std::vector<fake_slack_call> out;
    std::copy_if(calls_.begin(), calls_.end(), std::back_inserter(out), [&](const auto& c) { return c.method == method; });
    return out;
}

bool fake_slack::wait_for(const std::function<bool(const std::vector<fake_slack_call>&)>& pred,
                          std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(calls_); });
}

bool fake_slack::wait_for_calls(std::string_view method, std::size_t count, std::chrono::milliseconds timeout) const
{
    return wait_for(
        [&](const std::vector<fake_slack_call>& calls) {
            return static_cast<std::size_t>(std::count_if(calls.begin(), calls.end(),
                                                          [&](const auto& c) { return c.method == method; })) >= count;
        },
        timeout);
}

void fake_slack::clear_calls()
{
    std::lock_guard lock(mutex_);
    calls_.clear();
}

std::vector<fake_slack_message> fake_slack::messages() const
{
    std::lock_guard lock(mutex_);
    return messages_;
}

std::vector<fake_slack_message> fake_slack::messages_in(std::string_view channel) const
{
    std::lock_guard lock(mutex_);
    std::vector<fake_slack_message> out;
    std::copy_if(messages_.begin(), messages_.end(), std::back_inserter(out),
                 [&](const auto& m) { return m.channel == channel; });
    return out;
}

std::optional<fake_slack_message> fake_slack::message(std::string_view channel, std::string_view ts) const
{
    std::lock_guard lock(mutex_);
    for (const auto& m : messages_)
        if (m.channel == channel && m.ts == ts)
            return m;
    return std::nullopt;
}

std::optional<fake_slack_view> fake_slack::view(std::string_view view_id) const
{
    std::lock_guard lock(mutex_);
    const auto it = views_.find(view_id);
    return it == views_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<fake_slack_view> fake_slack::home_view(std::string_view user_id) const
{
    std::lock_guard lock(mutex_);
    const auto id = home_view_ids_.find(user_id);
    if (id == home_view_ids_.end())
        return std::nullopt;
    return views_.at(id->second);
}

std::string fake_slack::next_ts()
{
    const std::size_t micros = 100 * ++ts_counter_;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%zu.%06zu", std::size_t{1'700'000'000} + micros / 1'000'000, micros % 1'000'000);
    return buf;
}

std::string fake_slack::next_hash()
{
    return "1700000000." + std::to_string(1'000'000 + ++hash_counter_);
}

void fake_slack::record(fake_slack_call call)
{
    std::function<void(const fake_slack_call&)> observer;
    {
        std::lock_guard lock(mutex_);
        calls_.push_back(call);
        observer = options_.on_call;
    }
    changed_.notify_all();
    if (observer)
        observer(call);
}

fake_slack::response fake_slack::handle(const request& req)
{
    const auto json_response = [](unsigned status, const json::object& body) {
        return response{status, {{"Content-Type", "application/json; charset=utf-8"}}, json::serialize(body)};
    };
    std::string_view target = req.target;
    if (const auto q = target.find('?'); q != std::string_view::npos)
        target = target.substr(0, q);
    if (target == "/openid/connect/authorize")
        return openid_authorize(req);
    if (target.substr(0, api_prefix.size()) != api_prefix)
        return json_response(404, error_answer("unknown_method"));
    fake_slack_call call;
    call.method = std::string(target.substr(api_prefix.size()));
    call.at = options_.now();

    const auto answer = [&](unsigned status, json::object body) {
        call.status = status;
        call.response = body;
        auto res = json_response(status, body);
        record(std::move(call));
        return res;
    };

    // The body is read first so even refused calls are recorded with what they carried.
    call.json_body = req.content_type.rfind("application/json", 0) == 0;
    if (call.json_body) {
        boost::system::error_code ec;
        auto parsed = json::parse(req.body, ec);
        if (ec)
            return answer(200, error_answer("invalid_json"));
        if (!parsed.is_object())
            return answer(200, error_answer("json_not_object"));
        call.args = std::move(parsed.get_object());
    } else {
        call.args = form_args(req.body);
    }

    // Sign in with Slack's two methods: the app's credentials in the form, and the person's own token.
    if (call.method == "openid.connect.token")
        return answer(200, openid_token(call.args));
    if (call.method == "openid.connect.userInfo")
        return answer(200, openid_user_info(req.authorization));

    // Slack reads tokens only from the Authorization header once JSON is involved; so does the fake.
    if (req.authorization.empty())
        return answer(200, error_answer("not_authed"));
    // apps.connections.open takes the app-level token alone; every other method the bot token.
    const bool app_level = call.method == "apps.connections.open";
    if (req.authorization != "Bearer " + (app_level ? options_.app_token : options_.token))
        return answer(200, error_answer(app_level && req.authorization == "Bearer " + options_.token
                                            ? "not_allowed_token_type"
                                            : "invalid_auth"));

    std::optional<std::chrono::milliseconds> delay;
    {
        std::lock_guard lock(mutex_);
        if (auto it = delays_.find(call.method); it != delays_.end() && !it->second.empty()) {
            delay = it->second.front();
            it->second.pop_front();
        }
    }
    if (delay)
        std::this_thread::sleep_for(*delay);

    std::optional<failure> programmed;
    json::object body;
    {
        std::lock_guard lock(mutex_);
        const auto* channel = call.args.if_contains("channel");
        const auto failing = channel && channel->is_string()
                                 ? failing_channels_.find(call.method + " " + std::string(channel->get_string()))
                                 : failing_channels_.end();
        if (failing != failing_channels_.end()) {
            programmed = failure{failing->second, std::nullopt, {}};
        } else if (auto it = failures_.find(call.method); it != failures_.end() && !it->second.empty()) {
            programmed = it->second.front();
            it->second.pop_front();
        } else {
            body = dispatch(call.method, call.args, call.json_body);
        }
    }
    if (!programmed)
        return answer(200, std::move(body));
    if (programmed->status == 200 || programmed->status == 429) {
        auto res = answer(programmed->status, error_answer(programmed->error));
        if (programmed->retry_after)
            res.headers.emplace_back("Retry-After", std::to_string(programmed->retry_after->count()));
        return res;
    }
    call.status = programmed->status;
    record(std::move(call));
    return response{programmed->status, {{"Content-Type", "text/plain"}}, "fake Slack: programmed failure"};
}

fake_socket_mode& fake_slack::socket_mode()
{
    std::lock_guard lock(socket_mode_mutex_);
    if (!socket_mode_)
        socket_mode_ = std::make_unique<fake_socket_mode>(options_.socket_mode);
    return *socket_mode_;
}

namespace {

std::string base64url(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    for (auto& c : out)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::string random_hex(std::size_t bytes)
{
    std::string raw(bytes, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    std::string out;
    for (unsigned char c : raw) {
        char two[3];
        std::snprintf(two, sizeof two, "%02x", c);
        out += two;
    }
    return out;
}

std::string cookie_of(std::string_view header, std::string_view name)
{
    std::size_t at = 0;
    while (at < header.size()) {
        auto end = header.find(';', at);
        if (end == std::string_view::npos)
            end = header.size();
        auto pair = header.substr(at, end - at);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        if (pair.substr(0, name.size() + 1) == std::string(name) + "=")
            return std::string(pair.substr(name.size() + 1));
        at = end + 1;
    }
    return {};
}

std::string html_escape(std::string_view s)
{
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace

fake_slack::response fake_slack::openid_authorize(const request& req)
{
    const auto text = [](unsigned status, std::string body) {
        return response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body)};
    };
    auto url = boost::urls::parse_origin_form(req.target);
    if (!url)
        return text(400, "bad target");
    auto param = [&](std::string_view key) {
        auto it = url->params().find(key);
        return it == url->params().end() ? std::string() : std::string((*it).value);
    };
    if (param("response_type") != "code" || param("client_id") != options_.client_id ||
        param("scope").find("openid") == std::string::npos || param("redirect_uri").empty() || param("state").empty())
        return text(400, "invalid authorize request: response_type=code, this app's client_id, scope openid, a "
                         "redirect_uri and a state are required");
    // Picking who you are in Slack: the form posts back here and is remembered in the fake's own cookie.
    if (req.method == "POST") {
        const auto user = string_arg(form_args(req.body), "user");
        return response{303, {{"Location", req.target}, {"Set-Cookie", "fake_slack_user=" + user + "; Path=/; HttpOnly"}}, {}};
    }
    const auto who = cookie_of(req.cookie, "fake_slack_user");
    std::lock_guard lock(mutex_);
    const auto user = std::find_if(users_.begin(), users_.end(), [&](const fake_slack_user& u) { return u.id == who; });
    if (user == users_.end()) {
        std::string page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to Slack</title>"
                           "</head><body><main><h1>Sign in to Slack (fake)</h1><form method=\"post\"><label for=\"user\">"
                           "Your Slack account</label> <select id=\"user\" name=\"user\">";
        for (const auto& u : users_)
            page += "<option value=\"" + html_escape(u.id) + "\">" + html_escape(u.name + " (" + u.email + ")") + "</option>";
        page += "</select> <button type=\"submit\">Continue</button></form></main></body></html>";
        return response{200, {{"Content-Type", "text/html; charset=utf-8"}}, std::move(page)};
    }
    const auto code = "fakecode." + random_hex(16);
    openid_codes_[code] = openid_grant{user->id, param("nonce"), param("redirect_uri")};
    boost::urls::url back(param("redirect_uri"));
    back.params().set("code", code);
    back.params().set("state", param("state"));
    return response{302, {{"Location", std::string(back.buffer())}}, {}};
}

json::object fake_slack::openid_token(const json_object& args)
{
    if (string_arg(args, "client_id") != options_.client_id || string_arg(args, "client_secret") != options_.client_secret)
        return error_answer("invalid_client_id");
    if (string_arg(args, "grant_type") != "authorization_code")
        return error_answer("invalid_grant_type");
    std::lock_guard lock(mutex_);
    auto it = openid_codes_.find(string_arg(args, "code"));
    if (it == openid_codes_.end() || it->second.used)
        return error_answer("invalid_code");
    if (string_arg(args, "redirect_uri") != it->second.redirect_uri)
        return error_answer("bad_redirect_uri");
    it->second.used = true;
    const auto user = std::find_if(users_.begin(), users_.end(),
                                   [&](const fake_slack_user& u) { return u.id == it->second.user_id; });
    if (user == users_.end())
        return error_answer("user_not_found");
    const auto access = "xoxp-oidc-" + random_hex(12);
    openid_tokens_[access] = user->id;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(options_.now().time_since_epoch()).count();
    const json::object claims{{"iss", "https://slack.com"},
                              {"sub", user->id},
                              {"aud", options_.client_id},
                              {"exp", now + 3600},
                              {"iat", now},
                              {"auth_time", now},
                              {"nonce", it->second.nonce},
                              {"https://slack.com/user_id", user->id},
                              {"https://slack.com/team_id", user->team_id.empty() ? std::string(team_id) : user->team_id},
                              {"email", user->email},
                              {"email_verified", user->email_confirmed},
                              {"name", user->name}};
    const auto id_token = base64url(R"({"alg":"RS256","typ":"JWT","kid":"fake"})") + "." +
                          base64url(json::serialize(claims)) + "." + base64url("not-a-real-signature");
    return {{"ok", true}, {"access_token", access}, {"token_type", "Bearer"}, {"id_token", id_token}};
}

json::object fake_slack::openid_user_info(const std::string& authorization)
{
    constexpr std::string_view bearer = "Bearer ";
    if (authorization.substr(0, bearer.size()) != bearer)
        return error_answer("not_authed");
    std::lock_guard lock(mutex_);
    auto it = openid_tokens_.find(authorization.substr(bearer.size()));
    if (it == openid_tokens_.end())
        return error_answer("invalid_auth");
    const auto user = std::find_if(users_.begin(), users_.end(), [&](const fake_slack_user& u) { return u.id == it->second; });
    if (user == users_.end())
        return error_answer("user_not_found");
    return {{"ok", true},
            {"sub", user->id},
            {"https://slack.com/user_id", user->id},
            {"https://slack.com/team_id", user->team_id.empty() ? std::string(team_id) : user->team_id},
            {"email", user->email},
            {"email_verified", user->email_confirmed},
            {"name", user->name}};
}

std::vector<std::string> fake_slack::openid_codes() const
{
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [code, grant] : openid_codes_)
        out.push_back(code);
    return out;
}

json::object fake_slack::dispatch(const std::string& method, const json_object& args, bool json_body)
{
    if (method == "apps.connections.open")
        return json::object{{"ok", true}, {"url", socket_mode().new_url()}};
    if (method == "chat.postMessage")
        return chat_post_message(args);
    if (method == "chat.update")
        return chat_update(args);
    if (method == "chat.postEphemeral")
        return chat_post_ephemeral(args);
    if (method == "views.open")
        return views_open(args);
    if (method == "views.update")
        return views_update(args);
    if (method == "views.publish")
        return views_publish(args);
    if (method == "auth.test")
        return json::object{{"ok", true},          {"url", "https://fake.slack.example/"}, {"team", "Fake Workspace"},
                            {"user", "checkpoint"}, {"team_id", team_id},                   {"user_id", "UCHECKPOINT"},
                            {"bot_id", "BCHECKPOINT"}};
    if (method == "users.info" || method == "users.lookupByEmail") {
        // Read methods take form-encoded arguments; JSON bodies reach them empty.
        if (json_body)
            return error_answer("invalid_arguments", "users.* read methods take form-encoded arguments, not JSON");
        return method == "users.info" ? users_info(args) : users_lookup_by_email(args);
    }
    if (method == "conversations.open")
        return conversations_open(args);
    if (method == "conversations.history" || method == "conversations.replies") {
        if (json_body)
            return error_answer("invalid_arguments", "conversations.* read methods take form-encoded arguments");
        return method == "conversations.history" ? conversations_history(args) : conversations_replies(args);
    }
    return error_answer("unknown_method");
}

json::object fake_slack::chat_post_message(const json_object& args)
{
    auto channel = string_arg(args, "channel");
    if (channel.empty() || (!is_user_id(channel) && !is_conversation_id(channel)))
        return error_answer("channel_not_found");
    std::string detail;
    if (auto error = message_error(args, true, 0, detail); !error.empty())
        return error_answer(error, detail);
    if (const auto* meta = args.if_contains("metadata")) {
        const auto* o = meta->if_object();
        const auto* type = o ? o->if_contains("event_type") : nullptr;
        const auto* payload = o ? o->if_contains("event_payload") : nullptr;
        if (!type || !type->is_string() || !payload || !payload->is_object())
            return error_answer("invalid_metadata_format", "metadata needs event_type and event_payload");
    }
    // A user ID posts into the app's DM with that user, answered as its D… channel.
    if (is_user_id(channel))
        channel = dm_channel_of(channel);
    fake_slack_message m{channel, next_ts(), stored_message(args), 0};
    messages_.push_back(m);
    json::object message = m.message;
    message["type"] = "message";
    message["user"] = bot_user_id;
    message["bot_id"] = bot_id;
    message["ts"] = m.ts;
    return json::object{{"ok", true}, {"channel", m.channel}, {"ts", m.ts}, {"message", std::move(message)}};
}

json::object fake_slack::chat_update(const json_object& args)
{
    const auto channel = string_arg(args, "channel");
    const auto ts = string_arg(args, "ts");
    // A DM must be named by its D… ID here, unlike chat.postMessage.
    if (!is_conversation_id(channel))
        return error_answer("channel_not_found");
    std::string detail;
    if (auto error = message_error(args, false, max_update_text_chars, detail); !error.empty())
        return error_answer(error, detail);
    const auto it = std::find_if(messages_.begin(), messages_.end(),
                                 [&](const auto& m) { return m.channel == channel && m.ts == ts; });
    if (it == messages_.end())
        return error_answer("message_not_found");
    auto& stored = it->message;
    const auto blocks = json_arg(args, "blocks");
    if (const auto* text = args.if_contains("text"))
        stored["text"] = *text;
    // Text without blocks removes the old blocks; `blocks: []` removes them too.
    if (blocks && !blocks->get_array().empty())
        stored["blocks"] = *blocks;
    else if (blocks || args.contains("text"))
        stored.erase("blocks");
    ++it->updates;
    json::object message = stored;
    message["type"] = "message";
    message["user"] = bot_user_id;
    message["bot_id"] = bot_id;
    return json::object{{"ok", true},
                        {"channel", channel},
                        {"ts", ts},
                        {"text", string_arg(stored, "text")},
                        {"message", std::move(message)}};
}

json::object fake_slack::chat_post_ephemeral(const json_object& args)
{
    const auto channel = string_arg(args, "channel");
    if (!is_conversation_id(channel) && !is_user_id(channel))
        return error_answer("channel_not_found");
    if (!is_user_id(string_arg(args, "user")))
        return error_answer("user_not_in_channel");
    std::string detail;
    if (auto error = message_error(args, true, max_update_text_chars, detail); !error.empty())
        return error_answer(error, detail);
    // Ephemeral messages are not stored: chat.update cannot reach them.
    return json::object{{"ok", true}, {"message_ts", next_ts()}};
}

json::object fake_slack::views_open(const json_object& args)
{
    const auto trigger = string_arg(args, "trigger_id");
    if (trigger.empty())
        return error_answer("invalid_arguments", "missing trigger_id");
    if (!is_trigger_id(trigger))
        return error_answer("invalid_trigger_id");
    if (expired_triggers_.contains(trigger))
        return error_answer("expired_trigger_id");
    if (used_triggers_.contains(trigger))
        return error_answer("exchanged_trigger_id");
    json::object view;
    std::string detail;
    if (auto error = view_error(args, view, detail); !error.empty())
        return error_answer(error, detail);
    if (string_arg(view, "type") != "modal")
        return error_answer("invalid_arguments", "views.open needs a view of type modal");
    used_triggers_.insert(trigger);
    char id[16];
    std::snprintf(id, sizeof id, "V%010zu", ++view_counter_);
    auto& stored = views_[id] = fake_slack_view{id, next_hash(), {}, std::move(view)};
    return view_answer(stored);
}

json::object fake_slack::views_update(const json_object& args)
{
    const auto view_id = string_arg(args, "view_id");
    const auto external_id = string_arg(args, "external_id");
    auto it = views_.end();
    if (!view_id.empty())
        it = views_.find(view_id);
    else if (!external_id.empty())
        it = std::find_if(views_.begin(), views_.end(),
                          [&](const auto& entry) { return string_arg(entry.second.view, "external_id") == external_id; });
    else
        return error_answer("invalid_arguments", "views.update needs view_id or external_id");
    if (it == views_.end())
        return error_answer("not_found");
    const auto hash = string_arg(args, "hash");
    if (!hash.empty() && hash != it->second.hash)
        return error_answer("hash_conflict");
    json::object view;
    std::string detail;
    if (auto error = view_error(args, view, detail); !error.empty())
        return error_answer(error, detail);
    it->second.view = std::move(view);
    it->second.hash = next_hash();
    return view_answer(it->second);
}

json::object fake_slack::views_publish(const json_object& args)
{
    const auto user = string_arg(args, "user_id");
    if (!is_user_id(user))
        return error_answer("invalid_arguments", "views.publish needs a user_id");
    json::object view;
    std::string detail;
    if (auto error = view_error(args, view, detail); !error.empty())
        return error_answer(error, detail);
    if (string_arg(view, "type") != "home")
        return error_answer("invalid_arguments", "views.publish needs a view of type home");
    auto id = home_view_ids_.find(user);
    if (id == home_view_ids_.end()) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "V%010zu", ++view_counter_);
        id = home_view_ids_.emplace(user, buf).first;
        views_[buf] = fake_slack_view{buf, next_hash(), user, {}};
    }
    auto& stored = views_.at(id->second);
    const auto hash = string_arg(args, "hash");
    if (!hash.empty() && hash != stored.hash)
        return error_answer("hash_conflict");
    stored.view = std::move(view);
    stored.hash = next_hash();
    return view_answer(stored);
}

json::object fake_slack::users_info(const json_object& args)
{
    const auto id = string_arg(args, "user");
    const auto it = std::find_if(users_.begin(), users_.end(), [&](const auto& u) { return u.id == id; });
    if (it == users_.end())
        return error_answer("user_not_found");
    json::object profile{{"email", it->email}, {"real_name", it->name}, {"display_name", it->name}};
    json::object user{{"id", it->id},
                      {"team_id", it->team_id.empty() ? std::string(team_id) : it->team_id},
                      {"name", it->name},
                      {"real_name", it->name},
                      {"deleted", it->deleted},
                      {"is_bot", it->is_bot},
                      {"is_app_user", false},
                      {"is_email_confirmed", it->email_confirmed},
                      {"profile", std::move(profile)}};
    return json::object{{"ok", true}, {"user", std::move(user)}};
}

json::object fake_slack::users_lookup_by_email(const json_object& args)
{
    const auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    };
    const auto email = lower(string_arg(args, "email"));
    const auto it = std::find_if(users_.begin(), users_.end(), [&](const auto& u) { return lower(u.email) == email; });
    if (email.empty() || it == users_.end())
        return error_answer("users_not_found");
    return users_info(json::object{{"user", it->id}});
}

namespace {

// A message as conversations.history and conversations.replies list it; metadata only when asked for.
json::object listed_message(const fake_slack_message& m, bool with_metadata)
{
    json::object out{{"type", "message"}, {"user", bot_user_id}, {"bot_id", bot_id}, {"ts", m.ts}};
    for (const auto& [key, value] : m.message)
        if (key != "metadata" || with_metadata)
            out[key] = value;
    return out;
}

// limit (1–999, default 100) and an opaque cursor ("next:<offset>") over `all`, newest first or not.
json::object page_of(const std::vector<const fake_slack_message*>& all, const json::object& args, bool with_metadata)
{
    std::size_t limit = 100;
    if (auto l = string_arg(args, "limit"); !l.empty())
        limit = std::clamp<std::size_t>(std::strtoul(l.c_str(), nullptr, 10), 1, 999);
    std::size_t offset = 0;
    if (auto c = string_arg(args, "cursor"); !c.empty()) {
        if (c.rfind("next:", 0) != 0)
            return error_answer("invalid_cursor");
        offset = std::strtoul(c.c_str() + 5, nullptr, 10);
    }
    json::array messages;
    for (std::size_t i = offset; i < all.size() && i < offset + limit; ++i)
        messages.push_back(listed_message(*all[i], with_metadata));
    const bool more = offset + limit < all.size();
    return json::object{{"ok", true},
                        {"messages", std::move(messages)},
                        {"has_more", more},
                        {"response_metadata",
                         json::object{{"next_cursor", more ? "next:" + std::to_string(offset + limit) : ""}}}};
}

} // namespace

json::object fake_slack::conversations_history(const json_object& args)
{
    const auto channel = string_arg(args, "channel");
    if (!is_conversation_id(channel))
        return error_answer("channel_not_found");
    // Top-level messages (and replies also sent to the channel), newest first.
    std::vector<const fake_slack_message*> listed;
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
        if (it->channel != channel)
            continue;
        const auto thread = string_arg(it->message, "thread_ts");
        const auto* broadcast = it->message.if_contains("reply_broadcast");
        if (thread.empty() || thread == it->ts || (broadcast && broadcast->is_bool() && broadcast->get_bool()))
            listed.push_back(&*it);
    }
    return page_of(listed, args, string_arg(args, "include_all_metadata") == "true");
}

json::object fake_slack::conversations_replies(const json_object& args)
{
    const auto channel = string_arg(args, "channel");
    const auto ts = string_arg(args, "ts");
    if (!is_conversation_id(channel))
        return error_answer("channel_not_found");
    // The parent, then its replies, oldest first.
    std::vector<const fake_slack_message*> listed;
    for (const auto& m : messages_)
        if (m.channel == channel && (m.ts == ts || string_arg(m.message, "thread_ts") == ts))
            listed.push_back(&m);
    if (listed.empty() || listed.front()->ts != ts)
        return error_answer("thread_not_found");
    return page_of(listed, args, string_arg(args, "include_all_metadata") == "true");
}

json::object fake_slack::conversations_open(const json_object& args)
{
    const auto channel = string_arg(args, "channel");
    if (!channel.empty())
        return is_conversation_id(channel) ? json::object{{"ok", true}, {"channel", json::object{{"id", channel}}}}
                                           : error_answer("channel_not_found");
    const auto users = string_arg(args, "users");
    if (users.empty())
        return error_answer("users_list_not_supplied");
    std::vector<std::string> ids;
    for (std::size_t start = 0; start <= users.size();) {
        const auto comma = std::min(users.find(',', start), users.size());
        ids.push_back(users.substr(start, comma - start));
        start = comma + 1;
    }
    if (ids.size() > max_conversation_users)
        return error_answer("too_many_users");
    for (const auto& id : ids)
        if (!is_user_id(id))
            return error_answer("user_not_found");
    const auto id = ids.size() == 1 ? dm_channel_of(ids.front()) : "GMPIM" + std::to_string(++mpim_counter_);
    return json::object{{"ok", true}, {"channel", json::object{{"id", id}}}};
}

} // namespace checkpoint::test
