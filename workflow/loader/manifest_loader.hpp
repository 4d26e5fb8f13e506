#pragma once

#include "workflow/manifests.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace checkpoint::loader {

// One problem in the manifests: where it is, which field, and what is allowed instead.
struct manifest_error {
    // As given under the manifests folder, e.g. "manifests/bundles/api-production.yaml".
    std::string file;
    // 1-based; 0 when the problem is the file as a whole.
    std::size_t line = 0;
    // "durations.max", "people[3].manager_id"; empty for the file as a whole.
    std::string field;
    std::string message;
};

struct manifest_errors {
    std::vector<manifest_error> errors;
};

// Found by result<T, manifest_errors>::value() through ADL.
[[noreturn]] void throw_exception_from_error(const manifest_errors& e, const boost::source_location& loc);

using load_result = boost::system::result<workflow::manifests, manifest_errors>;

// Reads `<dir>/checkpoint.yaml`, `<dir>/bundles/*.yaml` and `<dir>/directory/*.yaml`, validates
// everything, and returns every problem at once, sorted by file and line. Secrets are never read:
// integrations name their environment variable and the worker reads it when it calls out.
load_result load_manifests(const std::filesystem::path& dir);

// The files load_manifests reads, in the order it reads them: checkpoint.yaml, then directory/ and bundles/
// (*.yaml and *.yml, by name). What a manifests version is the hash of.
std::vector<std::filesystem::path> manifest_files(const std::filesystem::path& dir);

// `manifests/bundles/x.yaml:7: durations.max: "3x" is not a duration; use forms like …`
std::string format(const manifest_error& e);
// One error a line, each ending in a newline.
std::string format(const manifest_errors& e);

} // namespace checkpoint::loader
