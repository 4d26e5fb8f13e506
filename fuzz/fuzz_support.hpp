#pragma once

// Shared by the harnesses: the input as text, one fixed "now", and how a broken property fails a run.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace checkpoint::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

// Time is fixed so that every run of an input takes the same path: 2026-11-23T10:00:00Z.
inline std::chrono::system_clock::time_point fixed_now()
{
    using namespace std::chrono;
    return sys_days{year{2026} / November / 23} + hours{10};
}

// A property every answer must have did not hold: abort, so libFuzzer keeps the input as a crash.
[[noreturn]] inline void broken(const char* what)
{
    std::fprintf(stderr, "fuzz: property broken: %s\n", what);
    std::abort();
}

inline void check(bool holds, const char* what)
{
    if (!holds)
        broken(what);
}

} // namespace checkpoint::fuzz
