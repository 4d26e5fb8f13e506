#pragma once

#include <span>
#include <string_view>

namespace checkpoint::storage {

struct migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

// Applied in order at start-up, each in its own transaction with PRAGMA user_version. Never edit a
// shipped migration: add the next number.
std::span<const migration> migrations();

} // namespace checkpoint::storage
