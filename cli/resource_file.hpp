#pragma once

#include "cli/config.hpp"
#include "workflow/error.hpp"

#include <boost/json/array.hpp>

#include <string>
#include <string_view>

namespace checkpoint::cli {

// The server's limits for one PUT /resources, checked before anything is sent.
inline constexpr std::size_t max_upload_resources = 10'000;
inline constexpr std::size_t max_upload_bytes = max_read_bytes;

enum class resource_format { json, csv };

// Which format a file is: by its extension (.json, .csv), else by its first non-blank character.
resource_format guess_format(const std::string& file_name, std::string_view text);

// Resources in the shape of PUT /resources ({"kind","id","displayName","labels"}) from:
//  - JSON: an array of objects, an object {"resources": [...]}, or one object; keys kind, id (string or
//    number), displayName (or display_name, name), labels (an object of strings);
//  - CSV with a header row: id, displayName (or display_name, name), kind, and label.<key> columns.
// `default_kind` fills a missing kind. Errors name the item (or CSV line) and the field.
workflow::result<boost::json::array> read_resources(std::string_view text, resource_format format,
                                                    std::string_view default_kind);

// The people of an HR export as POST /directory/import takes them: a CSV with a header row of the columns id, name,
// email, manager, team, active, external_id, slack_id (empty cells left out), or JSON (an array of people, or
// {"people": [...]}), passed on for the server to check.
workflow::result<boost::json::array> read_people(std::string_view text, resource_format format);

} // namespace checkpoint::cli
