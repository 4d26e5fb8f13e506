#pragma once

#include "workflow/directory.hpp"
#include "workflow/petition.hpp"
#include "workflow/route.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace checkpoint::blocks {

// `/checkpoint request …`, just filed: bundle found (owner, risk), the duration, the decision and why
// (auto-approved, break-glass, or who must approve with each reviewer's reason), and what happens next.
boost::json::object request_reply(const workflow::petition& p);

// `/checkpoint status <id>`: state, steps with decisions, timestamps, expiry, a pending extension.
// `withheld`: `p` is workflow::public_view's, for someone it does not concern; the reply says the reason and
// ticket are kept for the requester, its reviewers and auditors.
boost::json::object status_reply(const workflow::petition& p, const workflow::directory* directory = nullptr,
                                 bool withheld = false);

// `/checkpoint mine`: the person's live access (with expiry and Extend) and open requests (with Cancel).
boost::json::object mine_reply(std::span<const workflow::petition> petitions);

// `/checkpoint pending`: approvals waiting on `reviewer_id`, with Approve and Deny.
boost::json::object pending_reply(std::span<const workflow::petition> waiting, std::string_view reviewer_id);

// `/checkpoint explain <bundle> [--duration]`: the route a request would take, and why; nothing is filed.
boost::json::object explain_reply(const workflow::route& r);

// A bundle name that matches nothing, with the closest names.
boost::json::object unknown_bundle_reply(std::string_view asked, std::span<const std::string_view> closest);

// `/checkpoint ooo <until> [--delegate]` set (with the delegate's name, may be empty) or `ooo off` (nullopt).
boost::json::object ooo_reply(const std::optional<workflow::out_of_office>& away, std::string_view delegate_name = {});
// `ooo off` from someone who is not away: nothing changed.
boost::json::object ooo_not_away_reply();

// A Slack user Checkpoint cannot bind to a directory person: what an admin must add.
// `/checkpoint request` with nothing to request and no form to open: how to write one.
boost::json::object request_usage_reply(std::string_view command_name);

// `why`: the directory has someone with that email, yet it was not trusted to say who they are
// (bot::email_binding_refusal's words); empty when no one has it.
boost::json::object not_in_directory_reply(std::string_view slack_user_id, std::string_view email,
                                           std::string_view why = {});

// The answer to `cancel`, `revoke` or `extend` (or the matching button) once the transition is stored.
// `still_held`: after a revoke, another request that still grants the same access.
boost::json::object changed_reply(const workflow::petition& after, workflow::event_kind what,
                                  const workflow::petition* still_held = nullptr);

} // namespace checkpoint::blocks
