#pragma once

#include <span>
#include <string_view>

namespace checkpoint::bot::web {

// A file of web/ as built into checkpointd (bot/web/embed_assets.cmake writes the table at build time), so the
// service needs no folder of its own at run time and no Node toolchain ever.
struct embedded_asset {
    // Its name under web/, e.g. "app.js".
    std::string_view name;
    std::string_view bytes;
};

std::span<const embedded_asset> embedded_assets();

} // namespace checkpoint::bot::web
