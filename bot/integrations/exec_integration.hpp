#pragma once

#include "bot/integrations/integration.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot {

struct exec_settings {
    // The program and its arguments; run directly, never through a shell.
    std::vector<std::string> command;
    // Past this the whole process group is killed and the delivery fails for good.
    std::chrono::milliseconds timeout{30'000};
};

// The exit status a command uses to ask for a retry (sysexits.h EX_TEMPFAIL).
inline constexpr int exit_tempfail = 75;

// Runs a command per event: the event JSON on stdin; CHECKPOINT_EVENT, CHECKPOINT_IDEMPOTENCY_KEY
// and a minimal PATH as its whole environment; its own process group, so a timeout kills
// everything it started. Exit 0 is done, 75 retry, anything else (or the timeout) permanent.
class exec_integration final : public integration {
public:
    exec_integration(std::string name, exec_settings settings);

    std::string_view name() const noexcept override { return name_; }
    delivery_outcome deliver(const access_event& event) override;

private:
    std::string name_;
    exec_settings settings_;
};

} // namespace checkpoint::bot
