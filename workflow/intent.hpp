#pragma once

#include "workflow/clock.hpp"
#include "workflow/command.hpp"
#include "workflow/duration.hpp"
#include "workflow/error.hpp"
#include "workflow/origin.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace checkpoint::workflow {

// What a `/checkpoint …` command (or a CLI call) asks for, typed and validated; no one is bound yet.
namespace intent {

struct help {};
struct request {
    // Empty: open the request form.
    std::string target;
    std::optional<duration> length;
    std::string reason;
    std::string ticket;
    bool break_glass = false;
    // Who files it for the requester ("token:<id>" for a service token); empty when the requester does.
    std::string filed_by{};
    // The front it came through, for the audit record (the caller sets it).
    origin via{};
    // A manual override by this admin (request_input::override_by); the caller has checked the scope.
    std::string override_by{};
};
struct status {
    std::string petition_id; // empty: my latest
};
struct mine {};
struct pending {};
struct extend {
    std::string petition_id;
    duration added{};
    std::string reason;
};
struct cancel {
    std::string petition_id;
};
struct revoke {
    std::string petition_id;
    std::string reason;
};
struct catalog {
    std::string words;
};
struct explain {
    std::string target;
    std::optional<duration> length;
};
struct ooo_set {
    time_point until; // exclusive: the first moment back
    // A Slack user id from a mention (`<@U123>`), or a person reference (id, external id, email).
    std::string delegate_slack_id;
    std::string delegate_ref;
};
struct ooo_off {};

} // namespace intent

using command_intent = std::variant<intent::help, intent::request, intent::status, intent::mine, intent::pending,
                                    intent::extend, intent::cancel, intent::revoke, intent::catalog, intent::explain,
                                    intent::ooo_set, intent::ooo_off>;

// Bounds on what people type, so no input is unbounded.
inline constexpr std::size_t max_reason_length = 3000;
inline constexpr std::size_t max_ticket_length = 100;
inline constexpr std::size_t max_target_length = 200;

// Turns a parsed command line into an intent, or an error that says what was wrong and what is
// allowed. `now` resolves relative out-of-office ends (`ooo 3d`).
result<command_intent> to_intent(const command_line& line, time_point now);

// Checks a petition id as typed: `p-` and letters, digits or dashes.
bool is_petition_id(std::string_view s);

} // namespace checkpoint::workflow
