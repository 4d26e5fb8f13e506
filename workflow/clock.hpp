#pragma once

#include <chrono>

namespace checkpoint::workflow {

using time_point = std::chrono::system_clock::time_point;

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
