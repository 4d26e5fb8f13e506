#include "storage/audit_key.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;

TEST_CASE("the audit key is HMAC-SHA256 and at least 32 bytes")
{
    // Python: hmac.new(b"k" * 32, b"abc", hashlib.sha256).hexdigest()
    const auto key = storage::audit_key::make(std::string(32, 'k')).value();
    CHECK(key->mac("abc") == "af61b693912efc56e2e46f949719ea10a9e80d68f8dcfb84e26cac5330da3c74");
    CHECK(key->check_value() == "02d6a4934d4a9782d45dce080395fa0dc1bd338d361c088bbd7e53f55b183db3");
    CHECK(storage::audit_key::make(std::string(33, 'k')).value()->check_value() != key->check_value());

    auto short_key = storage::audit_key::make(std::string(31, 'k'));
    REQUIRE_FALSE(short_key.has_value());
    CHECK(short_key.error().code == "audit_key_short");
    CHECK_THAT(short_key.error().message, Catch::Contains("at least 32") && !Catch::Contains("kkkk"));
}
