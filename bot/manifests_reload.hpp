#pragma once

#include "app/live_manifests.hpp"
#include "app/policy_changes.hpp"
#include "bot/service_context.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::bot {

// The version of the manifests in `dir`: hex SHA-256 over every file load_manifests reads (its path under
// `dir` and its bytes), and the commit git's HEAD names when `dir` is inside a git checkout (read from the
// repository's files; empty otherwise).
app::manifests_version manifests_version_of(const std::filesystem::path& dir);

// The manifests in `dir`, validated, with their version; or every problem (file:line), and nothing.
struct manifests_read {
    std::optional<workflow::manifests> manifests;
    app::manifests_version version;
    std::vector<loader::manifest_error> problems;
};
manifests_read read_manifests(const std::filesystem::path& dir);

// A reload of the manifests folder the service runs on (SIGHUP, POST /api/v1/manifests/reload): invalid
// manifests leave the old ones in force and list every problem; valid ones go through app::reload_manifests.
// One reload at a time; each is logged.
struct reload_answer {
    std::optional<app::reload_result> done;
    std::vector<loader::manifest_error> problems;
    std::optional<workflow::error> refused;
};
reload_answer reload_from_disk(service_context& ctx, const std::string& by, const workflow::origin& via);

} // namespace checkpoint::bot
