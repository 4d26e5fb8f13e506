#pragma once

#include <chrono>

namespace checkpoint::workflow {

using time_point = std::chrono::system_clock::time_point;

// The calendar years a time_point (64-bit nanoseconds since 1970) holds whole: a date read from outside
// (a command, a manifest, an API query) in any other year is refused, not overflowed.
inline constexpr int first_year = 1678;
inline constexpr int last_year = 2261;

// Every decision reads time through this, so tests move time instead of sleeping.
class clock {
public:
    virtual ~clock() = default;
    virtual time_point now() const = 0;
};

class system_clock final : public clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to; for tests and simulations.
class manual_clock final : public clock {
public:
    explicit manual_clock(time_point start) : now_(start) {}
    time_point now() const override { return now_; }
    void set(time_point t) { now_ = t; }
    void advance(std::chrono::system_clock::duration d) { now_ += d; }

private:
    time_point now_;
};

} // namespace checkpoint::workflow
