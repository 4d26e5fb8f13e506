#include "tests/e2e/slack_story.hpp"

#include "storage/audit_key.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace checkpoint::test;
namespace json = boost::json;

namespace {


std::vector<std::string> anchors_in(fake_slack& slack, const std::string& channel)
{
    std::vector<std::string> out;
    for (const auto& m : slack.messages_in(channel))
        if (const auto t = text_of(m.message); t.find("Audit log anchor") != std::string::npos)
            out.push_back(t);
    return out;
}

std::string file_text(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("anchors: the audit log's head is posted to #security on demand and each day, logged, and holds",
          "[e2e][slack]")
{
    slack_story s;
    const auto token = s.service_token("anchors", "admin,audit:read");
    INFO(token);
    REQUIRE(token.rfind("cpt_", 0) == 0);
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token}};

    // On demand: recorded at once, then posted to the security channel by the outbox.
    auto r = http_request(s.server().port(), http::verb::post, "/api/v1/audit/anchor", "", auth);
    REQUIRE(r.result() == http::status::created);
    const auto anchor = json::parse(r.body()).at("anchor").as_object();
    const auto seq = std::to_string(anchor.at("seq").as_int64());
    const std::string mac(anchor.at("keyed_hash").as_string());
    CHECK(anchor.at("posted_to") == "C0SECURITY");
    REQUIRE(slack_story::eventually([&] { return anchors_in(s.slack(), "C0SECURITY").size() == 1; }));
    const auto posted = anchors_in(s.slack(), "C0SECURITY")[0];
    CHECK_THAT(posted, Catch::Contains("asked for by token:anchors") && Catch::Contains("*#" + seq + "*") &&
                           Catch::Contains(mac) &&
                           Catch::Contains("checkpoint audit verify --anchor " + seq + ":" + mac));
    CHECK_THAT(s.server().output(), Catch::Contains("audit: anchored at event " + seq) && Catch::Contains(mac));

    // The check an auditor makes later with the anchor the channel shows.
    auto verified = http_request(s.server().port(), http::verb::get,
                                 "/api/v1/audit/verify?anchor=" + seq + ":" + mac, "", auth);
    REQUIRE(verified.result() == http::status::ok);
    const auto v = json::parse(verified.body());
    CHECK(v.at("ok") == true);
    CHECK(v.at("keyed") == true);

    // A day on, the scheduled anchor is posted too, once.
    s.move_time(std::chrono::hours(24));
    REQUIRE(slack_story::eventually([&] {
        return anchors_in(s.slack(), "C0SECURITY").size() == 2 && s.unsettled_jobs() == 0;
    }));
    CHECK_THAT(anchors_in(s.slack(), "C0SECURITY")[1], Catch::Contains("(scheduled)"));
    CHECK(s.dead_jobs() == 0);

    // The key never reaches the log; it is beside the database (no key was configured), and the log says to
    // keep it elsewhere in production.
    const auto key = file_text(s.database_path() + ".audit-key");
    REQUIRE(key.size() >= 64);
    CHECK_THAT(s.server().output(), !Catch::Contains(key.substr(0, 64)));
    CHECK_THAT(s.server().output(), Catch::Contains("In production keep the key elsewhere"));

    // Issue 16's attack on the stopped service's file: a reason rewritten and every SHA-256 and the head
    // recomputed. The keyed check with the server's key finds it.
    REQUIRE(s.server().stop() == 0);
    {
        SQLite::Database raw(s.database_path(), SQLite::OPEN_READWRITE);
        raw.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");
        raw.exec("UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 1");
        std::string prev(checkpoint::storage::audit_log::genesis_hash);
        SQLite::Statement q(raw, "SELECT seq, at, actor, action, reason, rule, petition_id, details FROM audit_log "
                                 "ORDER BY seq");
        std::vector<std::pair<std::int64_t, std::string>> hashes;
        while (q.executeStep()) {
            checkpoint::workflow::audit_event e{q.getColumn(2).getString(), q.getColumn(3).getString(),
                                                checkpoint::workflow::from_millis(q.getColumn(1).getInt64()),
                                                q.getColumn(4).getString(), q.getColumn(5).getString(),
                                                q.getColumn(6).getString(), q.getColumn(7).getString()};
            const auto n = q.getColumn(0).getInt64();
            hashes.emplace_back(n, checkpoint::storage::audit_log::hash_of(prev, static_cast<std::uint64_t>(n), e));
            prev = hashes.back().second;
        }
        std::string before(checkpoint::storage::audit_log::genesis_hash);
        for (const auto& [n, h] : hashes) {
            SQLite::Statement u(raw, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?");
            u.bind(1, before);
            u.bind(2, h);
            u.bind(3, n);
            u.exec();
            before = h;
        }
        SQLite::Statement head(raw, "UPDATE audit_head SET hash = ?");
        head.bind(1, before);
        head.exec();
    }
    checkpoint::storage::database_options o;
    o.audit_key = checkpoint::storage::audit_key::make(key.substr(0, 64)).value();
    auto db = checkpoint::storage::database::open(s.database_path(), o).value();
    auto chain = checkpoint::storage::audit_log(*db).verify().value();
    CHECK_FALSE(chain.ok);
    CHECK(chain.first_bad_seq == 1u);
    CHECK_THAT(chain.problem, Catch::Contains("keyed hash"));
}

TEST_CASE("separation of duties: a token made to act as someone else is told in #security - every change names its "
          "channel",
          "[e2e][slack]")
{
    slack_story s;
    const auto admin = s.service_token("provisioner", "admin");
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + admin}};

    // An admin mints a personal token that acts as Lee: announced, and audited with Lee as subject.
    auto r = http_request(s.server().port(), http::verb::post, "/api/v1/tokens",
                          R"({"name":"lee-laptop","kind":"personal","person":"u-2001","scopes":["requests","review"]})",
                          auth);
    REQUIRE(r.result() == http::status::created);
    const auto made = json::parse(r.body()).as_object();
    const auto id = std::to_string(made.at("id").as_int64());
    const bool told = slack_story::eventually([&] {
        for (const auto& m : s.slack().messages_in("C0SECURITY"))
            if (text_of(m.message).find("token #" + id) != std::string::npos)
                return true;
        return false;
    });
    REQUIRE(told);
    std::string notice;
    for (const auto& m : s.slack().messages_in("C0SECURITY"))
        if (text_of(m.message).find("token #" + id) != std::string::npos)
            notice = text_of(m.message);
    CHECK_THAT(notice, Catch::Contains("token:provisioner") && Catch::Contains("u-2001") &&
                           Catch::Contains("checkpoint tokens revoke " + id));
    const auto subject = s.rows("SELECT actor, json_extract(details, '$.channel') FROM audit_log WHERE "
                                "json_extract(details, '$.subject') = 'u-2001'");
    REQUIRE(subject.size() == 1);
    CHECK(subject[0] == std::vector<std::string>{"token:provisioner", "api"});

    // A request filed in Slack is audited as coming from Slack, with no token.
    s.command(s.slack_id_of("u-2001"), "request api-production --duration 7d --reason \"debugging latency\"");
    const auto petition = s.latest_petition_of("u-2001");
    REQUIRE_FALSE(petition.empty());
    const auto filed = s.rows("SELECT json_extract(details, '$.channel'), COALESCE(json_extract(details, "
                              "'$.caller_token'), 'none') FROM audit_log WHERE action = 'file' AND petition_id = '" +
                              petition + "'");
    REQUIRE(filed.size() == 1);
    CHECK(filed[0] == std::vector<std::string>{"slack", "none"});
}
