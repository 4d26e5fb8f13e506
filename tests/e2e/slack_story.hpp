#pragma once

#include "tests/e2e/server_process.hpp"
#include "tests/fakes/slack/fake_slack.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <functional>
#include <ostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::test {

// How Slack reaches the server in a story: signed HTTP requests, or envelopes over Socket Mode
// WebSockets the server dials to the fake (SLACK_APP_TOKEN, no signing secret).
enum class slack_transport { http, socket_mode };
std::ostream& operator<<(std::ostream& out, slack_transport t);

// One end-to-end story: the real checkpointd over its own database, talking to a fake Slack on
// loopback, with its clock placed at 2026-11-23 10:00 UTC (Mary Major out of office, delegate Lee Lin)
// through --clock-offset-file, so the example manifests route the same way whenever the test runs.
class slack_story {
public:
    // Changes a story makes to its manifests directory and the server's environment before the
    // server first starts (integrations pointed at a receiver, a secret).
    using setup = std::function<void(const std::filesystem::path& manifests, std::map<std::string, std::string>& env)>;

    // `replicas` > 1: that many servers on one database (the setup points CHECKPOINT_DB at PostgreSQL), each on a
    // port and under a CHECKPOINT_REPLICA name of its own, behind HAProxy (round robin, health-checked), which every
    // Slack request goes through.
    explicit slack_story(const setup& prepare = {}, slack_transport transport = slack_transport::http,
                         std::size_t replicas = 1);
    explicit slack_story(slack_transport transport) : slack_story(setup{}, transport) {}
    ~slack_story();

    fake_slack& slack() { return *slack_; }
    server_process& server(std::size_t replica = 0) { return *servers_.at(replica); }
    std::size_t replicas() const { return servers_.size(); }
    // Where Slack's requests go: HAProxy in front of the replicas, or the one server, or the replica pinned.
    unsigned short front_port() const;
    // Sends Slack's requests to replica `replica` itself, past HAProxy, until unpin().
    void pin(std::size_t replica) { pinned_ = replica; }
    void unpin() { pinned_.reset(); }

    // The server's "now" in Unix seconds (what a signed request must carry).
    long long now_s() const;
    // Moves the server's clock by `by` (SIGUSR1) and waits until it says so.
    void move_time(std::chrono::seconds by);
    // Kills the server (or replica `replica`) without warning (SIGKILL) and starts it again on the same database.
    void kill_and_restart(std::size_t replica = 0);

    slack_transport transport() const noexcept { return transport_; }

    // `/checkpoint <text>` from a Slack user; the JSON reply.
    boost::json::value command(const std::string& user, const std::string& text,
                               const std::string& trigger_id = "");
    // An interactivity payload, signed and form-encoded as Slack sends it.
    response interact(const boost::json::object& payload);
    // A block_actions click on a message (channel, ts), by `user`, with `action_id` and value `petition_id`.
    response click(const std::string& user, const std::string& action_id, const std::string& petition_id,
                   const std::string& channel, const std::string& ts, const std::string& trigger_id = "");
    // An Events API callback.
    response event(const boost::json::object& event, const std::string& event_id);
    // Over Socket Mode: sends an envelope and waits for its acknowledgement, turned into what HTTP would
    // have answered (200 with the ack's payload as the body, or an empty body).
    response over_socket(const std::string& type, const boost::json::object& payload, bool accepts_response_payload);

    // Reads of the service's database (read-only, beside the running server).
    std::string latest_petition_of(const std::string& person_id) const;
    std::string state_of(const std::string& petition_id) const;
    std::size_t step_of(const std::string& petition_id) const;
    std::vector<std::string> reviewers_of(const std::string& petition_id, std::size_t step) const;
    int audit_count(const std::string& petition_id, const std::string& action) const;
    // Who may approve the petition's current step now: its reviewers, in the route's order, but the requester and
    // anyone who approved an earlier step (one step per person).
    std::vector<std::string> eligible_reviewers(const std::string& petition_id, const std::string& requester) const;
    struct card_copy {
        std::size_t step;
        std::string destination;
        std::string channel;
        std::string ts;
    };
    std::vector<card_copy> cards_of(const std::string& petition_id) const;
    // Jobs not yet settled (pending or leased), and jobs given up on.
    int unsettled_jobs() const;
    int dead_jobs() const;
    // Any read of the service's database, every column as text (NULL as "").
    std::vector<std::vector<std::string>> rows(const std::string& sql) const;
    // The database file, for checks after the server has stopped.
    std::string database_path() const { return env_.at("CHECKPOINT_DB"); }
    // A service token `name` with `scopes` on this story's database, made as an admin makes the first one
    // (checkpointd --create-token) beside the running server.
    // With `person`, a personal token of theirs.
    std::string service_token(const std::string& name, const std::string& scopes, const std::string& person = {}) const;

