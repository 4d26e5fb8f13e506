#pragma once

#include "admin/audit_key_file.hpp"
#include "workflow/error.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::admin {

// Admin work done on the server's own files, on its host, without a server or a token: the CLI's
// host-side commands and `checkpointd --create-token`. The one place outside checkpointd's composition
// root that opens the database; it calls the application layer as the API does. Each returns the same
// JSON the API would (or that --json prints), so one renderer serves both paths.

// `manifests check [DIR]`: {"ok":true,"dir","bundles":n,"people":n} or {"ok":false,"dir","errors":[{file,line,field,message}]}.
boost::json::object check_manifests(const std::string& dir);

// `audit verify --database FILE [--anchor SEQ:HASH]`: the API's answer to GET /audit/verify:
// {"ok":true,"events":n,"keyed":true,"sealed_before_key":n,"anchor":{…}} or {"ok":false,"first_bad":seq,"problem":"…",…}.
// The key comes from `key` (the server's CHECKPOINT_AUDIT_KEY or _FILE), else from beside the database; a keyed
// chain without it, or with another key, is an error saying so. `told`: anchors as posted in the security
// channel ("SEQ:HASH"), checked as the recorded ones are. Refuses a file that does not exist (opening would
// create an empty one). A chain written before keys is verified by its plain hashes and left for checkpointd
// to seal.
workflow::result<boost::json::object> verify_audit_file(const std::string& database_file,
                                                        const audit_key_settings& key = {},
                                                        const std::vector<std::string>& told = {});

// Whether "SEQ:HASH" is an anchor as the security channel shows it; an error (code "usage") saying what it must
// look like.
workflow::result<void> check_told_anchor(std::string_view text);

// `db backup FILE --database DB`: a consistent online copy, then its integrity check:
// {"database","backup","integrity":"ok"}. Refuses to overwrite an existing FILE.
workflow::result<boost::json::object> backup_database(const std::string& database_file, const std::string& backup_file);

// `db copy --from FILE --to postgresql://…`: the SQLite database FILE copied whole into an empty PostgreSQL
// database (storage::copy_database), then the copy opened with FILE's audit key (`key`, else the key beside
// FILE) and its chain verified: {"from","to" (without its password),"tables":[{"table","rows"}],"rows",
// "audit":{…verification…},"key_source"}. An error if the copy's chain does not verify.
workflow::result<boost::json::object> copy_database(const std::string& from_file, const std::string& to,
                                                    const audit_key_settings& key = {});

// `tokens create NAME --database FILE` and `checkpointd --create-token`: the first admin token, made on
// the file without a server, in the same JSON as POST /tokens (the secret shown once). Checked as the
// API checks it (app::check_token_request; a personal token's person must be in the directory under
// `manifests_dir`) before the database is opened; audited as `token.create` by `actor`. Errors with
// code "usage" name the option at fault (--kind, --person, --scopes, --expires) and what it accepts. The audit event is
// keyed with `key` (or the key beside the database; made there with the database in open_mode::create).
enum class open_mode { existing, create };
workflow::result<boost::json::object> create_token_in_file(const std::string& database_file, open_mode mode,
                                                           const std::string& name, const std::string& kind,
                                                           const std::string& person,
                                                           const std::vector<std::string>& scopes,
                                                           const std::string& expires,
                                                           const std::string& manifests_dir, const std::string& actor,
                                                           const audit_key_settings& key = {});

} // namespace checkpoint::admin
