#pragma once

#include "bot/integrations/integration.hpp"

#include <string>
#include <string_view>

namespace checkpoint::bot {

// Writes each event to the log and succeeds: for demos and non-production bundles, where
// "what would have been provisioned" is the whole point.
class log_integration final : public integration {
public:
    explicit log_integration(std::string name);

    std::string_view name() const noexcept override { return name_; }
    delivery_outcome deliver(const access_event& event) override;

private:
    std::string name_;
};

} // namespace checkpoint::bot
