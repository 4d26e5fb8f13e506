#pragma once

#include "workflow/error.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::admin {

// Where the audit chain's key comes from (README.md, Operations, "Audit chain"): the value of
// CHECKPOINT_AUDIT_KEY, or the file CHECKPOINT_AUDIT_KEY_FILE names; with neither, the key file beside the
// database (<database>.audit-key). Shared by checkpointd and the CLI's host-side commands.
struct audit_key_settings {
    std::string key{};
    std::string key_file{};
};

audit_key_settings audit_key_settings_from(const std::function<std::optional<std::string>(std::string_view)>& env);

// The key beside a database when none is configured.
std::string default_audit_key_file(const std::string& database_path);

// A key found, and where from. `source` names it for messages (never the key itself).
struct audit_secret {
    std::string secret;
    std::string source;
    bool beside_database = false;
    // Made now (beside the database, mode 0600) because there was none.
    bool generated = false;
    // Things an operator should hear (a key file others can read).
    std::vector<std::string> warnings;
};

// The configured key, else the one beside the database; when there is neither, one is made there if
// `generate`, else nullopt. Errors name the variable at fault.
workflow::result<std::optional<audit_secret>> find_audit_key(const audit_key_settings& s,
                                                             const std::string& database_path, bool generate);

// An error opening the database with a key (audit_key_mismatch, audit_seal_missing, …) in words that name
// where the key came from and what to set.
workflow::error explain_audit_key_error(const workflow::error& e, const std::optional<audit_secret>& key);

} // namespace checkpoint::admin