    // The Slack user id of a directory person (the directory's, or "UX<id>" as this story registered it).
    std::string slack_id_of(const std::string& person_id) const;

    // Polls `pred` (every few ms) until it holds or `timeout` passes.
    static bool eventually(const std::function<bool()>& pred,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));

private:
    void start_server(std::size_t replica);
    void start_front();
    void write_offset();
    // Socket Mode: waits until the server has dialled all its connections since `accepted_before`.
    void wait_for_socket(std::size_t accepted_before);

    temp_dir dir_;
    std::unique_ptr<fake_slack> slack_;
    std::vector<std::unique_ptr<server_process>> servers_;
    std::vector<unsigned short> ports_;
    std::unique_ptr<server_process> front_;
    unsigned short front_port_ = 0;
    std::optional<std::size_t> pinned_;
    std::map<std::string, std::string> env_;
    std::string offset_file_;
    long long offset_s_ = 0;
    std::map<std::string, std::string> slack_ids_;
    std::vector<int> clock_reloads_;
    slack_transport transport_ = slack_transport::http;
};

// Every integration of the manifests in `manifests` becomes a webhook to `url` (signed with the secret in
// CHECKPOINT_E2E_HOOK_SECRET), so every grant and revoke leaves the process.
void point_integrations_at(const std::filesystem::path& manifests, const std::string& url);
// The delivery key a Slack message carries in its metadata (empty when none).
std::string delivery_key_of(const boost::json::object& message);

// Every message Slack holds, by delivery key: how many carry each, which carry none, and the keys posted more than
// once (a message that reached Slack twice).
struct delivery_tally {
    std::map<std::string, std::size_t> by_key;
    std::size_t keyless = 0;
    std::map<std::string, std::size_t> twice;
};
delivery_tally tally_deliveries(fake_slack& slack);

// Whether a message's blocks still offer an action with this action_id.
bool has_action(const boost::json::object& message, const std::string& action_id);
// The message's text and all its blocks, serialized (for "contains" checks).
std::string text_of(const boost::json::object& message);
// The newest DM the app sent `user` whose text_of contains `needle`; empty when none.
std::string dm_with(fake_slack& slack, const std::string& user, const std::string& needle);
// The stored copy of a petition's card for `destination` (a channel id, or a person id for a DM copy).
std::optional<slack_story::card_copy> card_for(const slack_story& s, const std::string& petition_id,
                                               const std::string& destination);

// A reply's JSON as text, for "contains" checks; a JSON string's text (empty for anything else).
std::string reply_text(const boost::json::value& v);
std::string str(const boost::json::value& v);
// The messages in the app's DM with `user` as they stand now; how many contain `needle`.
std::vector<fake_slack_message> dms(fake_slack& slack, const std::string& user);
bool dm_contains(fake_slack& slack, const std::string& user, const std::string& needle);
std::size_t dm_count(fake_slack& slack, const std::string& user, const std::string& needle);

// What Slack sends: a modal's submission with these input values, the inputs themselves, and a click
// on the Home tab (no channel, no message).
boost::json::object view_submission(const std::string& user, const std::string& callback_id,
                                    const std::string& metadata, boost::json::object values);
boost::json::object selected(const std::string& value);
boost::json::object typed(const std::string& value);
boost::json::object request_values(const std::string& bundle, const std::string& duration, const std::string& reason);
boost::json::object deny_values(const std::string& reason);
boost::json::object home_click(const std::string& user, const std::string& action_id, const std::string& petition_id,
                               fake_slack& slack);

} // namespace checkpoint::test
