#pragma once

#include "outbound/http_client.hpp"
#include "bot/slack/channel_pacer.hpp"
#include "bot/slack/slack_result.hpp"
#include "workflow/clock.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>

namespace checkpoint::bot {

struct slack_client_options {
    // SLACK_API_URL; a missing trailing '/' is added.
    std::string api_url = "https://slack.com/api/";
    // SLACK_BOT_TOKEN; sent only in the Authorization header, never logged.
    std::string bot_token;
    // SLACK_APP_TOKEN (xapp-…), for apps.connections.open alone (Socket Mode); never logged.
    std::string app_token{};
    std::chrono::milliseconds timeout{10'000};
    // views.open runs inside a Slack request whose trigger_id dies after 3 s.
    std::chrono::milliseconds view_open_timeout{2'500};
    // users.info binds the person behind a command or a click while Slack waits (3 s) for the answer;
    // past this the answer says Slack was slow (try again) instead of Slack showing a timeout.
    std::chrono::milliseconds lookup_timeout{1'500};
    // At most one chat.postMessage per channel per interval.
    std::chrono::milliseconds post_interval{1'000};
};

// The workspace a bot token belongs to (auth.test): its team, and its Enterprise Grid organisation when
// it has one (empty otherwise).
struct slack_workspace {
    std::string team_id;
    std::string enterprise_id;
};

// The Slack Web API over an outbound::http_client: bearer token, JSON bodies (form bodies for the read
// methods users.info and users.lookupByEmail, which do not read JSON), results classified as
// ok / retryable / permanent. It never waits: a paced post or a method still inside a 429's
// Retry-After answers retryable with retry_after at once, without calling Slack, so the job
// is rescheduled instead of a worker sleeping. Thread-safe.
class slack_client {
public:
    slack_client(outbound::http_client& http, const workflow::clock& clock, slack_client_options options);

    // Any method with a JSON body; not paced.
    slack_result call(std::string_view method, const boost::json::object& args);

    // chat.postMessage into `channel` (an ID; a user ID posts to the app DM), paced per channel. A
    // non-empty `delivery_key` goes along in the message's metadata, so find_posted can find it again.
    slack_result post_message(std::string_view channel, boost::json::object message,
                              std::string_view delivery_key = {});
    // The message a post_message with `delivery_key` left in `channel` (a user ID: the app's DM with
    // them), among its newest max_scanned messages, or among the replies of thread `thread_ts`. ok with
    // channel() and ts() when found; ok without ts() when not; not ok when Slack could not be asked.
    slack_result find_posted(std::string_view channel, std::string_view delivery_key,
                             std::string_view thread_ts = {});
    // How far back find_posted looks: a retry comes seconds to minutes after the attempt it repeats.
    static constexpr std::size_t max_scanned = 1'000;
    // The metadata event_type of every message this client posts with a delivery key.
    static constexpr std::string_view delivery_event = "checkpoint_delivery";
    // chat.update; a DM must be named by its D… channel, as chat.postMessage answered it.
    slack_result update_message(std::string_view channel, std::string_view ts, boost::json::object message);
    slack_result post_ephemeral(std::string_view channel, std::string_view user, boost::json::object message);
    slack_result open_view(std::string_view trigger_id, boost::json::object view);
    // An empty hash skips Slack's stale-view check.
    slack_result update_view(std::string_view view_id, boost::json::object view, std::string_view hash = {});
    slack_result publish_view(std::string_view user_id, boost::json::object view, std::string_view hash = {});
    slack_result user_info(std::string_view user_id);
    slack_result lookup_user_by_email(std::string_view email);
    // conversations.open for a 1:1 DM; channel() is its D… ID.
    slack_result open_conversation(std::string_view user_id);
    // apps.connections.open with the app-level token: a Socket Mode WebSocket URL in body["url"].
    slack_result open_socket_connection();
    // Sign in with Slack (OpenID Connect): a code from Slack's authorize page exchanged for the person's tokens
    // (with the app's client id and secret, no bot token), and who they are (with their access token).
    slack_result openid_token(std::string_view client_id, std::string_view client_secret, std::string_view code,
                              std::string_view redirect_uri);
    slack_result openid_user_info(std::string_view access_token);
    // Slack's authorize page for Sign in with Slack, beside the Web API: https://slack.com/openid/connect/authorize
    // for https://slack.com/api/ (a fake Slack on loopback serves both).
    std::string openid_authorize_url() const;
    // The bot token's workspace, from auth.test: asked once, then kept. nullopt when Slack could not be
    // asked (its answer in `failure`, when given); asked again next time.
    std::optional<slack_workspace> workspace(slack_result* failure = nullptr);

    static constexpr std::string_view paced_error = "paced";
    // Every call's answer while no bot token is set: Slack is not called at all.
    static constexpr std::string_view no_token_error = "no_bot_token";
    // False without SLACK_BOT_TOKEN: cards, DMs and Home tabs are off, and Slack users are known only
    // by the directory's slack_id.
    bool configured() const noexcept { return !options_.bot_token.empty(); }

private:
    // With the bot token, or with `token` when one is given (the app-level token).
    slack_result send(std::string_view method, std::string body, std::string_view content_type,
                      std::string_view channel, std::chrono::milliseconds timeout, std::string_view token = {});
    // A read method (conversations.history, users.info): form-encoded arguments, as Slack reads them.
    slack_result read(std::string_view method, std::initializer_list<std::pair<std::string_view, std::string_view>> args,
                      std::string_view channel, std::chrono::milliseconds timeout);
    std::optional<std::chrono::milliseconds> rate_limited_for(std::string_view method);
    void note_rate_limit(std::string_view method, std::chrono::milliseconds wait);

    outbound::http_client& http_;
    const workflow::clock& clock_;
    slack_client_options options_;
    channel_pacer pacer_;
    std::mutex mutex_;
    // Per method: no call before this time, after Slack answered 429 or ratelimited.
    std::map<std::string, workflow::time_point, std::less<>> blocked_until_;
    std::optional<slack_workspace> workspace_;
};

} // namespace checkpoint::bot
