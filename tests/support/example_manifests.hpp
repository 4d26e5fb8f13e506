#pragma once

#include <chrono>
#include <filesystem>

namespace checkpoint::test {

// The day the example directory (manifests/directory/) is written around: Mary Major and Raj Davis
// are away on it, and the on-call rotation is in its fourth week.
inline constexpr std::chrono::sys_days example_day{std::chrono::year{2026} / std::chrono::November / 23};

// Writes the repository's example manifests into `dir` (created) for a test whose clock reads
// `now`: the settings and bundles as they are, and the directory with every date in it (out of
// office from/until, on-call starts) moved by whole days so that it stands to the day of `now` as
// it stands to example_day in the repository. Tests then route the same way on any calendar day,
// whatever dates the examples carry. Returns `dir`.
std::filesystem::path write_example_manifests(const std::filesystem::path& dir,
                                              std::chrono::system_clock::time_point now);

} // namespace checkpoint::test
