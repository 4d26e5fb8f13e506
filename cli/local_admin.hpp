#pragma once

#include "workflow/error.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace checkpoint::cli {

// Admin work done on the server's own files, without a server or a token. Each returns the same
// JSON the API would (or that --json prints), so one renderer serves both paths.

// `manifests check [DIR]`: {"ok":true,"dir","bundles":n,"people":n} or {"ok":false,"dir","errors":[{file,line,field,message}]}.
boost::json::object check_manifests(const std::string& dir);

// `audit verify --database FILE`: {"ok":true,"events":n} or {"ok":false,"first_bad":seq,"problem":"…"}.
// Refuses a file that does not exist (opening would create an empty one).
workflow::result<boost::json::object> verify_audit_file(const std::string& database_file);

// `db backup FILE --database DB`: a consistent online copy, then its integrity check:
// {"database","backup","integrity":"ok"}. Refuses to overwrite an existing FILE.
workflow::result<boost::json::object> backup_database(const std::string& database_file, const std::string& backup_file);

// `tokens create NAME --database FILE`: the first admin token, made on the file without a server, in the
// same JSON as POST /tokens (the secret shown once). Scopes are checked against the API's; a personal
// token's person must be in the directory under `manifests_dir`. Audited as `token.create`.
workflow::result<boost::json::object> create_token_in_file(const std::string& database_file, const std::string& name,
                                                           const std::string& kind, const std::string& person,
                                                           const std::vector<std::string>& scopes,
                                                           const std::string& manifests_dir);

} // namespace checkpoint::cli
