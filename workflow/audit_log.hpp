#pragma once

#include "workflow/clock.hpp"
#include "workflow/error.hpp"

#include <cstdint>
#include <optional>
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
};

// An event as stored: its place in the chain and the hashes that link it.
struct audit_record {
    std::uint64_t seq = 0;
    audit_event event;
    // Hex SHA-256: prev_hash is the previous record's hash (64 zeros for the first).
    std::string prev_hash;
    std::string hash;
};

struct audit_verification {
    bool ok = true;
    std::uint64_t checked = 0;
    // The first record found altered, inserted or missing (deleted), and what is wrong with it.
    std::optional<std::uint64_t> first_bad_seq;
    std::string problem;
};

// The append-only, hash-chained audit trail.
class audit_log {
public:
    virtual ~audit_log() = default;

    // Durable before it returns.
    virtual result<audit_record> append(const audit_event& e) = 0;
    // Walks the whole chain; ok, or the first altered, inserted or deleted event.
    virtual result<audit_verification> verify() = 0;
    // The events about one stored petition, oldest first.
    virtual result<std::vector<audit_record>> for_petition(const std::string& petition_id) = 0;
};

} // namespace checkpoint::workflow
