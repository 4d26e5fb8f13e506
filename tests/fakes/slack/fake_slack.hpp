#pragma once

#include "tests/fakes/slack/fake_socket_mode.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace checkpoint::test {

// One Web API call as the fake saw it and answered it.
struct fake_slack_call {
    std::string method;
    // The JSON body, or the form fields (with JSON-valued fields such as `view` and `blocks` parsed).
    boost::json::object args;
    bool json_body = false;
    std::chrono::system_clock::time_point at;
    unsigned status = 200;
    // The JSON answer; empty when the answer was not JSON (a programmed 500).
    boost::json::object response;

    bool ok() const;
    // The answer's `error`, empty when none.
    std::string error() const;
};

// A message as it stands now: what chat.postMessage made of it, with every chat.update applied.
struct fake_slack_message {
    std::string channel;
    std::string ts;
    // text, blocks, thread_ts, … as last posted or updated.
    boost::json::object message;
    std::size_t updates = 0;
};

// A modal (views.open / views.update) or a Home tab (views.publish) as it stands now.
struct fake_slack_view {
    std::string id;
    std::string hash;
    // For a Home tab: whose it is.
    std::string user_id;
    boost::json::object view;
};

struct fake_slack_user {
    std::string id;
    std::string email;
    std::string name;
    // What users.info says besides: a confirmed email, an active account, a person, this workspace
    // (empty team_id: the fake's own, as auth.test gives it).
    bool email_confirmed = true;
    bool deleted = false;
    bool is_bot = false;
    std::string team_id{};
};

struct fake_slack_options {
    std::string token = "xoxb-fake-slack-token";
    // The app-level token apps.connections.open takes (Socket Mode); the bot token is refused there.
    std::string app_token = "xapp-1-A1-fake-app-token";
    fake_socket_mode_options socket_mode;
    // 0 picks a free port; read it back with port().
    unsigned short port = 0;
    // Time stamped on recorded calls; tests with a manual clock may pass theirs.
    std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
    // Sign in with Slack: the app's credentials openid.connect.token checks.
    std::string client_id = "1111111111.2222222222";
    std::string client_secret = "fake-client-secret-0b7c";
    // Called after each call is recorded, outside the fake's lock (the standalone binary prints them).
    std::function<void(const fake_slack_call&)> on_call;
};

// A fake Slack Web API on 127.0.0.1 with its own thread, for tests and manual trials: the methods
// Checkpoint uses (chat.postMessage, chat.update, chat.postEphemeral, views.open, views.update,
// views.publish, users.info, users.lookupByEmail, conversations.open, conversations.history and
// conversations.replies, with message metadata, and apps.connections.open for Socket Mode) under /api/<method>, the bearer
// token and Slack's limits checked, answers shaped like Slack's, failures programmable per method,
// and every call recorded for assertions.
class fake_slack {
public:
    explicit fake_slack(fake_slack_options options = {});
    ~fake_slack();
    fake_slack(const fake_slack&) = delete;
    fake_slack& operator=(const fake_slack&) = delete;

    unsigned short port() const noexcept;
    // http://127.0.0.1:<port>/api/ — what SLACK_API_URL should be.
    std::string api_url() const;
    const std::string& token() const noexcept { return options_.token; }
    const std::string& app_token() const noexcept { return options_.app_token; }
    // Socket Mode's side: apps.connections.open hands out its URLs. Started on first use.
    fake_socket_mode& socket_mode();

    // users.info and users.lookupByEmail answer from this table; a user added again replaces the first.
    void add_user(fake_slack_user user);

    // The next `times` calls of `method` answer HTTP 429 with Retry-After and {ok:false,error:"ratelimited"}.
    void rate_limit_next(std::string method, std::size_t times, std::chrono::seconds retry_after);
    // The next `times` calls of `method` answer HTTP 200 {ok:false,error:<error>}.
    void error_next(std::string method, std::size_t times, std::string error);
    // The next `times` calls of `method` answer this HTTP status with a plain-text body.
    void http_error_next(std::string method, std::size_t times, unsigned status = 500);
    // Every call of `method` whose `channel` argument is `channel` answers this HTTP status until
    // heal() (a Slack that fails for one conversation only).
    void fail_channel(std::string method, std::string channel, unsigned status = 500);
    void heal();
    // The next `times` calls of `method` answer only after `delay` (a slow Slack). The fake serves one
    // call at a time, so other calls wait behind it.
    void delay_next(std::string method, std::size_t times, std::chrono::milliseconds delay);
    // views.open with this trigger_id answers expired_trigger_id.
    void expire_trigger(std::string trigger_id);
    // A well-formed trigger_id never used before ("<digits>.<digits>.<hex>").
    std::string new_trigger_id();
    // The D… channel of the app's DM with a user, as conversations.open and chat.postMessage answer it.
    static std::string dm_channel_of(std::string_view user_id);

