#include "bot/api/token_budget.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_map>

namespace checkpoint::bot::api {

struct token_budget::state {
    struct bucket {
        double left = 0;
        workflow::time_point at{};
    };
    std::mutex mutex;
    std::unordered_map<std::int64_t, bucket> buckets;
    std::unordered_map<std::int64_t, std::size_t> waits;
};

token_budget::token_budget(unsigned rate, unsigned burst, std::size_t waits)
    : rate_(rate), burst_(std::max(1u, burst)), waits_(waits), state_(std::make_shared<state>())
{
}

std::optional<std::chrono::seconds> token_budget::spend(std::int64_t id, workflow::time_point now)
{
    if (rate_ == 0)
        return std::nullopt;
    std::lock_guard lock(state_->mutex);
    auto [it, fresh] = state_->buckets.try_emplace(id, state::bucket{static_cast<double>(burst_), now});
    auto& b = it->second;
    if (!fresh && now > b.at) {
        const std::chrono::duration<double> earned = now - b.at;
        b.left = std::min(static_cast<double>(burst_), b.left + earned.count() * rate_);
    }
    if (!fresh)
        b.at = std::max(b.at, now);
    if (b.left >= 1) {
        b.left -= 1;
        return std::nullopt;
    }
    const auto wait = std::ceil((1 - b.left) / rate_);
    return std::chrono::seconds{std::max<long long>(1, static_cast<long long>(wait))};
}

std::shared_ptr<void> token_budget::hold_wait(std::int64_t id)
{
    // What a handle points at: nothing to free, only a count to give back.
    static char held_mark;
    if (waits_ == 0)
        return std::shared_ptr<void>(&held_mark, [](void*) {});
    {
        std::lock_guard lock(state_->mutex);
        auto& held = state_->waits[id];
        if (held >= waits_)
            return nullptr;
        ++held;
    }
    return std::shared_ptr<void>(&held_mark, [s = state_, id](void*) {
        std::lock_guard lock(s->mutex);
        if (auto it = s->waits.find(id); it != s->waits.end() && --it->second == 0)
            s->waits.erase(it);
    });
}

} // namespace checkpoint::bot::api
