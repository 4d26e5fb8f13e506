#include "tests/e2e/slack_story.hpp"

#include "tests/support/example_manifests.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <set>
#include <stdexcept>
#include <thread>

namespace checkpoint::test {

namespace json = boost::json;

namespace {

constexpr const char* form = "application/x-www-form-urlencoded";
// 2026-11-23 10:00 UTC, as in tests/bot/service_fixture.hpp.
constexpr long long story_start_s = 1'795'428'000;

long long system_now_s()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string encode(const std::string& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

std::size_t count_of(const std::string& hay, const std::string& needle)
{
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size()))
        ++n;
    return n;
}

} // namespace

std::ostream& operator<<(std::ostream& out, slack_transport t)
{
    return out << (t == slack_transport::http ? "over HTTP" : "over Socket Mode");
}

slack_story::slack_story(const setup& prepare, slack_transport transport, std::size_t replicas) : transport_(transport)
{
    if (replicas == 0 || (replicas > 1 && transport == slack_transport::socket_mode))
        throw std::invalid_argument("a story runs one server, or several over HTTP behind HAProxy");
    slack_ = std::make_unique<fake_slack>();
    env_ = e2e_env(dir_.path().string());
    // The example manifests with their dates moved to the story's clock.
    const auto manifests_dir = write_example_manifests(
        dir_.path() / "manifests", workflow::time_point{std::chrono::seconds{story_start_s}});
    auto manifests = loader::load_manifests(manifests_dir);
    if (!manifests)
        throw std::runtime_error("the example manifests do not load");
    for (const auto& p : manifests->directory.people()) {
        const auto id = p.slack_id.empty() ? "UX" + p.id : p.slack_id;
        slack_ids_[p.id] = id;
        slack_->add_user({id, p.email, p.name});
    }
    env_["SLACK_API_URL"] = slack_->api_url();
    env_["SLACK_BOT_TOKEN"] = slack_->token();
    if (transport_ == slack_transport::socket_mode) {
        // Socket Mode alone: without a signing secret Slack over HTTP is off.
        env_["SLACK_APP_TOKEN"] = slack_->app_token();
        env_.erase("SLACK_SIGNING_SECRET");
    }
    if (prepare)
        prepare(manifests_dir, env_);
    offset_file_ = dir_.file("clock-offset");
    offset_s_ = story_start_s - system_now_s();
    write_offset();
    servers_.resize(replicas);
    clock_reloads_.assign(replicas, 0);
    if (replicas > 1)
        for (std::size_t i = 0; i < replicas; ++i)
            ports_.push_back(free_port());
    for (std::size_t i = 0; i < replicas; ++i)
        start_server(i);
    if (replicas > 1)
        start_front();
}

slack_story::~slack_story()
{
    // HAProxy first, so no request reaches a replica as it stops.
    front_.reset();
}

void slack_story::start_front()
{
    front_port_ = free_port();
    // Round robin over the replicas, each checked at /readyz every 100 ms and left out at its first failure, so a
    // killed replica gets no more requests than were on their way; a request refused on connecting goes to the next.
    std::ofstream cfg(dir_.file("haproxy.cfg"), std::ios::trunc);
    cfg << "global\n  maxconn 512\n"
        << "defaults\n  mode http\n  timeout connect 1s\n  timeout client 60s\n  timeout server 60s\n"
        << "  retries 3\n  option redispatch\n"
        << "frontend checkpoint\n  bind 127.0.0.1:" << front_port_ << "\n  default_backend replicas\n"
        << "backend replicas\n  balance roundrobin\n  option httpchk GET /readyz\n";
    for (std::size_t i = 0; i < ports_.size(); ++i)
        cfg << "  server replica-" << i << " 127.0.0.1:" << ports_[i] << " check inter 100 fall 1 rise 1\n";
    cfg.close();
    front_ = std::make_unique<server_process>(std::map<std::string, std::string>{},
                                              std::vector<std::string>{"-db", "-f", dir_.file("haproxy.cfg")}, false,
                                              "/usr/sbin/haproxy");
    const bool up = eventually([&] {
        try {
            return http_request(front_port_, http::verb::get, "/readyz").result_int() == 200;
        } catch (const std::exception&) {
            return false;
        }
    });
    if (!up)
        throw std::runtime_error("HAProxy did not answer in front of the replicas:\n" + front_->output());
}

