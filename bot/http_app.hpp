#pragma once

#include "bot/http.hpp"
#include "bot/metrics.hpp"
#include "bot/slack_endpoint.hpp"

#include <functional>
#include <string>
#include <vector>

namespace checkpoint::bot {

// What /readyz checks: each names a dependency and says whether it is usable now.
struct readiness_check {
    std::string name;
    std::function<bool()> ready;
};

// Routes a parsed request to its handler and measures it. Pure request → response: no socket here.
class http_app {
public:
    http_app(metrics& m, slack_endpoint& slack, std::vector<readiness_check> checks);

    response handle(const request& req);

private:
    response route(const request& req, route_id& id);
    response readyz(const request& req);

    metrics& metrics_;
    slack_endpoint& slack_;
    std::vector<readiness_check> checks_;
};

} // namespace checkpoint::bot
