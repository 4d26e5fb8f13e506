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
// The same numbers for PostgreSQL (storage/pg_migrations.cpp), each in its own transaction with the
// checkpoint_schema row, under the advisory lock database::open takes.
std::span<const migration> pg_migrations();

} // namespace checkpoint::storage
