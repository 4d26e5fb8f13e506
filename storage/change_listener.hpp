#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

namespace checkpoint::storage {

class database;

// What other replicas on the same PostgreSQL database changed, heard through LISTEN/NOTIFY (what the writer
// sends at commit: connection::notify_at_commit) on a connection and a thread of its own. Each notification's
// payload goes to its channel's handler on that thread, so handlers must be quick (wake a worker, post to an
// executor). What this database's own writer told is passed over (its process acted on its commit already: the
// writes wake their own workers and waiters). After a lost connection it
// connects again, and every handler hears "" once (what was sent meanwhile is not known). On SQLite it does
// nothing: one process holds the database.
class change_listener {
public:
    using handler = std::function<void(const std::string& payload)>;
    change_listener(database& db, std::map<std::string, handler> handlers);
    ~change_listener();
    change_listener(const change_listener&) = delete;
    change_listener& operator=(const change_listener&) = delete;

    // Whether it is listening now (tests wait on it before they notify).
    bool listening() const { return listening_; }
    // Notifications handed to handlers so far, and those passed over as this database's own.
    std::uint64_t heard() const { return heard_; }
    std::uint64_t own() const { return own_; }

private:
    void run();

    std::string uri_;
    std::string origin_;
    std::map<std::string, handler> handlers_;
    int stop_pipe_[2] = {-1, -1};
    std::atomic<bool> listening_{false};
    std::atomic<std::uint64_t> heard_{0};
    std::atomic<std::uint64_t> own_{0};
    std::thread thread_;
};

} // namespace checkpoint::storage
