#pragma once

#include "workflow/error.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace checkpoint::admin {

// Admin work done on the server's own files, on its host, without a server or a token: the CLI's
// host-side commands and `checkpointd --create-token`. The one place outside checkpointd's composition
// root that opens the database; it calls the application layer as the API does. Each returns the same
// JSON the API would (or that --json prints), so one renderer serves both paths.

// `manifests check [DIR]`: {"ok":true,"dir","bundles":n,"people":n} or {"ok":false,"dir","errors":[{file,line,field,message}]}.
boost::json::object check_manifests(const std::string& dir);

// `audit verify --database FILE`: {"ok":true,"events":n} or {"ok":false,"first_bad":seq,"problem":"…"}.
// Refuses a file that does not exist (opening would create an empty one).
workflow::result<boost::json::object> verify_audit_file(const std::string& database_file);

// `db backup FILE --database DB`: a consistent online copy, then its integrity check:
// {"database","backup","integrity":"ok"}. Refuses to overwrite an existing FILE.
workflow::result<boost::json::object> backup_database(const std::string& database_file, const std::string& backup_file);

// `tokens create NAME --database FILE` and `checkpointd --create-token`: the first admin token, made on
// the file without a server, in the same JSON as POST /tokens (the secret shown once). Checked as the
// API checks it (app::check_token_request; a personal token's person must be in the directory under
// `manifests_dir`) before the database is opened; audited as `token.create` by `actor`. Errors with
// code "usage" name the option at fault (--kind, --person, --scopes) and what it accepts.
enum class open_mode { existing, create };
workflow::result<boost::json::object> create_token_in_file(const std::string& database_file, open_mode mode,
                                                           const std::string& name, const std::string& kind,
                                                           const std::string& person,
                                                           const std::vector<std::string>& scopes,
                                                           const std::string& manifests_dir, const std::string& actor);

} // namespace checkpoint::admin
