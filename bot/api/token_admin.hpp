#pragma once

#include "storage/database.hpp"
#include "workflow/error.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace checkpoint::bot::api {

// A token made on the database file itself, by someone on the server's host: `checkpointd
// --create-token` and `checkpoint tokens create --database`. Checks the name, the scopes and (for a
// personal token) the person against the directory in `manifests_dir`; stores the token hashed and
// audits it as `actor`. The database is opened (`open_db`) only once the request checks out. The JSON is token_json with the secret, shown this once. Errors with code
// "usage" name the option at fault and what it accepts.
using database_opener = std::function<workflow::result<std::unique_ptr<storage::database>>()>;

workflow::result<boost::json::object> create_token_on(const database_opener& open_db, const std::string& name,
                                                      const std::string& kind, const std::string& person,
                                                      const std::vector<std::string>& scopes,
                                                      const std::string& manifests_dir, const std::string& actor);

} // namespace checkpoint::bot::api
