#pragma once

#include "storage/database.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::storage {

// An API token as stored: never the token itself, only its SHA-256.
struct api_token {
    std::int64_t id = 0;
    std::string name;
    // "service" (named, no person) or "personal" (acts as `person_id`).
    std::string kind;
    std::string person_id;
    std::vector<std::string> scopes;
    workflow::time_point created_at{};
    std::optional<workflow::time_point> revoked_at;
    std::optional<workflow::time_point> last_used_at;
};

struct new_token {
    api_token token;
    // `cpt_` and 40 base62 characters; shown once, never stored.
    std::string secret;
};

// API bearer tokens in SQLite, looked up by the hash of what the caller presents.
class token_store {
public:
    explicit token_store(database& db) : db_(db) {}

    // Draws a fresh secret and stores its hash with the token's name, kind, person and scopes.
    workflow::result<new_token> create(const std::string& name, const std::string& kind, const std::string& person_id,
                                       const std::vector<std::string>& scopes, workflow::time_point now);
    // The token whose secret is `secret` (revoked ones included: the caller says why it refuses).
    workflow::result<std::optional<api_token>> find_by_secret(std::string_view secret);
    // Every token, oldest first.
    workflow::result<std::vector<api_token>> list();
    // Marks it revoked; false when there is no such token or it was revoked already.
    workflow::result<bool> revoke(std::int64_t id, workflow::time_point now);
    // Records a use; skipped when the last one recorded is under a minute old, so reads do not all write.
    workflow::result<void> touch(const api_token& t, workflow::time_point now);

    // `cpt_` + 40 characters of [0-9A-Za-z] from OpenSSL's RAND_bytes.
    static std::string generate_secret();
    // Lower-case hex SHA-256 of the secret, as stored.
    static std::string hash_of(std::string_view secret);
    // Whether `s` has the shape of a token (so junk is refused without a query).
    static bool looks_like_token(std::string_view s);

private:
    database& db_;
};

} // namespace checkpoint::storage
