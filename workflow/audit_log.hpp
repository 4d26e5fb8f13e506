#pragma once

#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/job_queue.hpp"
#include "workflow/origin.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// One thing that happened: who did what, when, why, and by which rule.
struct audit_event {
    // A directory person id, or "checkpoint" for the service itself.
    std::string actor;
    // What happened: "filed", "approve", "expire", …
    std::string action;
    time_point at{};
    // Why, in the actor's words (a denial reason) or the system's (the route's reason).
    std::string reason;
    // The decision rule that applied: "auto", "owner", "break_glass", …
    std::string rule;
    // Empty for events not about one petition.
    std::string petition_id;
    // A JSON object of anything else; empty means {}.
    std::string details;
    // Where it came from; stored in the details as "channel" and "caller_token" (null without a token).
    origin via{};
};

// An event as stored: its place in the chain and the hashes that link it.
struct audit_record {
    std::uint64_t seq = 0;
    audit_event event;
    // Hex SHA-256: prev_hash is the previous record's hash (64 zeros for the first).
    std::string prev_hash;
    std::string hash;
    // Hex HMAC-SHA256 under the audit key (which is kept outside the database) of the previous record's
    // mac, seq and hash: the keyed chain a writer of the database alone cannot recompute. Empty when the
    // log has no key.
    std::string mac{};
};

// The chain's head at one moment, recorded in the database and told outside it (the security
// channel, the service's log), so a rewrite or a truncation below it is found even by someone who
// holds the key.
struct audit_anchor {
    std::int64_t id = 0;
    // The last event then (0: the log was empty), its plain hash and its keyed hash (empty without a key).
    std::uint64_t seq = 0;
    std::string hash{};
    std::string mac{};
    time_point at{};
    // Where it was told: a Slack channel id, or "log" when checkpoint.yaml names no security channel.
    std::string posted_to{};
    // Why: "schedule", "demand" (an admin asked) or "seal" (existing events keyed at first start).
    std::string trigger{};
    // Who asked: "checkpoint", or the API caller.
    std::string by{};
};

struct audit_anchor_request {
    time_point at{};
    std::string posted_to{};
    std::string trigger{};
    std::string by{};
    // The job that tells the anchor, made from it and queued in the same write (none when it returns nullopt).
    std::function<std::optional<job_spec>(const audit_anchor&)> post{};
};

struct audit_verification {
    bool ok = true;
    std::uint64_t checked = 0;
    // The first record found altered, inserted or missing (deleted), and what is wrong with it.
    std::optional<std::uint64_t> first_bad_seq;
    std::string problem;
    // Whether keyed hashes were checked (the log has a key), and how many events existed before the key
    // sealed them (their keyed hashes were computed over their verified plain chain then).
    bool keyed = false;
    std::uint64_t sealed_before_key = 0;
    // The newest anchor, which the chain was checked against (with every older one).
    std::optional<audit_anchor> anchor{};
};

// The append-only, hash-chained audit trail.
class audit_log {
public:
    virtual ~audit_log() = default;

    // Durable before it returns.
    virtual result<audit_record> append(const audit_event& e) = 0;
    // Queues `j` and, only when its key was not queued before, records `e`: one write, so an event told
    // once (an alert per window) is recorded once however often it is found. True when it was new.
    virtual result<bool> append_once(const audit_event& e, const job_spec& j, time_point now) = 0;
    // Walks the whole chain, its keyed hashes and its anchors; ok, or the first altered, inserted or
    // deleted event. `told`: anchors kept outside the database (as posted in the security channel: seq and
    // keyed hash in `mac`), checked as the recorded ones are. An error when the key given is not the
    // chain's (audit_key_mismatch) or a keyed chain is verified without one (audit_key_missing).
    virtual result<audit_verification> verify(std::span<const audit_anchor> told = {}) = 0;
    // Records the head of the chain as an anchor, with its post job, in one write.
    virtual result<audit_anchor> anchor(const audit_anchor_request& r) = 0;
    // The events about one stored petition, oldest first.
    virtual result<std::vector<audit_record>> for_petition(const std::string& petition_id) = 0;
};

} // namespace checkpoint::workflow
