// The web pages' server side, end to end on the real checkpointd: the shell and its files (CSP, ETag, gzip), the
// sign-ins (dev on loopback, the trusted header from trusted proxies only), the session's cookie and CSRF token
// in front of /api/v1, and sign-out. The pages' behaviour in a browser is tests/browser/.
#include "tests/e2e/server_process.hpp"
#include "tests/fakes/slack/fake_slack.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <zlib.h>

#include <functional>
#include <regex>

using namespace checkpoint::test;
using checkpoint::test::fake_slack;
using checkpoint::test::fake_slack_options;
namespace json = boost::json;

namespace {

json::value json_of(const response& r) { return json::parse(r.body()); }

std::string gunzip(const std::string& in)
{
    z_stream z{};
    REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
    std::string out(in.size() * 20 + 1024, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    REQUIRE(rc == Z_STREAM_END);
    return out;
}

// A browser on loopback: the cookie it was given, and the CSRF token its page read from /web/session.
struct browser {
    unsigned short port;
    std::string cookie;
    std::string csrf;

    std::map<std::string, std::string> headers(bool with_csrf = true, const std::string& type = {}) const
    {
        std::map<std::string, std::string> h{{"Host", "localhost:" + std::to_string(port)}};
        if (!cookie.empty())
            h["Cookie"] = "theme=dark; checkpoint_session=" + cookie;
        if (with_csrf && !csrf.empty())
            h["X-CSRF-Token"] = csrf;
        if (!type.empty())
            h["Content-Type"] = type;
        return h;
    }
    response get(const std::string& target) const { return http_request(port, http::verb::get, target, {}, headers()); }
    response post(const std::string& target, const json::object& body, bool with_csrf = true) const
    {
        return http_request(port, http::verb::post, target, json::serialize(body),
                            headers(with_csrf, "application/json"));
    }
};

// The secret in a Set-Cookie of checkpoint_session.
std::string cookie_in(const response& r)
{
    const std::string set(r[http::field::set_cookie]);
    std::smatch m;
    REQUIRE(std::regex_search(set, m, std::regex("checkpoint_session=([^;]*)")));
    return m[1];
}

browser sign_in_dev(unsigned short port, const std::string& person)
{
    browser b{port, {}, {}};
    auto r = b.post("/web/signin/dev", {{"person", person}}, false);
    REQUIRE(r.result() == http::status::ok);
    b.cookie = cookie_in(r);
    b.csrf = std::string(json_of(r).at("csrf").as_string());
    return b;
}

} // namespace

TEST_CASE("web: the page shell and its files are served with a strict CSP, ETag and gzip", "[e2e][web]")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()), {"--dev"});
    for (const char* page : {"/", "/mine", "/approvals", "/log", "/requests/p-123", "/request/api-production"}) {
        INFO(page);
        auto r = http_request(server.port(), http::verb::get, page);
        REQUIRE(r.result() == http::status::ok);
        CHECK(r[http::field::content_type] == "text/html; charset=utf-8");
        CHECK_THAT(std::string(r["Content-Security-Policy"]), Catch::Contains("script-src 'self'") &&
                                                                  Catch::Contains("default-src 'none'") &&
                                                                  !Catch::Contains("unsafe-inline"));
        CHECK(r["X-Frame-Options"] == "DENY");
        CHECK_THAT(r.body(), Catch::Contains("<script src=\"/assets/app.js\" defer></script>"));
        CHECK(r.body().find("<script>") == std::string::npos);
    }
    auto plain = http_request(server.port(), http::verb::get, "/assets/app.js");
    REQUIRE(plain.result() == http::status::ok);
    CHECK(plain[http::field::content_type] == "text/javascript; charset=utf-8");
    const std::string etag(plain[http::field::etag]);
    CHECK(etag.size() == 34);
    auto zipped = http_request(server.port(), http::verb::get, "/assets/app.js", {}, {{"Accept-Encoding", "gzip, br"}});
    CHECK(zipped[http::field::content_encoding] == "gzip");
    CHECK(zipped.body().size() < plain.body().size() / 2);
    CHECK(gunzip(zipped.body()) == plain.body());
    auto again = http_request(server.port(), http::verb::get, "/assets/app.js", {}, {{"If-None-Match", etag}});
    CHECK(again.result() == http::status::not_modified);
    CHECK(again.body().empty());
    CHECK(http_request(server.port(), http::verb::get, "/assets/nope.js").result() == http::status::not_found);
    CHECK(http_request(server.port(), http::verb::post, "/mine", "{}").result() == http::status::method_not_allowed);
    // Other paths are not pages.
    CHECK(http_request(server.port(), http::verb::get, "/admin").result() == http::status::not_found);
}

