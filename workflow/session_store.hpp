#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::workflow {

// A browser's sign-in to the web pages, as stored: never the cookie's secret, only its SHA-256.
struct web_session {
    std::int64_t id = 0;
    // The directory person it acts as.
    std::string person_id;
    // How they signed in: "slack" (OpenID Connect), "trusted_header" (an SSO proxy) or "dev" (loopback, --dev).
    std::string via;
    // The token every form and every change the page asks for must carry (a header), drawn with the session.
    std::string csrf;
    time_point created_at{};
    time_point expires_at{};
    std::optional<time_point> ended_at{};
};

struct opened_session {
    web_session session;
    // What the cookie holds; shown this once, never stored.
    std::string secret;
};

// Web sessions, kept server-side so signing out (or an admin) ends one for good.
class session_store {
public:
    virtual ~session_store() = default;
    // Draws a secret and a CSRF token and stores the session `spec` (person, via, expiry) with `audit` (its
    // details gain "session_id") in one transaction. Sessions long past their end may be forgotten meanwhile.
    virtual result<opened_session> open(const web_session& spec, time_point now, const audit_event& audit) = 0;
    // The session whose secret is `secret` (ended and expired ones included: the caller says why it refuses).
    virtual result<std::optional<web_session>> find(std::string_view secret) = 0;
    // Ends session `id` with `audit` in the same transaction; false (and no event) when it had ended already.
    virtual result<bool> end(std::int64_t id, time_point now, const audit_event& audit) = 0;
};

} // namespace checkpoint::workflow
