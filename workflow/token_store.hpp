#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/job_queue.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// An API token as stored: never the token itself, only its SHA-256.
struct api_token {
    std::int64_t id = 0;
    std::string name;
    // "service" (named, no person) or "personal" (acts as `person_id`).
    std::string kind;
    std::string person_id;
    std::vector<std::string> scopes;
    time_point created_at{};
    std::optional<time_point> revoked_at;
    std::optional<time_point> last_used_at;
    // After it, the token no longer works; nullopt: it does not expire.
    std::optional<time_point> expires_at{};
};

struct new_token {
    api_token token;
    // `cpt_` and 40 base62 characters; shown once, never stored.
    std::string secret;
};

// API bearer tokens, looked up by the hash of what the caller presents.
class token_store {
public:
    virtual ~token_store() = default;

    // Draws a fresh secret and stores its hash with `spec`'s name, kind, person, scopes and expiry (its id,
    // times and secret are set here), `audit` (its details gain "token_id"), and the job `tell` makes of
    // the stored token (none when it returns nullopt or is empty), all in the same transaction.
    using teller = std::function<std::optional<job_spec>(const api_token&)>;
    virtual result<new_token> create(const api_token& spec, time_point now, const audit_event& audit,
                                     const teller& tell) = 0;
    // The token whose secret is `secret` (revoked ones included: the caller says why it refuses).
    virtual result<std::optional<api_token>> find_by_secret(std::string_view secret) = 0;
    // Every token, oldest first.
    virtual result<std::vector<api_token>> list() = 0;
    // Marks it revoked, with `audit` in the same transaction; false (and no event) when there is no
    // such token or it was revoked already.
    virtual result<bool> revoke(std::int64_t id, time_point now, const audit_event& audit) = 0;
    // Records a use; skipped when the last one recorded is under a minute old, so reads do not all write.
    virtual result<void> touch(const api_token& t, time_point now) = 0;
};

} // namespace checkpoint::workflow
