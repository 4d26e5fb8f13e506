#include "storage/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace checkpoint::storage {

std::chrono::milliseconds backoff_delay(const workflow::retry_policy& policy, int attempts, double unit)
{
    using ms = std::chrono::milliseconds;
    const double base = static_cast<double>(std::chrono::duration_cast<ms>(policy.base).count());
    const double cap = static_cast<double>(std::chrono::duration_cast<ms>(policy.max_delay).count());
    // Past 2^30 the cap has long applied; clamping keeps pow() finite.
    const int doublings = std::clamp(attempts - 1, 0, 30);
    const double exponential = std::min(cap, base * std::pow(2.0, doublings));
    const double spread = std::clamp(policy.jitter, 0.0, 1.0) * (2.0 * std::clamp(unit, 0.0, 1.0) - 1.0);
    return ms(static_cast<ms::rep>(std::llround(exponential * (1.0 + spread))));
}

} // namespace checkpoint::storage
