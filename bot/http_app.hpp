#pragma once

#include "bot/http.hpp"
#include "bot/metrics.hpp"
#include "bot/slack_endpoint.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::bot {

namespace api {
class api_router;
}
namespace web {
class web_front;
}

// What /readyz checks: each names a dependency and says whether it is usable now.
struct readiness_check {
    std::string name;
    std::function<bool()> ready;
    // Optional: a line on the dependency's state ("connected 2 of 2"), shown under "details".
    std::function<std::string()> detail = {};
};

// Routes a parsed request to its handler and measures it. Pure request → response: no socket here.
class http_app {
public:
    // `offload` runs a task on the application's threads (see service_context::offload); unset, inline.
    http_app(metrics& m, slack_endpoint& slack, std::vector<readiness_check> checks, api::api_router* api = nullptr,
             std::function<void(std::function<void()>)> offload = {}, web::web_front* web = nullptr);

    response handle(const request& req);
    // Like handle(), but answers later, from `ex` (the connection's strand): Slack and the API run off the
    // thread that read the request whenever they need storage or Slack, and a write answers once durable.
    // `peer`: the address the connection came from (the web pages' sign-in asks).
    void handle_async(const request& req, const boost::asio::ip::address& peer, const boost::asio::any_io_executor& ex,
                      std::function<void(response)> done);

    // The largest body accepted for `method` `target`, decided once the header is read.
    std::size_t body_limit(http::verb method, std::string_view target) const;
    // Whether the request whose header is `head` may send a body over max_body_bytes (its route allows one):
    // `done` hears nullopt to read it, or the answer to send instead (401, 403, 429). Called on `ex`, the
    // connection's strand; the token is checked on the application's threads.
    void admit(const request& head, const boost::asio::any_io_executor& ex,
               std::function<void(std::optional<response>)> done);
    // The 413 answer for a body over `limit`.
    response too_large(std::string_view target, std::size_t limit, unsigned version) const;

private:
    response route(const request& req, route_id& id);
    response readyz(const request& req);

    metrics& metrics_;
    slack_endpoint& slack_;
    std::vector<readiness_check> checks_;
    api::api_router* api_;
    std::function<void(std::function<void()>)> offload_;
    web::web_front* web_;
};

} // namespace checkpoint::bot