unsigned short slack_story::front_port() const
{
    if (pinned_)
        return servers_.at(*pinned_)->port();
    return front_ ? front_port_ : servers_.at(0)->port();
}

void slack_story::write_offset()
{
    std::ofstream(offset_file_, std::ios::trunc) << offset_s_ << "\n";
}

void slack_story::start_server(std::size_t i)
{
    const auto accepted_before =
        transport_ == slack_transport::socket_mode ? slack_->socket_mode().connections_accepted() : 0;
    auto env = env_;
    if (!ports_.empty()) {
        // Each replica keeps its port and its name across restarts: HAProxy finds it again, and it takes its own
        // job leases back at once.
        env["CHECKPOINT_LISTEN"] = "127.0.0.1:" + std::to_string(ports_[i]);
        env["CHECKPOINT_REPLICA"] = "replica-" + std::to_string(i);
    }
    servers_[i] = std::make_unique<server_process>(env, std::vector<std::string>{"--clock-offset-file", offset_file_});
    clock_reloads_[i] = 0;
    if (transport_ == slack_transport::socket_mode)
        wait_for_socket(accepted_before);
}

void slack_story::wait_for_socket(std::size_t accepted_before)
{
    // Two connections by default; connections of a killed server may linger on the fake's side until
    // their sockets read the end, so what counts is what this server dialled.
    const bool dialled = eventually([&] { return slack_->socket_mode().connections_accepted() >= accepted_before + 2; });
    if (!dialled || !slack_->socket_mode().wait_for_connections(1, std::chrono::seconds(10)))
        throw std::runtime_error("checkpointd did not open its Socket Mode connections:\n" + server().output());
}

response slack_story::over_socket(const std::string& type, const boost::json::object& payload,
                                  bool accepts_response_payload)
{
    auto& socket = slack_->socket_mode();
    const auto id = socket.send(type, payload, {accepts_response_payload, false});
    const auto ack = socket.wait_ack(id, std::chrono::seconds(30));
    if (!ack)
        throw std::runtime_error("checkpointd did not acknowledge a " + type + " envelope:\n" + server().output());
    response r{http::status::ok, 11};
    if (const auto* body = ack->if_contains("payload"))
        r.body() = boost::json::serialize(*body);
    r.prepare_payload();
    return r;
}

long long slack_story::now_s() const { return system_now_s() + offset_s_; }

void slack_story::move_time(std::chrono::seconds by)
{
    if (!eventually([&] { return busy_jobs(env_.at("CHECKPOINT_DB"), now_s() * 1000) == 0; }))
        throw std::runtime_error("checkpointd's workers did not go idle before the clock moved:\n" + server().output());
    offset_s_ += by.count();
    write_offset();
    for (std::size_t i = 0; i < servers_.size(); ++i) {
        const int expected = ++clock_reloads_[i];
        servers_[i]->signal(SIGUSR1);
        const bool reloaded = eventually([&] {
            return count_of(servers_[i]->output(), "clock: offset reloaded") >= static_cast<std::size_t>(expected);
        });
        if (!reloaded)
            throw std::runtime_error("checkpointd did not reload its clock offset:\n" + servers_[i]->output());
    }
}

void slack_story::kill_and_restart(std::size_t i)
{
    servers_.at(i)->stop(SIGKILL);
    start_server(i);
}

boost::json::value slack_story::command(const std::string& user, const std::string& text,
                                        const std::string& given_trigger_id)
{
    // Every command Slack sends has a trigger_id of its own.
    const auto trigger_id = given_trigger_id.empty() ? slack_->new_trigger_id() : given_trigger_id;
    if (transport_ == slack_transport::socket_mode) {
        const boost::json::object fields{
            {"token", "x"},           {"team_id", "T1"},       {"team_domain", "acme"},
            {"channel_id", "C0GENERAL"}, {"channel_name", "general"}, {"user_id", user},
            {"user_name", "someone"},  {"command", "/checkpoint"},  {"text", text},
            {"response_url", "https://hooks.slack.com/commands/T1/1/x"}, {"trigger_id", trigger_id},
            {"api_app_id", "A1"}};
        auto r = over_socket("slash_commands", fields, true);
        if (r.body().empty())
            throw std::runtime_error("/checkpoint " + text + " was acknowledged without an answer");
        return boost::json::parse(r.body());
    }
    const std::string body = "token=x&team_id=T1&team_domain=acme&channel_id=C0GENERAL&channel_name=general&user_id=" +
                             encode(user) + "&user_name=someone&command=%2Fcheckpoint&text=" + encode(text) +
                             "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fx&trigger_id=" +
                             encode(trigger_id) + "&api_app_id=A1";
    auto r = slack_post(front_port(), "/slack/commands", form, body, {}, now_s());
    if (r.result() != http::status::ok)
        throw std::runtime_error("/checkpoint " + text + " answered " + std::to_string(r.result_int()) + ": " +
                                 r.body());
    return boost::json::parse(r.body());
}

