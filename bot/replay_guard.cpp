#include "bot/replay_guard.hpp"

#include "bot/slack_signature.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

namespace checkpoint::bot {

std::size_t replay_guard::key_hash::operator()(const key& k) const noexcept
{
    return std::hash<std::string_view>{}(std::string_view(k.data(), k.size()));
}

bool replay_guard::first_use(std::string_view signature, workflow::time_point sent, workflow::time_point now)
{
    if (signature.starts_with("v0="))
        signature.remove_prefix(3);
    key k{};
    std::memcpy(k.data(), signature.data(), std::min(k.size(), signature.size()));

    std::lock_guard lock(mutex_);
    const auto horizon = now - slack_replay_window;
    while (!order_.empty() && (order_.front().first < horizon || order_.size() >= capacity_)) {
        seen_.erase(order_.front().second);
        order_.pop_front();
    }
    if (!seen_.insert(k).second)
        return false;
    order_.emplace_back(sent, k);
    return true;
}

std::size_t replay_guard::size() const
{
    std::lock_guard lock(mutex_);
    return seen_.size();
}

} // namespace checkpoint::bot