    std::vector<fake_slack_call> calls() const;
    std::vector<fake_slack_call> calls(std::string_view method) const;
    // Waits (on a condition variable) until `pred` holds over the calls so far, or the timeout passes.
    bool wait_for(const std::function<bool(const std::vector<fake_slack_call>&)>& pred,
                  std::chrono::milliseconds timeout) const;
    // Waits until at least `count` calls of `method` were recorded.
    bool wait_for_calls(std::string_view method, std::size_t count, std::chrono::milliseconds timeout) const;
    void clear_calls();

    // Every message posted so far, in posting order, as it stands now.
    std::vector<fake_slack_message> messages() const;
    std::vector<fake_slack_message> messages_in(std::string_view channel) const;
    std::optional<fake_slack_message> message(std::string_view channel, std::string_view ts) const;
    std::optional<fake_slack_view> view(std::string_view view_id) const;
    std::optional<fake_slack_view> home_view(std::string_view user_id) const;

    // Sign in with Slack, as a browser meets it: GET /openid/connect/authorize shows a page to pick who you are in
    // Slack (a form, as signing in to Slack would), remembers it in a cookie, and sends the browser back to the
    // redirect_uri with a code and the state; openid.connect.token exchanges the code (once, with the client id and
    // secret and the same redirect_uri) for an access token and an ID token carrying the nonce;
    // openid.connect.userInfo says who the access token's user is. Users come from add_user().
    // The codes handed out so far (a test may check one is refused the second time).
    std::vector<std::string> openid_codes() const;

    // What the HTTP server hands over; public for the server glue, not for tests.
    struct request {
        std::string target;
        std::string authorization;
        std::string content_type;
        std::string body;
        std::string method = "POST";
        std::string cookie{};
    };
    struct response {
        unsigned status = 200;
        std::vector<std::pair<std::string, std::string>> headers;
        std::string body;
    };
    response handle(const request& req);

    class server;

private:
    struct failure {
        unsigned status = 200;
        std::optional<std::chrono::seconds> retry_after;
        std::string error;
    };
    using json_object = boost::json::object;

    json_object dispatch(const std::string& method, const json_object& args, bool json_body);
    json_object chat_post_message(const json_object& args);
    json_object chat_update(const json_object& args);
    json_object chat_post_ephemeral(const json_object& args);
    json_object views_open(const json_object& args);
    json_object views_update(const json_object& args);
    json_object views_publish(const json_object& args);
    json_object users_info(const json_object& args);
    response openid_authorize(const request& req);
    json_object openid_token(const json_object& args);
    json_object openid_user_info(const std::string& authorization);
    json_object users_lookup_by_email(const json_object& args);
    json_object conversations_open(const json_object& args);
    json_object conversations_history(const json_object& args);
    json_object conversations_replies(const json_object& args);
    std::string next_ts();
    std::string next_hash();
    void record(fake_slack_call call);

    fake_slack_options options_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<fake_slack_call> calls_;
    std::map<std::string, std::deque<failure>, std::less<>> failures_;
    // "<method> <channel>" -> the status it answers (fail_channel).
    std::map<std::string, unsigned, std::less<>> failing_channels_;
    std::map<std::string, std::deque<std::chrono::milliseconds>, std::less<>> delays_;
    std::vector<fake_slack_user> users_;
    std::vector<fake_slack_message> messages_;
    std::map<std::string, fake_slack_view, std::less<>> views_;
    std::map<std::string, std::string, std::less<>> home_view_ids_;
    std::set<std::string, std::less<>> used_triggers_;
    std::set<std::string, std::less<>> expired_triggers_;
    std::size_t ts_counter_ = 0;
    std::size_t view_counter_ = 0;
    std::size_t hash_counter_ = 0;
    std::size_t trigger_counter_ = 0;
    struct openid_grant {
        std::string user_id;
        std::string nonce;
        std::string redirect_uri;
        bool used = false;
    };
    std::map<std::string, openid_grant, std::less<>> openid_codes_;
    // access token -> user id
    std::map<std::string, std::string, std::less<>> openid_tokens_;
    std::size_t mpim_counter_ = 0;
    std::mutex socket_mode_mutex_;
    std::unique_ptr<fake_socket_mode> socket_mode_;
    std::unique_ptr<server> server_;
};

} // namespace checkpoint::test
