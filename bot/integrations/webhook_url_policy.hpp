#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot {

// Why a webhook URL may not be used, or nothing when it may. HTTPS goes anywhere; plain http://
// only to loopback and internal hosts (private address ranges, `.internal`, `.local`, single-label
// names), so a grant never crosses the internet unencrypted.
std::optional<std::string> refuse_webhook_url(std::string_view url);

} // namespace checkpoint::bot
