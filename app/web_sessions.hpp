#pragma once

#include "workflow/directory.hpp"
#include "workflow/duration.hpp"
#include "workflow/error.hpp"
#include "workflow/session_store.hpp"
#include "workflow/settings.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace checkpoint::app {

// A web session lasts a working day; then the browser signs in again.
inline constexpr workflow::duration web_session_life = std::chrono::hours{12};

// How a browser proves who it is. `slack`: Sign in with Slack (OpenID Connect); `trusted_header`: an SSO proxy
// in front sets a header with the email; `dev`: a person picked from a list, on loopback with --dev only.
enum class sign_in_via { slack, trusted_header, dev };
std::string_view name(sign_in_via v);

// Why someone cannot sign in, in words for the sign-in page.
struct sign_in_refusal {
    std::string message;
};

// Opens a session for the person `who` names (an id, external id or email, as the manifests write them): audited
// as `web.signed_in` with the person as "subject", through the web. The cookie's secret is in the result, this once.
std::variant<workflow::opened_session, sign_in_refusal> sign_in(workflow::session_store& sessions,
                                                                const workflow::directory& dir, std::string_view who,
                                                                sign_in_via via, workflow::time_point now);

// Why a stored session does not work at `now` (signed out, expired, or its person left `dir`), or empty.
std::string why_session_refused(const workflow::web_session& s, const workflow::directory& dir,
                                workflow::time_point now);

// Whether `person_id` is among checkpoint.yaml's `auditors` at `now`: their session may read the audit log and the
// reports (audit:read).
bool is_auditor(const workflow::settings& s, const workflow::directory& dir, std::string_view person_id,
                workflow::time_point now);

// Ends the session (signing out), audited as `web.signed_out`; false when it had ended already.
workflow::result<bool> sign_out(workflow::session_store& sessions, const workflow::web_session& s,
                                workflow::time_point now);

} // namespace checkpoint::app
