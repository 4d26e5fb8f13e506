#pragma once

#include "bot/integrations/integration.hpp"
#include "outbound/http_client.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/settings.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace checkpoint::bot {

// What integrations are built with; all of it outlives them (main owns it).
struct integration_context {
    outbound::http_client& http;
    const workflow::clock& clock;
};

// The runtime integration for one declaration in checkpoint.yaml. A webhook URL that policy
// refuses (plain http:// to a public host) is an error here, at start-up, not at the first grant;
// a missing secret is only warned about, since it is read at each delivery.
workflow::result<std::unique_ptr<integration>> make_integration(const workflow::integration& decl,
                                                                const integration_context& ctx);

using integration_map = std::map<std::string, std::unique_ptr<integration>, std::less<>>;

// Every declared integration, by name; the first refused declaration is the error.
workflow::result<integration_map> make_integrations(const workflow::settings& settings, const integration_context& ctx);

} // namespace checkpoint::bot
