#pragma once

#include "workflow/job_queue.hpp"

#include <chrono>

namespace checkpoint::storage {

// The wait before retrying a job that failed on attempt `attempts` (1-based): base·2^(attempts−1),
// capped at max_delay, then scaled by 1 ± jitter according to `unit` (uniform in [0, 1); 0.5 is none).
std::chrono::milliseconds backoff_delay(const workflow::retry_policy& policy, int attempts, double unit);

} // namespace checkpoint::storage