response slack_story::interact(const boost::json::object& payload)
{
    if (transport_ == slack_transport::socket_mode)
        return over_socket("interactive", payload, true);
    return slack_post(front_port(), "/slack/interactions", form, "payload=" + encode(boost::json::serialize(payload)),
                      {}, now_s());
}

response slack_story::click(const std::string& user, const std::string& action_id, const std::string& petition_id,
                            const std::string& channel, const std::string& ts, const std::string& trigger_id)
{
    // Clicks are made from several threads at once (the double-click story): two clicks that shared an
    // action_ts would be one click delivered twice to the server, which answers it once.
    static std::atomic<int> clicks{0};
    const std::string action_ts = std::to_string(now_s()) + "." + std::to_string(++clicks);
    boost::json::object action{{"type", "button"},
                               {"action_id", action_id},
                               {"block_id", "petition:" + petition_id},
                               {"value", petition_id},
                               {"action_ts", action_ts}};
    boost::json::object payload{
        {"type", "block_actions"},
        {"team", boost::json::object{{"id", "T1"}, {"domain", "acme"}}},
        {"user", boost::json::object{{"id", user}, {"team_id", "T1"}}},
        {"api_app_id", "A1"},
        {"trigger_id", trigger_id.empty() ? slack_->new_trigger_id() : trigger_id},
        {"container", boost::json::object{{"type", "message"}, {"message_ts", ts}, {"channel_id", channel}}},
        {"channel", boost::json::object{{"id", channel}}},
        {"message", boost::json::object{{"ts", ts}, {"type", "message"}}},
        {"actions", boost::json::array{action}},
    };
    return interact(payload);
}

response slack_story::event(const boost::json::object& event, const std::string& event_id)
{
    boost::json::object envelope{{"type", "event_callback"}, {"team_id", "T1"},     {"api_app_id", "A1"},
                                 {"event", event},           {"event_id", event_id}, {"event_time", now_s()}};
    if (transport_ == slack_transport::socket_mode)
        return over_socket("events_api", envelope, false);
    return slack_post(front_port(), "/slack/events", "application/json", boost::json::serialize(envelope), {},
                      now_s());
}

namespace {

std::unique_ptr<storage::connection> open_db(const std::string& database) { return connect_to(database); }

} // namespace

std::string slack_story::service_token(const std::string& name, const std::string& scopes,
                                       const std::string& person) const
{
    auto env = env_;
    // The token is written to the database the server uses; the manifests are needed only to find its person.
    if (person.empty())
        env["CHECKPOINT_MANIFESTS"] = "/nonexistent";
    return mint_token(env, name, scopes, person);
}

std::string slack_story::latest_petition_of(const std::string& person_id) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT id FROM petitions WHERE requester_id = ? ORDER BY created_at DESC, id DESC LIMIT 1");
    q->bind(1, person_id);
    return q->executeStep() ? q->getColumn(0).getString() : std::string();
}

std::string slack_story::state_of(const std::string& petition_id) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT state FROM petitions WHERE id = ?");
    q->bind(1, petition_id);
    return q->executeStep() ? q->getColumn(0).getString() : std::string();
}

std::size_t slack_story::step_of(const std::string& petition_id) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT body FROM petitions WHERE id = ?");
    q->bind(1, petition_id);
    if (!q->executeStep())
        return 0;
    auto body = boost::json::parse(q->getColumn(0).getString());
    return static_cast<std::size_t>(body.at("progress").at("step").to_number<std::uint64_t>());
}

