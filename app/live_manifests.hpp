#pragma once

#include "workflow/manifests.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace checkpoint::app {

// Which manifests are in force: the content hash of the folder's files, and the git commit when the
// folder is in a git checkout (empty otherwise).
struct manifests_version {
    std::string hash;
    std::string commit;
};

// The manifests in force, swapped whole by a reload. A use case pins one snapshot (`now()`) and reads
// only it, so no request sees half of one version and half of the next; a snapshot lives as long as
// someone holds it.
class live_manifests {
public:
    using snapshot = std::shared_ptr<const workflow::manifests>;

    explicit live_manifests(workflow::manifests initial, manifests_version version = {});

    snapshot now() const;
    manifests_version version() const;
    // Puts `next` in force; requests that pinned the previous snapshot finish on it.
    void replace(workflow::manifests next, manifests_version version);

private:
    mutable std::mutex mutex_;
    snapshot current_;
    manifests_version version_;
};

} // namespace checkpoint::app
