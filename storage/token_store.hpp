#pragma once

#include "storage/database.hpp"
#include "workflow/token_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::storage {

using workflow::api_token;
using workflow::new_token;

// API bearer tokens in SQLite, stored as the SHA-256 of the secret.
class token_store final : public workflow::token_store {
public:
    explicit token_store(database& db) : db_(db) {}

    workflow::result<new_token> create(const api_token& spec, workflow::time_point now,
                                       const workflow::audit_event& audit, const teller& tell) override;
    workflow::result<std::optional<api_token>> find_by_secret(std::string_view secret) override;
    workflow::result<std::vector<api_token>> list() override;
    workflow::result<bool> revoke(std::int64_t id, workflow::time_point now,
                                  const workflow::audit_event& audit) override;
    workflow::result<void> touch(const api_token& t, workflow::time_point now) override;

    // `prefix` + 40 characters of [0-9A-Za-z] from OpenSSL's RAND_bytes (`cpt_` for tokens, `cps_` for web
    // sessions).
    static std::string generate_secret(std::string_view prefix = "cpt_");
    // Lower-case hex SHA-256 of the secret, as stored.
    static std::string hash_of(std::string_view secret);
    // Whether `s` has the shape of a secret with `prefix` (so junk is refused without a query).
    static bool looks_like_token(std::string_view s, std::string_view prefix = "cpt_");

private:
    database& db_;
};

} // namespace checkpoint::storage
