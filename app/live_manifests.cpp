#include "app/live_manifests.hpp"

namespace checkpoint::app {

live_manifests::live_manifests(workflow::manifests initial, manifests_version version)
    : current_(std::make_shared<const workflow::manifests>(std::move(initial))), version_(std::move(version))
{
}

live_manifests::snapshot live_manifests::now() const
{
    std::lock_guard lock(mutex_);
    return current_;
}

manifests_version live_manifests::version() const
{
    std::lock_guard lock(mutex_);
    return version_;
}

void live_manifests::replace(workflow::manifests next, manifests_version version)
{
    auto fresh = std::make_shared<const workflow::manifests>(std::move(next));
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
    version_ = std::move(version);
}

} // namespace checkpoint::app
