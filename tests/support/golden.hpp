#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace checkpoint::test {

// Compares `actual` with tests/golden/<name>.json; with CHECKPOINT_UPDATE_GOLDEN=1 rewrites the file.
// Returns an empty string when equal, otherwise a description of the difference.
std::string compare_golden(const std::string& name, const boost::json::value& actual);

// Stable, indented JSON for golden files and diffs.
std::string pretty(const boost::json::value& v);

} // namespace checkpoint::test
