#include "bot/api/petition_waiters.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace checkpoint::bot::api {

namespace net = boost::asio;

petition_waiters::~petition_waiters()
{
    std::lock_guard lock(mutex_);
    by_id_.clear();
}

bool petition_waiters::wait(const std::string& id, const net::any_io_executor& ex,
                            std::chrono::steady_clock::time_point deadline, std::function<void(bool)> on_wake)
{
    auto e = std::make_shared<entry>(ex);
    e->on_wake = std::move(on_wake);
    e->timer.expires_at(deadline);
    {
        std::lock_guard lock(mutex_);
        if (closed_ || count_ >= max_)
            return false;
        by_id_[id].push_back(e);
        ++count_;
    }
    // A notify() racing this registration posts its cancel to the same strand, so it runs after async_wait.
    e->timer.async_wait([this, id, e](boost::system::error_code ec) {
        remove(id, e);
        e->on_wake(ec != net::error::operation_aborted);
    });
    return true;
}

void petition_waiters::wake(const std::shared_ptr<entry>& e)
{
    net::post(e->timer.get_executor(), [e] { e->timer.cancel(); });
}

void petition_waiters::notify(const std::string& id)
{
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return;
    for (const auto& e : it->second)
        wake(e);
}

void petition_waiters::close()
{
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (const auto& [id, entries] : by_id_)
        for (const auto& e : entries)
            wake(e);
}

bool petition_waiters::closed() const
{
    std::lock_guard lock(mutex_);
    return closed_;
}

std::size_t petition_waiters::size() const
{
    std::lock_guard lock(mutex_);
    return count_;
}

void petition_waiters::remove(const std::string& id, const std::shared_ptr<entry>& e)
{
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return;
    auto& v = it->second;
    if (auto pos = std::find(v.begin(), v.end(), e); pos != v.end()) {
        v.erase(pos);
        --count_;
    }
    if (v.empty())
        by_id_.erase(it);
}

} // namespace checkpoint::bot::api
