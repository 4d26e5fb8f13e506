#include "app/live_manifests.hpp"

namespace checkpoint::app {

live_manifests::live_manifests(workflow::manifests initial, manifests_version version)
    : base_(std::make_shared<const workflow::manifests>(std::move(initial))), current_(base_),
      version_(std::move(version))
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
    auto base = std::make_shared<const workflow::manifests>(std::move(next));
    auto records = this->records();
    auto fresh = records.empty() ? base : std::make_shared<const workflow::manifests>(workflow::lay_over(*base, records));
    std::lock_guard lock(mutex_);
    base_ = std::move(base);
    current_ = std::move(fresh);
    version_ = std::move(version);
}

void live_manifests::lay(workflow::directory_overlay records)
{
    std::shared_ptr<const workflow::manifests> base;
    {
        std::lock_guard lock(mutex_);
        base = base_;
    }
    auto fresh = records.empty() ? base : std::make_shared<const workflow::manifests>(workflow::lay_over(*base, records));
    std::lock_guard lock(mutex_);
    records_ = std::move(records);
    current_ = std::move(fresh);
}

workflow::manifests live_manifests::composed(const workflow::manifests& base) const
{
    return workflow::lay_over(base, records());
}

workflow::manifests live_manifests::with_records(const workflow::directory_overlay& records) const
{
    std::shared_ptr<const workflow::manifests> base;
    {
        std::lock_guard lock(mutex_);
        base = base_;
    }
    return workflow::lay_over(*base, records);
}

live_manifests::snapshot live_manifests::base() const
{
    std::lock_guard lock(mutex_);
    return base_;
}

workflow::directory_overlay live_manifests::records() const
{
    std::lock_guard lock(mutex_);
    return records_;
}

} // namespace checkpoint::app
