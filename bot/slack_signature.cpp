#include "bot/slack_signature.hpp"

#include <boost/algorithm/hex.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace checkpoint::bot {

std::string_view describe(signature_error e)
{
    switch (e) {
    case signature_error::missing_timestamp:
        return "missing X-Slack-Request-Timestamp header";
    case signature_error::malformed_timestamp:
        return "X-Slack-Request-Timestamp is not Unix seconds";
    case signature_error::stale_timestamp:
        return "X-Slack-Request-Timestamp is more than 5 minutes from now";
    case signature_error::missing_signature:
        return "missing X-Slack-Signature header";
    case signature_error::malformed_signature:
        return "X-Slack-Signature is not v0= followed by 64 hex digits";
    case signature_error::signature_mismatch:
        return "signature mismatch";
    }
    return "unknown signature error";
}

std::string_view code(signature_error e)
{
    switch (e) {
    case signature_error::missing_timestamp:
        return "missing_timestamp";
    case signature_error::malformed_timestamp:
        return "malformed_timestamp";
    case signature_error::stale_timestamp:
        return "stale_timestamp";
    case signature_error::missing_signature:
        return "missing_signature";
    case signature_error::malformed_signature:
        return "malformed_signature";
    case signature_error::signature_mismatch:
        return "signature_mismatch";
    }
    return "unknown";
}

std::string hmac_sha256_v0_hex(std::string_view secret, std::string_view timestamp, std::string_view body)
{
    std::string base;
    base.reserve(4 + timestamp.size() + body.size());
    base.append("v0:").append(timestamp).append(":").append(body);

    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac.data(), &mac_len) == nullptr)
        throw std::runtime_error("HMAC-SHA256 failed");

    std::string hex;
    boost::algorithm::hex_lower(mac.data(), mac.data() + mac_len, std::back_inserter(hex));
    return hex;
}

std::string sign_slack_request(std::string_view secret, std::string_view timestamp, std::string_view body)
{
    return "v0=" + hmac_sha256_v0_hex(secret, timestamp, body);
}

std::optional<signature_error> verify_slack_signature(std::string_view signing_secret,
                                                      std::string_view timestamp_header,
                                                      std::string_view signature_header,
                                                      std::string_view raw_body,
                                                      std::chrono::system_clock::time_point now)
{
    if (timestamp_header.empty())
        return signature_error::missing_timestamp;
    if (signature_header.empty())
        return signature_error::missing_signature;

    long long ts = 0;
    const auto* first = timestamp_header.data();
    const auto* last = first + timestamp_header.size();
    auto [ptr, ec] = std::from_chars(first, last, ts);
    if (ec != std::errc{} || ptr != last || timestamp_header.size() > 12 || ts <= 0)
        return signature_error::malformed_timestamp;

    const long long now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const long long skew = now_s > ts ? now_s - ts : ts - now_s;
    if (skew > slack_replay_window.count())
        return signature_error::stale_timestamp;

    constexpr std::size_t expected_len = 3 + 64;
    if (signature_header.size() != expected_len || !signature_header.starts_with("v0="))
        return signature_error::malformed_signature;

    const std::string expected = sign_slack_request(signing_secret, timestamp_header, raw_body);
    if (CRYPTO_memcmp(expected.data(), signature_header.data(), expected_len) != 0)
        return signature_error::signature_mismatch;
    return std::nullopt;
}

} // namespace checkpoint::bot