TEST_CASE("web: a dev sign-in on loopback files a request and its reviewer approves it - CSRF and roles are enforced",
          "[e2e][web]")
{
    temp_dir dir;
    server_process server(e2e_env(dir.path().string()), {"--dev"});
    const auto port = server.port();
    browser nobody{port, {}, {}};
    auto before = nobody.get("/web/session");
    REQUIRE(before.result() == http::status::unauthorized);
    CHECK(json_of(before).at("sign_in").at("dev") == true);
    CHECK(json_of(before).at("sign_in").at("trusted_header") == false);
    CHECK(nobody.get("/web/people").result() == http::status::ok);

    // A person not in the directory, a missing field, a form post from another site: each refused, in words.
    auto stranger = nobody.post("/web/signin/dev", {{"person", "mallory@elsewhere.example"}}, false);
    CHECK(stranger.result() == http::status::bad_request);
    CHECK_THAT(stranger.body(), Catch::Contains("not a person in Checkpoint's directory"));
    CHECK(nobody.post("/web/signin/dev", {{"who", "u-4001"}}, false).result() == http::status::bad_request);
    auto as_form = http_request(port, http::verb::post, "/web/signin/dev", "person=u-4001",
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
    CHECK(as_form.result() == http::status::forbidden);
    auto other_site = http_request(port, http::verb::post, "/web/signin/dev", R"({"person":"u-4001"})",
                                   {{"Content-Type", "application/json"}, {"Origin", "https://evil.example"},
                                    {"Host", "localhost:" + std::to_string(port)}});
    CHECK(other_site.result() == http::status::forbidden);
    // A page of another name that resolves here (DNS rebinding) is not a browser on this machine.
    auto rebound = http_request(port, http::verb::post, "/web/signin/dev", R"({"person":"u-4001"})",
                                {{"Content-Type", "application/json"}, {"Host", "rebind.evil.example:" + std::to_string(port)},
                                 {"Origin", "http://rebind.evil.example:" + std::to_string(port)}});
    CHECK(rebound.result() == http::status::forbidden);
    CHECK(http_request(port, http::verb::get, "/web/people", {}, {{"Host", "rebind.evil.example"}}).result() ==
          http::status::forbidden);
    // Through a proxy, loopback is not the browser's machine: no dev sign-in.
    auto proxied = http_request(port, http::verb::post, "/web/signin/dev", R"({"person":"u-4001"})",
                                {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.9"}});
    CHECK(proxied.result() == http::status::forbidden);

    auto first = nobody.post("/web/signin/dev", {{"person", "kofi@example.com"}}, false);
    REQUIRE(first.result() == http::status::ok);
    const std::string set_cookie(first[http::field::set_cookie]);
    CHECK_THAT(set_cookie, Catch::Contains("HttpOnly") && Catch::Contains("SameSite=Lax") && Catch::Contains("Path=/"));
    // Plain HTTP to localhost from this machine: not Secure, or the browser would drop it.
    CHECK_THAT(set_cookie, !Catch::Contains("Secure"));
    CHECK(json_of(first).at("person").at("id") == "u-4001");
    auto kofi = sign_in_dev(port, "u-4001");
    auto session = kofi.get("/web/session");
    REQUIRE(session.result() == http::status::ok);
    CHECK(json_of(session).at("csrf").as_string() == kofi.csrf);
    CHECK(json_of(session).at("via") == "dev");
    CHECK(json_of(kofi.get("/api/v1/me")).at("person").at("id") == "u-4001");

    // A change without the CSRF token (what a page of another site could send with the cookie) changes nothing.
    const json::object filing{{"bundle", "api-production"}, {"duration", "7d"}, {"reason", "debugging p99 latency"}};
    auto forged = kofi.post("/api/v1/petitions", filing, false);
    CHECK(forged.result() == http::status::forbidden);
    CHECK_THAT(forged.body(), Catch::Contains("CSRF"));
    browser wrong = kofi;
    wrong.csrf = "csrf_forged";
    CHECK(wrong.post("/api/v1/petitions", filing).result() == http::status::forbidden);
    CHECK(json_of(kofi.get("/api/v1/petitions?mine=true")).at("items").as_array().empty());

    // A form error names its field.
    auto no_reason = kofi.post("/api/v1/petitions", {{"bundle", "api-production"}, {"duration", "7d"}});
    CHECK(no_reason.result() == http::status::bad_request);
    CHECK_THAT(no_reason.body(), Catch::Contains("`reason`"));

    auto filed = kofi.post("/api/v1/petitions", filing);
    REQUIRE(filed.result() == http::status::created);
    const std::string id(json_of(filed).at("id").as_string());
    const auto petition = json_of(kofi.get("/api/v1/petitions/" + id));
    CHECK(petition.at("state") == "pending");
    std::string reviewer;
    for (const auto& step : petition.at("steps").as_array())
        if (step.at("state") == "waiting")
            reviewer = std::string(step.at("reviewers").as_array().at(0).at("id").as_string());
    REQUIRE(!reviewer.empty());

    // Someone who is not a reviewer of the step is refused, and nothing changes.
    auto eve = sign_in_dev(port, "u-4002");
    auto refused = eve.post("/api/v1/petitions/" + id + "/approve", {});
    CHECK((refused.result() == http::status::unprocessable_entity || refused.result() == http::status::not_found));
    CHECK(json_of(kofi.get("/api/v1/petitions/" + id)).at("state") == "pending");
    // Nor may the requester approve their own.
    CHECK(kofi.post("/api/v1/petitions/" + id + "/approve", {}).result() == http::status::unprocessable_entity);

    // The reviewer, in a second browser, sees it waiting on them and approves it; the audit says it came from the web.
    auto rev = sign_in_dev(port, reviewer);
    auto waiting = json_of(rev.get("/api/v1/petitions?awaiting=me")).at("items").as_array();
    REQUIRE(std::any_of(waiting.begin(), waiting.end(), [&](const json::value& p) { return p.at("id").as_string() == id; }));
    auto approved = rev.post("/api/v1/petitions/" + id + "/approve", {{"reason", "looks right"}});
    REQUIRE(approved.result() == http::status::ok);
    const auto after = json_of(approved);
    CHECK(after.at("decisions").as_array().back().at("by").at("id").as_string() == reviewer);

    // The audit log and the reports are for checkpoint.yaml's auditors (the platform team, in the examples).
    CHECK(json_of(kofi.get("/web/session")).at("auditor") == false);
    CHECK(kofi.get("/api/v1/audit/verify").result() == http::status::forbidden);
    auto paula = sign_in_dev(port, "u-1000");
    CHECK(json_of(paula.get("/web/session")).at("auditor") == true);
    auto verified = paula.get("/api/v1/audit/verify");
    REQUIRE(verified.result() == http::status::ok);
    CHECK(json_of(verified).at("ok") == true);
    auto csv = paula.get("/api/v1/reports/access-during?format=csv&bundle=api-production");
    CHECK(csv.result() == http::status::ok);
    CHECK(csv[http::field::content_type] == "text/csv; charset=utf-8");
    // Sessions' sign-ins are in the audit log, through the web.
    auto events = json_of(paula.get("/api/v1/audit?limit=200")).at("items").as_array();
    CHECK(std::any_of(events.begin(), events.end(), [](const json::value& e) { return e.at("action") == "web.signed_in"; }));

    // Signing out needs the CSRF token too; afterwards the cookie no longer works.
    CHECK(kofi.post("/web/signout", {}, false).result() == http::status::forbidden);
    CHECK(kofi.get("/api/v1/me").result() == http::status::ok);
    auto out = kofi.post("/web/signout", {});
    CHECK(out.result() == http::status::no_content);
    CHECK_THAT(std::string(out[http::field::set_cookie]), Catch::Contains("Max-Age=0"));
    CHECK(kofi.get("/api/v1/me").result() == http::status::unauthorized);
    auto gone = kofi.get("/web/session");
    CHECK(gone.result() == http::status::unauthorized);
    CHECK_THAT(gone.body(), Catch::Contains("signed out"));
    CHECK(server.stop() == 0);
}

TEST_CASE("web: without --dev there is no sign-in as anyone - the trusted header counts only from trusted proxies",
          "[e2e][web]")
{
    temp_dir dir;
    auto env = e2e_env(dir.path().string());
    SECTION("neither set up")
    {
        server_process server(env);
        auto r = http_request(server.port(), http::verb::get, "/web/session");
        REQUIRE(r.result() == http::status::unauthorized);
        CHECK(json_of(r).at("sign_in").at("dev") == false);
        CHECK(http_request(server.port(), http::verb::post, "/web/signin/dev", R"({"person":"u-4001"})",
                           {{"Content-Type", "application/json"}})
                  .result() == http::status::forbidden);
        CHECK(http_request(server.port(), http::verb::get, "/web/people").result() == http::status::forbidden);
        // A header no one trusts is ignored.
        CHECK(http_request(server.port(), http::verb::get, "/web/session", {}, {{"X-Forwarded-Email", "kofi@example.com"}})
                  .result() == http::status::unauthorized);
    }
    SECTION("the proxy is this machine")
    {
        env["CHECKPOINT_WEB_TRUSTED_HEADER"] = "X-Forwarded-Email";
        env["CHECKPOINT_WEB_TRUSTED_PROXIES"] = "10.0.0.0/8, 127.0.0.1";
        server_process server(env);
        auto r = http_request(server.port(), http::verb::get, "/web/session", {},
                              {{"X-Forwarded-Email", "kofi@example.com"}, {"Host", "access.example.com"}});
        REQUIRE(r.result() == http::status::ok);
        CHECK(json_of(r).at("person").at("id") == "u-4001");
        CHECK(json_of(r).at("via") == "trusted_header");
        // Served through a proxy under a real name: the cookie is Secure.
        CHECK_THAT(std::string(r[http::field::set_cookie]), Catch::Contains("; Secure"));
        browser b{server.port(), cookie_in(r), std::string(json_of(r).at("csrf").as_string())};
        CHECK(json_of(b.get("/api/v1/me")).at("person").at("id") == "u-4001");
        // Someone else at the same browser, as the proxy says: their own session, not the last one.
        auto h = b.headers(false);
        h["X-Forwarded-Email"] = "eve@example.com";
        auto other = http_request(server.port(), http::verb::get, "/web/session", {}, h);
        REQUIRE(other.result() == http::status::ok);
        CHECK(json_of(other).at("person").at("id") == "u-4002");
        // The header twice (a proxy that adds its own beside the browser's): neither is believed.
        {
            boost::asio::io_context ioc;
            boost::beast::tcp_stream stream(ioc);
            stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));
            http::request<http::string_body> twice{http::verb::get, "/web/session", 11};
            twice.set(http::field::host, "access.example.com");
            twice.insert("X-Forwarded-Email", "kofi@example.com");
            twice.insert("X-Forwarded-Email", "eve@example.com");
            http::write(stream, twice);
            boost::beast::flat_buffer buffer;
            response answer;
            http::read(stream, buffer, answer);
            CHECK(answer.result() == http::status::unauthorized);
        }
        auto unknown = http_request(server.port(), http::verb::get, "/web/session", {},
                                    {{"X-Forwarded-Email", "mallory@elsewhere.example"}});
        CHECK(unknown.result() == http::status::unauthorized);
        CHECK_THAT(unknown.body(), Catch::Contains("not a person in Checkpoint's directory"));
    }
    SECTION("the proxy is elsewhere")
    {
        env["CHECKPOINT_WEB_TRUSTED_HEADER"] = "X-Forwarded-Email";
        env["CHECKPOINT_WEB_TRUSTED_PROXIES"] = "10.1.2.3";
        server_process server(env);
        auto r = http_request(server.port(), http::verb::get, "/web/session", {}, {{"X-Forwarded-Email", "kofi@example.com"}});
        CHECK(r.result() == http::status::unauthorized);
        CHECK(json_of(r).at("sign_in").at("trusted_header") == true);
        CHECK(server.wait_for_output("not in CHECKPOINT_WEB_TRUSTED_PROXIES"));
    }
    SECTION("a bad setting is refused at start, naming it")
    {
        env["CHECKPOINT_WEB_TRUSTED_HEADER"] = "X-Forwarded-Email";
        env["CHECKPOINT_WEB_TRUSTED_PROXIES"] = "10.0.0.0/99";
        server_process server(env, {}, false);
        CHECK(server.wait_exit() != 0);
        CHECK_THAT(server.output(), Catch::Contains("CHECKPOINT_WEB_TRUSTED_PROXIES") && Catch::Contains("10.0.0.0/99"));
    }
}

namespace {

// The path and query of an absolute URL (http://127.0.0.1:PORT/path?query).
std::string target_of(const std::string& url)
{
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
}

std::string oidc_cookie_in(const response& r)
{
    const std::string set(r[http::field::set_cookie]);
    std::smatch m;
    REQUIRE(std::regex_search(set, m, std::regex("checkpoint_oidc=([^;]*)")));
    return m[1];
}

std::string signin_error_of(const response& r)
{
    const std::string location(r[http::field::location]);
    const auto at = location.find("signin_error=");
    return at == std::string::npos ? std::string() : location.substr(at);
}

} // namespace

TEST_CASE("web: Sign in with Slack (OpenID Connect against the fake Slack) binds the Slack user as commands do",
          "[e2e][web]")
{
    temp_dir dir;
    fake_slack slack;
    slack.add_user({"U01KOFI", "kofi@example.com", "Kofi Mensah"});
    slack.add_user({"U0STRANGER", "stranger@elsewhere.example", "Stranger"});
    auto env = e2e_env(dir.path().string());
    env["SLACK_API_URL"] = slack.api_url();
    env["SLACK_BOT_TOKEN"] = slack.token();
    env["SLACK_CLIENT_ID"] = fake_slack_options{}.client_id;
    env["SLACK_CLIENT_SECRET"] = fake_slack_options{}.client_secret;
    server_process server(env);
    const auto port = server.port();
    const std::map<std::string, std::string> host{{"Host", "localhost:" + std::to_string(port)}};
    CHECK(json_of(http_request(port, http::verb::get, "/web/session", {}, host)).at("sign_in").at("slack") == true);

    // Off to Slack, as a user of `slack_user`: the authorize page, then back with a code. The checkpoint_oidc
    // cookie is what this browser holds (`tamper` changes it before it goes back).
    auto sign_in_as = [&](const std::string& slack_user, const std::function<void(std::string&)>& tamper = {}) {
        auto start = http_request(port, http::verb::get, "/web/signin/slack", {}, host);
        REQUIRE(start.result() == http::status::found);
        const std::string to_slack(start[http::field::location]);
        CHECK_THAT(to_slack, Catch::StartsWith(slack.api_url().substr(0, slack.api_url().size() - 4) +
                                               "openid/connect/authorize?") &&
                                 Catch::Contains("scope=openid%20email%20profile") && Catch::Contains("nonce=") &&
                                 Catch::Contains("redirect_uri=http://localhost:" + std::to_string(port) +
                                                 "/web/signin/slack/callback"));
        auto kept = oidc_cookie_in(start);
        CHECK_THAT(std::string(start[http::field::set_cookie]),
                   Catch::Contains("HttpOnly") && Catch::Contains("Path=/web/signin/slack"));
        auto at_slack = http_request(slack.port(), http::verb::get, target_of(to_slack), {},
                                     {{"Cookie", "fake_slack_user=" + slack_user}});
        REQUIRE(at_slack.result() == http::status::found);
        const std::string back(at_slack[http::field::location]);
        if (tamper)
            tamper(kept);
        auto h = host;
        h["Cookie"] = "checkpoint_oidc=" + kept;
        return std::make_tuple(http_request(port, http::verb::get, target_of(back), {}, h), target_of(back), kept);
    };

    auto [done, callback, first_cookie] = sign_in_as("U01KOFI");
    REQUIRE(done.result() == http::status::found);
    CHECK(done[http::field::location] == "/");
    browser kofi{port, cookie_in(done), {}};
    auto session = kofi.get("/web/session");
    REQUIRE(session.result() == http::status::ok);
    CHECK(json_of(session).at("person").at("id") == "u-4001");
    CHECK(json_of(session).at("via") == "slack");
    CHECK(!slack.calls("openid.connect.token").empty());
    CHECK(!slack.calls("openid.connect.userInfo").empty());

    // The same code again (a replayed callback): Slack refuses it, and no session is opened.
    auto h = host;
    h["Cookie"] = "checkpoint_oidc=" + first_cookie;
    auto replay = http_request(port, http::verb::get, callback, {}, h);
    CHECK(replay.result() == http::status::found);
    CHECK_THAT(signin_error_of(replay), Catch::Contains("did%20not%20confirm"));
    CHECK(replay[http::field::set_cookie].find("checkpoint_session=cps_") == std::string::npos);

    // A callback this browser did not start (its state differs), and an ID token for another sign-in (its nonce).
    auto [wrong_state, c1, k1] = sign_in_as("U01KOFI", [](std::string& kept) { kept = "someone-elses-state" + kept.substr(kept.find('.')); });
    CHECK_THAT(signin_error_of(wrong_state), Catch::Contains("not%20started%20from%20this%20browser"));
    auto [wrong_nonce, c2, k2] = sign_in_as("U01KOFI", [](std::string& kept) { kept = kept.substr(0, kept.find('.')) + ".another-nonce"; });
    CHECK_THAT(signin_error_of(wrong_nonce), Catch::Contains("nonce"));
    // Someone Slack knows but the directory does not.
    auto [stranger, c3, k3] = sign_in_as("U0STRANGER");
    CHECK(stranger.result() == http::status::found);
    CHECK_THAT(signin_error_of(stranger), Catch::Contains("signin_error="));
    CHECK(stranger[http::field::set_cookie].find("checkpoint_session=cps_") == std::string::npos);
    // Cancelled at Slack.
    auto cancelled = http_request(port, http::verb::get, "/web/signin/slack/callback?error=access_denied&state=x", {}, host);
    CHECK_THAT(signin_error_of(cancelled), Catch::Contains("cancelled"));
    CHECK(server.stop() == 0);
}
