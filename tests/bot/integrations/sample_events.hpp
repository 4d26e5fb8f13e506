#pragma once

#include "bot/integrations/access_event.hpp"
#include "outbound/http_client.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace checkpoint::test {

inline std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int h)
{
    using namespace std::chrono;
    return sys_days{year{y} / month{m} / day{d}} + hours{h};
}

// The access/grant of MANIFESTS.md's example: Mary approves Sam on api-production for 7 days.
inline bot::access_event sample_grant()
{
    bot::access_event e;
    e.kind = bot::event_kind::grant;
    e.actor = bot::event_actor::user("u-1001", "mary@example.com", "Mary Major");
    e.person = bot::event_person{"u-2001", "sam@example.com", "Sam Support"};
    e.resource = {"bundle", "api-production", "api-production", {{"permission_set", "api-production"}}};
    e.reason = "debugging latency spike";
    e.petition_id = "p-42";
    e.expires_at = utc(2026, 11, 29, 10);
    e.duration = std::chrono::days{7};
    e.timestamp = utc(2026, 11, 22, 10);
    e.idempotency_key = "job-17:grant";
    return e;
}

// An outbound::http_client that answers from a script and keeps what it was asked, for tests that need
// no socket (policy refusals, transport failures).
class scripted_client final : public outbound::http_client {
public:
    using answer = std::pair<std::optional<outbound::outbound_response>, std::optional<outbound::transport_failure>>;

    void push(answer a)
    {
        std::lock_guard lock(mutex_);
        answers_.push_back(std::move(a));
    }
    std::vector<outbound::outbound_request> sent() const
    {
        std::lock_guard lock(mutex_);
        return sent_;
    }
    answer send(const outbound::outbound_request& req) override
    {
        std::lock_guard lock(mutex_);
        sent_.push_back(req);
        if (answers_.empty())
            return {outbound::outbound_response{200, {}, "{}"}, std::nullopt};
        answer a = std::move(answers_.front());
        answers_.pop_front();
        return a;
    }

private:
    mutable std::mutex mutex_;
    std::deque<answer> answers_;
    std::vector<outbound::outbound_request> sent_;
};

} // namespace checkpoint::test
