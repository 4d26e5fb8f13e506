#include "storage/change_listener.hpp"

#include "storage/database.hpp"
#include "storage/pg_connection.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <poll.h>
#include <unistd.h>

namespace checkpoint::storage {

namespace {

// Waits for `fd` to be readable or the stop pipe to be written; false when asked to stop. `timeout_ms` -1: no limit.
bool wait_readable(int fd, int stop_fd, int timeout_ms)
{
    pollfd fds[2] = {{stop_fd, POLLIN, 0}, {fd, POLLIN, 0}};
    const int n = poll(fds, fd < 0 ? 1 : 2, timeout_ms);
    return !(n > 0 && (fds[0].revents & POLLIN));
}

} // namespace

change_listener::change_listener(database& db, std::map<std::string, handler> handlers)
    : handlers_(std::move(handlers))
{
    if (db.backend() != backend::postgresql || handlers_.empty())
        return;
    uri_ = db.path();
    origin_ = db.notification_origin();
    if (pipe(stop_pipe_) != 0)
        throw std::runtime_error("change_listener: cannot make a pipe");
    thread_ = std::thread([this] { run(); });
}

change_listener::~change_listener()
{
    if (thread_.joinable()) {
        const char one = 1;
        (void)!write(stop_pipe_[1], &one, 1);
        thread_.join();
    }
    for (int fd : stop_pipe_)
        if (fd >= 0)
            close(fd);
}

void change_listener::run()
{
    int failures = 0;
    for (;;) {
        try {
            pg_connection c(uri_);
            std::map<std::string, const handler*> by_server_name;
            for (const auto& [channel, h] : handlers_) {
                const auto name = c.server_channel(channel);
                c.exec_script("LISTEN \"" + name + "\"");
                by_server_name[name] = &h;
            }
            listening_ = true;
            if (failures > 0)
                spdlog::info("database: listening for other replicas' changes again");
            failures = 0;
            // Whatever was told while nobody listened is unknown: every handler looks once.
            for (const auto& [channel, h] : handlers_)
                h("");
            for (;;) {
                if (!wait_readable(PQsocket(c.raw()), stop_pipe_[0], -1))
                    return;
                if (PQconsumeInput(c.raw()) == 0)
                    throw sql_error(PQerrorMessage(c.raw()));
                while (PGnotify* n = PQnotifies(c.raw())) {
                    const std::string channel = n->relname;
                    auto payload = notification_payload(n->extra ? n->extra : "", origin_);
                    PQfreemem(n);
                    auto it = by_server_name.find(channel);
                    if (it == by_server_name.end())
                        continue;
                    if (!payload) {
                        ++own_;
                        continue;
                    }
                    ++heard_;
                    (*it->second)(*payload);
                }
            }
        } catch (const std::exception& e) {
            listening_ = false;
            if (failures++ == 0)
                spdlog::warn("database: not hearing other replicas' changes ({}); trying again", e.what());
        }
        // 0.1 s, doubling to 5 s, between attempts; jobs still run on each replica's own timer meanwhile.
        const int wait_ms = std::min(5000, 100 << std::min(failures, 6));
        if (!wait_readable(-1, stop_pipe_[0], wait_ms))
            return;
    }
}

} // namespace checkpoint::storage
