#include "bot/slack_signature.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::bot;
using namespace std::chrono;

namespace {

// Slack's documented example (shared/slack/REFERENCE.md §1a).
constexpr std::string_view doc_secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view doc_ts = "1531420618";
constexpr std::string_view doc_body =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name="
    "foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks."
    "slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
    "47445629121.803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view doc_sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

system_clock::time_point at(long long unix) { return system_clock::time_point{seconds{unix}}; }

} // namespace

TEST_CASE("Slack's documented example verifies")
{
    REQUIRE(doc_body.size() == 362);
    CHECK(sign_slack_request(doc_secret, doc_ts, doc_body) == doc_sig);
    CHECK_FALSE(verify_slack_signature(doc_secret, doc_ts, doc_sig, doc_body, at(1531420618)).has_value());
}

TEST_CASE("known vectors sign as Slack's SDKs compute them")
{
    struct row {
        const char* name;
        std::string secret;
        std::string ts;
        std::string body;
        std::string expected;
    };
    auto r = GENERATE(values<row>({
        {"empty body", std::string(doc_secret), "1531420618", "",
         "v0=55f41ec73231010289b54e669149ea021fccab11b5524355523533ce930cb739"},
        {"url_verification", std::string(doc_secret), "1531420618",
         R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})",
         "v0=f9bd80929259f3f6d5fe3a3186c453c89cd1ad4862815a15837584f31c993652"},
        {"payload form", std::string(doc_secret), "1531420618", "payload=%7B%22type%22%3A%22block_actions%22%7D",
         "v0=9dffc25b49a4a7fc2e15c9c9450bf8af09eb501fcef9039eaea3deb58af0c82c"},
        {"timestamp is covered", std::string(doc_secret), "1531420619", std::string(doc_body),
         "v0=ffbf8ca586db401fa71716579fba59aea718787d68572406a7236da28a871144"},
        {"bolt-js style", "secret", "1700000000", R"({"foo":"bar"})",
         "v0=f2860e86f6b17d05bcfdb20ec88167a134d1c976d6e7b4cebf41266a4eb0909d"},
    }));
    INFO(r.name);
    CHECK(sign_slack_request(r.secret, r.ts, r.body) == r.expected);
    CHECK_FALSE(verify_slack_signature(r.secret, r.ts, r.expected, r.body, at(std::stoll(r.ts))).has_value());
}

TEST_CASE("verification refuses what Slack did not sign")
{
    const auto now = at(1531420618);
    struct row {
        const char* name;
        std::string ts;
        std::string sig;
        std::string body;
        long long now_offset;
        signature_error expected;
    };
    const std::string body(doc_body);
    const std::string sig(doc_sig);
    std::string upper = sig;
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper.replace(0, 3, "v0=");
    auto r = GENERATE_COPY(values<row>({
        {"tampered body", std::string(doc_ts), sig, body + "------", 0, signature_error::signature_mismatch},
        {"other secret's signature", std::string(doc_ts), sign_slack_request("other", doc_ts, doc_body), body, 0,
         signature_error::signature_mismatch},
        {"301 s stale", std::string(doc_ts), sig, body, 301, signature_error::stale_timestamp},
        {"301 s in the future", std::string(doc_ts), sig, body, -301, signature_error::stale_timestamp},
        {"missing timestamp", "", sig, body, 0, signature_error::missing_timestamp},
        {"missing signature", std::string(doc_ts), "", body, 0, signature_error::missing_signature},
        {"timestamp with letters", "15314206l8", sig, body, 0, signature_error::malformed_timestamp},
        {"negative timestamp", "-1531420618", sig, body, 0, signature_error::malformed_timestamp},
        {"milliseconds timestamp", "1531420618000", sig, body, 0, signature_error::malformed_timestamp},
        {"v1 prefix", std::string(doc_ts), "v1=" + sig.substr(3), body, 0, signature_error::malformed_signature},
        {"truncated signature", std::string(doc_ts), sig.substr(0, 40), body, 0,
         signature_error::malformed_signature},
        {"uppercase hex", std::string(doc_ts), upper, body, 0, signature_error::signature_mismatch},
    }));
    INFO(r.name);
    auto got = verify_slack_signature(doc_secret, r.ts, r.sig, r.body, now + seconds{r.now_offset});
    REQUIRE(got.has_value());
    CHECK(*got == r.expected);
    CHECK_FALSE(describe(*got).empty());
}

TEST_CASE("the replay window is five minutes either way, inclusive")
{
    for (long long offset : {-300LL, -1LL, 0LL, 1LL, 300LL}) {
        INFO(offset);
        CHECK_FALSE(verify_slack_signature(doc_secret, doc_ts, doc_sig, doc_body, at(1531420618 + offset)).has_value());
    }
}
