#pragma once

#include "workflow/error.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::storage {

// The secret that keys the audit chain (HMAC-SHA256 through OpenSSL's EVP_MAC). It lives outside the
// database, so a writer of the database alone cannot recompute the chain's keyed hashes. Never logged.
class audit_key {
public:
    // At least 32 bytes (`openssl rand -hex 32` gives 64 characters).
    static constexpr std::size_t min_length = 32;

    // The key made of `secret`'s bytes; an error when it is shorter than min_length.
    static workflow::result<std::shared_ptr<const audit_key>> make(std::string_view secret);

    ~audit_key();
    audit_key(const audit_key&) = delete;
    audit_key& operator=(const audit_key&) = delete;

    // Hex HMAC-SHA256 of `data` under the key.
    std::string mac(std::string_view data) const;
    // A MAC of a fixed text, kept in the database: tells a wrong key from an altered chain without
    // revealing the key.
    std::string check_value() const;

private:
    explicit audit_key(std::string_view secret);

    std::vector<unsigned char> secret_;
};

} // namespace checkpoint::storage
