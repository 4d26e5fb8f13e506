#include "storage/audit_key.hpp"

#include <boost/algorithm/hex.hpp>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <iterator>
#include <stdexcept>

namespace checkpoint::storage {

namespace {

// HMAC, fetched once from the default provider; thread-safe to share (each call has its own context).
EVP_MAC* hmac()
{
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac)
        throw std::runtime_error("OpenSSL has no HMAC (EVP_MAC_fetch failed)");
    return mac;
}

} // namespace

workflow::result<std::shared_ptr<const audit_key>> audit_key::make(std::string_view secret)
{
    if (secret.size() < min_length)
        return workflow::error{"audit_key_short", "the audit key is " + std::to_string(secret.size()) +
                                                      " bytes; it must be at least " + std::to_string(min_length) +
                                                      " (make one with `openssl rand -hex 32`)"};
    return std::shared_ptr<const audit_key>(new audit_key(secret));
}

audit_key::audit_key(std::string_view secret) : secret_(secret.begin(), secret.end()) {}

audit_key::~audit_key() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

std::string audit_key::mac(std::string_view data) const
{
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(hmac()), &EVP_MAC_CTX_free);
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), secret_.data(), secret_.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1)
        throw std::runtime_error("HMAC-SHA256 failed");
    std::string hex;
    boost::algorithm::hex_lower(out.data(), out.data() + len, std::back_inserter(hex));
    return hex;
}

std::string audit_key::check_value() const { return mac("checkpoint audit key check v1"); }

} // namespace checkpoint::storage
