#include "bot/slack/channel_pacer.hpp"

namespace checkpoint::bot {

namespace {

// Channels whose slot is long free are forgotten past this many entries, to bound memory.
constexpr std::size_t max_tracked_channels = 4096;

} // namespace

channel_pacer::channel_pacer(const workflow::clock& clock, std::chrono::milliseconds interval)
    : clock_(clock), interval_(interval)
{
}

std::optional<std::chrono::milliseconds> channel_pacer::reserve(std::string_view channel)
{
    const auto now = clock_.now();
    std::lock_guard lock(mutex_);
    if (next_allowed_.size() >= max_tracked_channels)
        std::erase_if(next_allowed_, [now](const auto& entry) { return entry.second <= now; });
    auto [it, inserted] = next_allowed_.try_emplace(std::string(channel), now);
    if (!inserted && it->second > now)
        return std::chrono::ceil<std::chrono::milliseconds>(it->second - now);
    it->second = now + interval_;
    return std::nullopt;
}

} // namespace checkpoint::bot
