#pragma once

#include "workflow/directory_overlay.hpp"
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

// The manifests in force, swapped whole by a reload or a directory change: the manifests read from the folder
// (the base) with the directory records of SCIM and imports laid over (workflow::lay_over). A use case pins one
// snapshot (`now()`) and reads only it, so no request sees half of one version and half of the next; a snapshot
// lives as long as someone holds it.
class live_manifests {
public:
    using snapshot = std::shared_ptr<const workflow::manifests>;

    explicit live_manifests(workflow::manifests initial, manifests_version version = {});

    snapshot now() const;
    manifests_version version() const;
    // Puts `next` in force as the base, with the directory records in force laid over it; requests that pinned
    // the previous snapshot finish on it.
    void replace(workflow::manifests next, manifests_version version);
    // Puts `records` in force over the same base.
    void lay(workflow::directory_overlay records);
    // `base` with the directory records in force laid over it: what replace(base) would put in force.
    workflow::manifests composed(const workflow::manifests& base) const;
    workflow::directory_overlay records() const;
    // The folder's manifests in force, without the records.
    snapshot base() const;
    // The base in force with `records` laid over it: what lay(records) would put in force.
    workflow::manifests with_records(const workflow::directory_overlay& records) const;

    // One change at a time (a reload, a SCIM call, an import): held from reading what is in force to the swap.
    std::unique_lock<std::mutex> changing() { return std::unique_lock(changing_); }

private:
    std::mutex changing_;
    mutable std::mutex mutex_;
    std::shared_ptr<const workflow::manifests> base_;
    workflow::directory_overlay records_;
    snapshot current_;
    manifests_version version_;
};

} // namespace checkpoint::app
