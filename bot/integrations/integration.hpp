#pragma once

#include "bot/integrations/access_event.hpp"
#include "bot/integrations/delivery_outcome.hpp"

#include <string_view>

namespace checkpoint::bot {

// A provisioner the workers call: carries out one event and says whether it is done, worth
// retrying, or failed for good. Implementations are safe to call from several worker threads at
// once and never throw; every failure is an outcome.
class integration {
public:
    virtual ~integration() = default;

    // The name declared in checkpoint.yaml.
    virtual std::string_view name() const noexcept = 0;
    virtual delivery_outcome deliver(const access_event& event) = 0;
};

} // namespace checkpoint::bot
