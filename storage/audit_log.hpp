#pragma once

#include "storage/audit_key.hpp"
#include "storage/connection.hpp"
#include "storage/database.hpp"
#include "workflow/audit_log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::storage {

// The audit log in SQLite: a SHA-256 hash chain, with triggers refusing UPDATE and DELETE, keyed by an
// HMAC-SHA256 chain under the database's audit key (database_options::audit_key), and anchored.
class audit_log final : public workflow::audit_log {
public:
    explicit audit_log(database& db) : db_(db) {}

    workflow::result<workflow::audit_record> append(const workflow::audit_event& e) override;
    workflow::result<bool> append_once(const workflow::audit_event& e, const workflow::job_spec& j,
                                       workflow::time_point now) override;
    // With the database's key when it has one (a keyed chain without it is audit_key_missing).
    workflow::result<workflow::audit_verification> verify(std::span<const workflow::audit_anchor> told = {}) override;
    workflow::result<workflow::audit_anchor> anchor(const workflow::audit_anchor_request& r) override;
    workflow::result<std::vector<workflow::audit_record>> for_petition(const std::string& petition_id) override;

    // The event as it is stored and hashed: time in whole milliseconds, details re-serialized (throws on bad JSON).
    // Done before the write, so the writer thread spends no time parsing.
    static workflow::audit_event normalized(const workflow::audit_event& e);
    // normalized(), with details that are not JSON as an error (invalid_audit) instead of an exception.
    static workflow::result<workflow::audit_event> checked(const workflow::audit_event& e);
    // Appends a normalized event inside the caller's write transaction, so a transition and its event commit
    // together. `petition_seq` is the petition's row, when the caller has it at hand; otherwise it is looked up.
    // Keyed with the connection's audit key; throws when the chain is keyed and the connection has no key.
    static workflow::audit_record append_in(connection& c, const workflow::audit_event& e,
                                            std::optional<std::int64_t> petition_seq = std::nullopt);
    // Sets a row's end once, audited: runs `update` ("UPDATE t SET ended_at = ? WHERE id = ? AND ended_at IS NULL")
    // with `now` and `id` and, when it changed the row, appends `audit` in the same transaction. False (and no
    // event) when the row was ended already or is not there. A token's revocation, a session's sign-out.
    static workflow::result<bool> end_once(database& db, std::string_view update, std::int64_t id,
                                           workflow::time_point now, const workflow::audit_event& audit);
    // hex(SHA-256(prev_hash || canonical content)); `at` counts in whole milliseconds, as stored.
    static std::string hash_of(std::string_view prev_hash, std::uint64_t seq, const workflow::audit_event& e);
    static constexpr std::string_view genesis_hash = "0000000000000000000000000000000000000000000000000000000000000000";
    // hex(HMAC-SHA256(key, length-prefixed prev_mac, seq, hash)); the first event's prev_mac is genesis_hash.
    static std::string mac_of(const audit_key& key, std::string_view prev_mac, std::uint64_t seq, std::string_view hash);

    // At open, before any write: checks `key` is the chain's (audit_key_mismatch), or seals a chain written
    // before there was a key: its plain chain (and anchors) verified, every event's mac computed over it,
    // and the key's check value stored. Refuses to seal a broken chain, or one that had keyed hashes whose
    // key check is gone. `seal_existing` false: a chain with events and no key yet is left as it is (keyed: false).
    static workflow::result<audit_seal_report> bind_key(connection& c, const audit_key& key, bool seal_existing = true);

private:
    database& db_;
};

} // namespace checkpoint::storage