std::vector<std::string> slack_story::reviewers_of(const std::string& petition_id, std::size_t step) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT body FROM petitions WHERE id = ?");
    q->bind(1, petition_id);
    std::vector<std::string> out;
    if (!q->executeStep())
        return out;
    // In the route's order, as the petition stores it.
    auto body = boost::json::parse(q->getColumn(0).getString());
    const auto& steps = body.at("route").at("steps").as_array();
    if (step < steps.size())
        for (const auto& r : steps[step].at("reviewers").as_array())
            out.emplace_back(r.at("person_id").as_string());
    return out;
}

std::vector<std::string> slack_story::eligible_reviewers(const std::string& petition_id,
                                                        const std::string& requester) const
{
    std::set<std::string> approved_before;
    for (const auto& d : rows("SELECT d.decided_by FROM decisions d JOIN petitions p ON p.seq = d.petition_seq "
                              "WHERE p.id = '" + petition_id + "' AND d.approved = 1"))
        approved_before.insert(d[0]);
    std::vector<std::string> out;
    for (const auto& r : reviewers_of(petition_id, step_of(petition_id)))
        if (r != requester && !approved_before.count(r))
            out.push_back(r);
    return out;
}

int slack_story::audit_count(const std::string& petition_id, const std::string& action) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT count(*) FROM audit_log WHERE petition_id = ? AND action = ?");
    q->bind(1, petition_id);
    q->bind(2, action);
    q->executeStep();
    return q->getColumn(0).getInt();
}

std::vector<slack_story::card_copy> slack_story::cards_of(const std::string& petition_id) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT step, destination, channel, ts FROM card_messages WHERE petition_id = ? "
                            "ORDER BY step, destination");
    q->bind(1, petition_id);
    std::vector<card_copy> out;
    while (q->executeStep())
        out.push_back({static_cast<std::size_t>(q->getColumn(0).getInt()), q->getColumn(1).getString(),
                       q->getColumn(2).getString(), q->getColumn(3).getString()});
    return out;
}

int slack_story::unsettled_jobs() const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    // Scheduled ones (expiry, reminders, audit anchors) are not work in flight.
    auto q = db->use("SELECT count(*) FROM jobs WHERE status < 2 AND kind NOT IN ('expire', 'remind', 'revoke', "
                            "'anchor_audit')");
    q->executeStep();
    return q->getColumn(0).getInt();
}

std::vector<std::vector<std::string>> slack_story::rows(const std::string& sql) const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use(sql);
    std::vector<std::vector<std::string>> out;
    while (q->executeStep()) {
        std::vector<std::string> row;
        for (int i = 0; i < q->column_count(); ++i)
            row.push_back(q->getColumn(i).isNull() ? std::string() : q->getColumn(i).getString());
        out.push_back(std::move(row));
    }
    return out;
}

int slack_story::dead_jobs() const
{
    auto db = open_db(env_.at("CHECKPOINT_DB"));
    auto q = db->use("SELECT count(*) FROM jobs WHERE status = 3");
    q->executeStep();
    return q->getColumn(0).getInt();
}

std::string slack_story::slack_id_of(const std::string& person_id) const
{
    auto it = slack_ids_.find(person_id);
    return it == slack_ids_.end() ? std::string() : it->second;
}

