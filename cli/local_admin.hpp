#pragma once

#include "workflow/error.hpp"

#include <boost/json/object.hpp>

#include <string>

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

} // namespace checkpoint::cli
