#pragma once

#include "storage/connection.hpp"
#include "storage/database.hpp"
#include "workflow/audit_log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::storage {

// The audit log in SQLite: a SHA-256 hash chain, with triggers refusing UPDATE and DELETE.
class audit_log final : public workflow::audit_log {
public:
    explicit audit_log(database& db) : db_(db) {}

    workflow::result<workflow::audit_record> append(const workflow::audit_event& e) override;
    workflow::result<workflow::audit_verification> verify() override;
    workflow::result<std::vector<workflow::audit_record>> for_petition(const std::string& petition_id) override;

    // The event as it is stored and hashed: time in whole milliseconds, details re-serialized (throws on bad JSON).
    // Done before the write, so the writer thread spends no time parsing.
    static workflow::audit_event normalized(const workflow::audit_event& e);
    // normalized(), with details that are not JSON as an error (invalid_audit) instead of an exception.
    static workflow::result<workflow::audit_event> checked(const workflow::audit_event& e);
    // Appends a normalized event inside the caller's write transaction, so a transition and its event commit
    // together. `petition_seq` is the petition's row, when the caller has it at hand; otherwise it is looked up.
    static workflow::audit_record append_in(connection& c, const workflow::audit_event& e,
                                            std::optional<std::int64_t> petition_seq = std::nullopt);
    // hex(SHA-256(prev_hash || canonical content)); `at` counts in whole milliseconds, as stored.
    static std::string hash_of(std::string_view prev_hash, std::uint64_t seq, const workflow::audit_event& e);
    static constexpr std::string_view genesis_hash = "0000000000000000000000000000000000000000000000000000000000000000";

private:
    database& db_;
};

} // namespace checkpoint::storage
