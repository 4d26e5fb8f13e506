#include "app/petition_ids.hpp"

#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>

namespace checkpoint::app {

std::string new_petition_id(workflow::time_point now)
{
    // Crockford-style lowercase base 32: sortable, and no letters that read as digits.
    static constexpr char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
    std::string id(2 + 9 + 5, '0');
    id[0] = 'p';
    id[1] = '-';
    for (int i = 10; i >= 2; --i) {
        id[static_cast<std::size_t>(i)] = alphabet[ms % 32];
        ms /= 32;
    }
    unsigned char bytes[5];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    for (std::size_t i = 0; i < 5; ++i)
        id[11 + i] = alphabet[bytes[i] % 32];
    return id;
}

} // namespace checkpoint::app
