#pragma once

#include <string>

namespace checkpoint::test {

struct test_certificate {
    std::string cert_pem;
    std::string key_pem;
};

// A fresh self-signed P-256 certificate valid for a day, made with OpenSSL at test time, whose
// subjectAltName is `san` (e.g. "DNS:localhost").
test_certificate make_self_signed_certificate(const std::string& san);

} // namespace checkpoint::test
