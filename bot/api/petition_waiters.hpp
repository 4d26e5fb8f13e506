#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace checkpoint::bot::api {

// Long-poll waits on petitions, without a thread each: a timer on the waiting connection's strand,
// woken early by notify() when a transition of that petition commits. Bounded in number.
class petition_waiters {
public:
    explicit petition_waiters(std::size_t max_waiters = 10'000) : max_(max_waiters) {}
    ~petition_waiters();
    petition_waiters(const petition_waiters&) = delete;
    petition_waiters& operator=(const petition_waiters&) = delete;

    // Calls `on_wake(timed_out)` once, on `ex`: when notify(id) is called or at `deadline`.
    // Call it from `ex` (the connection's strand). False, and nothing registered, when full or closed.
    bool wait(const std::string& id, const boost::asio::any_io_executor& ex,
              std::chrono::steady_clock::time_point deadline, std::function<void(bool timed_out)> on_wake);
    // Wakes every wait on `id`; safe from any thread.
    void notify(const std::string& id);
    // Shutdown: wakes every wait and refuses new ones, so they are answered now instead of at their timeout.
    void close();
    bool closed() const;
    std::size_t size() const;
    std::size_t capacity() const { return max_; }

private:
    struct entry {
        explicit entry(const boost::asio::any_io_executor& ex) : timer(ex) {}
        boost::asio::steady_timer timer;
        std::function<void(bool)> on_wake;
    };
    void remove(const std::string& id, const std::shared_ptr<entry>& e);
    static void wake(const std::shared_ptr<entry>& e);

    const std::size_t max_;
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<std::shared_ptr<entry>>, std::less<>> by_id_;
    std::size_t count_ = 0;
    bool closed_ = false;
};

} // namespace checkpoint::bot::api