bool slack_story::eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        try {
            if (pred())
                return true;
        } catch (const storage::sql_error&) {
            // The server holds the write lock a moment longer than the busy timeout: look again.
        }
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void point_integrations_at(const std::filesystem::path& manifests, const std::string& url)
{
    std::ifstream in(manifests / "checkpoint.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string settings = text.str();
    const std::string log_kind = "    kind: log\n";
    const std::string webhook = "    kind: webhook\n    url: " + url +
                                "\n    secret_env: CHECKPOINT_E2E_HOOK_SECRET\n    format: checkpoint\n    timeout: 2s\n";
    std::size_t replaced = 0;
    for (auto at = settings.find(log_kind); at != std::string::npos; at = settings.find(log_kind, at)) {
        settings.replace(at, log_kind.size(), webhook);
        at += webhook.size();
        ++replaced;
    }
    if (replaced < 3)
        throw std::runtime_error("the example checkpoint.yaml has fewer log integrations than the stories expect");
    std::ofstream(manifests / "checkpoint.yaml", std::ios::trunc) << settings;
}

std::string delivery_key_of(const boost::json::object& message)
{
    const auto* meta = message.if_contains("metadata");
    if (!meta || !meta->is_object())
        return {};
    const auto* payload = meta->get_object().if_contains("event_payload");
    const auto* key = payload && payload->is_object() ? payload->get_object().if_contains("key") : nullptr;
    return key && key->is_string() ? std::string(key->get_string()) : std::string();
}

delivery_tally tally_deliveries(fake_slack& slack)
{
    delivery_tally t;
    for (const auto& m : slack.messages()) {
        if (const auto key = delivery_key_of(m.message); key.empty())
            ++t.keyless;
        else
            ++t.by_key[key];
    }
    for (const auto& [key, n] : t.by_key)
        if (n > 1)
            t.twice.emplace(key, n);
    return t;
}

bool has_action(const boost::json::object& message, const std::string& action_id)
{
    return text_of(message).find("\"action_id\":\"" + action_id + "\"") != std::string::npos;
}

std::string text_of(const boost::json::object& message) { return boost::json::serialize(message); }

std::string dm_with(fake_slack& slack, const std::string& user, const std::string& needle)
{
    std::string found;
    for (const auto& m : slack.messages_in(fake_slack::dm_channel_of(user)))
        if (auto t = text_of(m.message); t.find(needle) != std::string::npos)
            found = std::move(t);
    return found;
}

std::optional<slack_story::card_copy> card_for(const slack_story& s, const std::string& petition_id,
                                               const std::string& destination)
{
    for (auto& c : s.cards_of(petition_id))
        if (c.destination == destination)
            return c;
    return std::nullopt;
}

std::string reply_text(const json::value& v) { return json::serialize(v); }

std::string str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : std::string(); }

std::vector<fake_slack_message> dms(fake_slack& slack, const std::string& user)
{
    return slack.messages_in(fake_slack::dm_channel_of(user));
}

bool dm_contains(fake_slack& slack, const std::string& user, const std::string& needle)
{
    return !dm_with(slack, user, needle).empty();
}

std::size_t dm_count(fake_slack& slack, const std::string& user, const std::string& needle)
{
    std::size_t n = 0;
    for (const auto& m : dms(slack, user))
        n += text_of(m.message).find(needle) != std::string::npos ? 1 : 0;
    return n;
}

json::object view_submission(const std::string& user, const std::string& callback_id, const std::string& metadata,
                             json::object values)
{
    // Each submission Slack sends has a trigger_id of its own (so two are never the same signed bytes).
    static std::atomic<unsigned> submissions{0};
    return json::object{{"type", "view_submission"},
                        {"team", json::object{{"id", "T1"}}},
                        {"user", json::object{{"id", user}}},
                        {"api_app_id", "A1"},
                        {"trigger_id", "13345224609.738474920.submit" + std::to_string(submissions.fetch_add(1))},
                        {"view", json::object{{"id", "V0SUBMIT"},
                                              {"type", "modal"},
                                              {"callback_id", callback_id},
                                              {"private_metadata", metadata},
                                              {"state", json::object{{"values", std::move(values)}}}}}};
}

json::object selected(const std::string& value)
{
    return json::object{{"type", "static_select"},
                        {"selected_option", json::object{{"text", json::object{{"type", "plain_text"}, {"text", value}}},
                                                         {"value", value}}}};
}

json::object typed(const std::string& value) { return json::object{{"type", "plain_text_input"}, {"value", value}}; }

json::object request_values(const std::string& bundle, const std::string& duration, const std::string& reason)
{
    return json::object{{"bundle", json::object{{"checkpoint.bundle", selected(bundle)}}},
                        {"duration", json::object{{"checkpoint.duration", selected(duration)}}},
                        {"reason", json::object{{"checkpoint.reason", typed(reason)}}},
                        {"ticket", json::object{{"checkpoint.ticket", typed("")}}}};
}

json::object deny_values(const std::string& reason)
{
    return json::object{{"deny_reason", json::object{{"checkpoint.deny_reason", typed(reason)}}}};
}

json::object home_click(const std::string& user, const std::string& action_id, const std::string& petition_id,
                        fake_slack& slack)
{
    return json::object{{"type", "block_actions"},
                        {"user", json::object{{"id", user}}},
                        {"trigger_id", slack.new_trigger_id()},
                        {"container", json::object{{"type", "view"}, {"view_id", "VHOME"}}},
                        {"view", json::object{{"id", "VHOME"}, {"type", "home"}}},
                        {"actions", json::array{json::object{
                                        {"action_id", action_id}, {"value", petition_id}, {"action_ts", "1.1"}}}}};
}

} // namespace checkpoint::test
