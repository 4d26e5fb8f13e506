#include "bot/slack/channel_pacer.hpp"

#include <algorithm>

namespace checkpoint::bot {

namespace {

// Channels whose slot is long free are forgotten past this many entries, to bound memory.
constexpr std::size_t max_tracked_channels = 4096;

} // namespace

channel_pacer::channel_pacer(const workflow::clock& clock, std::chrono::milliseconds interval)
    : clock_(clock), interval_(interval)
{
}

std::optional<std::chrono::milliseconds> channel_pacer::reserve(std::string_view channel, std::string_view key)
{
    const auto now = clock_.now();
    std::lock_guard lock(mutex_);
    if (!key.empty()) {
        if (auto held = held_.find(std::string(key)); held != held_.end()) {
            if (held->second > now)
                return std::chrono::ceil<std::chrono::milliseconds>(held->second - now);
            held_.erase(held);
            return std::nullopt;
        }
    }
    if (next_allowed_.size() >= max_tracked_channels)
        std::erase_if(next_allowed_, [now](const auto& entry) { return entry.second <= now; });
    if (held_.size() >= max_tracked_channels)
        std::erase_if(held_, [this, now](const auto& entry) { return entry.second + interval_ * 60 <= now; });
    auto [it, inserted] = next_allowed_.try_emplace(std::string(channel), now);
    const auto slot = std::max(it->second, now);
    if (slot > now && key.empty())
        return std::chrono::ceil<std::chrono::milliseconds>(slot - now); // no slot held: ask again then
    it->second = slot + interval_;
    if (slot <= now)
        return std::nullopt;
    held_[std::string(key)] = slot;
    return std::chrono::ceil<std::chrono::milliseconds>(slot - now);
}

} // namespace checkpoint::bot
