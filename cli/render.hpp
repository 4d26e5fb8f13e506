#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace checkpoint::cli {

// What the CLI prints, as pure functions of the API's JSON: nothing here does I/O.
// Every string that came from the server passes through `clean` before it is printed.

// Exit codes shared by every command (the API contract's table).
enum exit_code : int {
    exit_ok = 0,
    exit_error = 1,
    exit_waiting = 2,
    exit_closed = 3,
    exit_usage = 64,
};

// A petition's state as an exit code: 0 holds or held access as asked (approved, provisioning, active),
// 2 still pending, 3 denied, cancelled, failed, expired or revoked.
int exit_code_for_state(std::string_view state);

// True while a petition may still change by itself (pending, approved, provisioning): worth waiting on.
bool is_waiting_state(std::string_view state);

// Control characters (terminal escapes) removed, so server text cannot drive the terminal.
std::string clean(std::string_view s);
// A string (or number, or boolean) field as text, cleaned; empty when missing, null or another kind.
std::string str(const boost::json::object& o, std::string_view key);

// "2026-11-29T10:00:00Z" -> "2026-11-29 10:00 UTC"; anything else is shown as given (cleaned).
std::string format_time(std::string_view rfc3339);

// `checkpoint request`, just filed: the bundle found (owner, risk), the duration, the decision and why,
// and the approval steps when people must approve.
std::string request_header_text(const boost::json::object& petition);
// The header, then `outcome_text` for the state it is in.
std::string request_text(const boost::json::object& petition);

// `checkpoint grant`, just granted: whom for, what, and that it is an exception; then `outcome_text`.
std::string grant_text(const boost::json::object& petition);

// Where a petition ended up: access granted (expiry, what it grants), denied and why, still waiting, …
std::string outcome_text(const boost::json::object& petition);

// The live progress line while waiting (no newline): the step waiting and on whom; `elapsed` is shown
// when positive.
std::string progress_line(const boost::json::object& petition, std::chrono::seconds elapsed);
// Changes exactly when the progress line's words (other than the time) change.
std::string progress_key(const boost::json::object& petition);

// `checkpoint status ID`: everything about one petition.
std::string status_text(const boost::json::object& petition);

// `list`, `log`: one petition a row; `empty` is printed when there are none.
std::string petitions_table(const boost::json::array& items, std::string_view empty);

// After approve, deny, cancel, revoke or extend: what was done and the state now.
std::string changed_text(std::string_view verb, const boost::json::object& petition);

// `checkpoint catalog [words]`.
std::string catalog_text(const boost::json::array& bundles, std::string_view query);

// `checkpoint explain BUNDLE`: the route a request would take; nothing is filed.
std::string explain_text(const boost::json::object& explain);

// `checkpoint report NAME`: the rows as a table, then the summary.
std::string report_text(const boost::json::object& report);

// `checkpoint audit verify`: {"ok":true,"events":n,"keyed":true,"anchor":{…}} or {"ok":false,"first_bad":seq,"problem":"…"}.
std::string audit_verify_text(const boost::json::object& verification);
// `checkpoint audit anchor`: {"anchor":{"seq","keyed_hash","at","posted_to",…}}.
std::string audit_anchor_text(const boost::json::object& answer);

// `checkpoint audit events`: one event a row, oldest first as the API pages them.
std::string audit_events_table(const boost::json::array& events);

// `checkpoint tokens list` and the one-time display of a new token.
std::string tokens_table(const boost::json::array& tokens);
std::string token_created_text(const boost::json::object& token);

// `checkpoint resources list`: kind, id, display name and labels.
std::string resources_table(const boost::json::array& resources);

// `checkpoint resources upload FILE`: {"upserted": n} for `sent` resources of `kinds`.
std::string upload_text(const boost::json::object& answer, std::size_t sent);
// POST /resources/sync's answer; `kind` as asked (empty: every kind).
std::string sync_text(const boost::json::object& answer, const std::string& kind);

// `checkpoint manifests check`: check_manifests()'s JSON; errors one a line, as `file:line: field: message`.
std::string manifests_check_text(const boost::json::object& check);
// `checkpoint policy diff`: the diff, the replayed decisions per target, and the waiting requests that re-route.
std::string policy_preview_text(const boost::json::object& preview);
// `checkpoint manifests reload`: the version now in force, what changed, and what was re-routed.
std::string manifests_reload_text(const boost::json::object& reload);
// A preview (policy diff, directory import --dry-run) under `title`: what changes, the replayed decisions, the
// access that would end and the waiting requests that would re-route.
std::string preview_text(const boost::json::object& preview, const std::string& title);
// What a reload or a directory change did: the waiting requests re-routed, the grants revoked (`access_ended`) and
// what failed.
std::string effects_text(const boost::json::object& answer);
// `checkpoint directory import`: how many people, what changed, what was re-routed and revoked.
std::string directory_import_text(const boost::json::object& answer);

// `checkpoint db backup`: backup_database()'s JSON.
std::string backup_text(const boost::json::object& backup);
// `checkpoint db copy`: the rows copied per table, and the copy's audit verification.
std::string copy_text(const boost::json::object& copy);

// An API error body {"error":{"code","message"}} (or anything else) with its HTTP status, as one line.
std::string api_error_text(unsigned status, std::string_view body);

// A JSON value on one line, for --json.
// Boost.JSON writes 0.5 as 5E-1: numbers in exponent form rewritten plainly (0.5, 3600), strings untouched.
std::string plain_numbers(std::string_view serialized);
std::string json_line(const boost::json::value& v);

} // namespace checkpoint::cli
