#pragma once

#include "workflow/clock.hpp"

#include <atomic>
#include <string>

namespace checkpoint::bot {

// The system clock moved by an offset read from a file: lets end-to-end tests run the real binary
// days ahead (an expiry, a reminder) without waiting. Enabled only by --clock-offset-file.
class offset_clock final : public workflow::clock {
public:
    explicit offset_clock(std::string path);

    workflow::time_point now() const override;
    // Re-reads the file (whole seconds, may be negative); false with the offset unchanged if unreadable.
    bool reload();

private:
    std::string path_;
    std::atomic<long long> offset_seconds_{0};
};

} // namespace checkpoint::bot
