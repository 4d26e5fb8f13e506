#pragma once

#include "workflow/clock.hpp"
#include "workflow/error.hpp"

#include <optional>
#include <string>

namespace checkpoint::workflow {

// A Slack user bound to a directory person, as users.info (or the directory) said at `fetched_at`.
struct slack_user {
    std::string slack_id;
    std::string person_id;
    std::string email;
    time_point fetched_at{};
};

// Saves a users.info call per click; entries older than the caller's cut-off are fetched again.
class slack_user_cache {
public:
    virtual ~slack_user_cache() = default;

    virtual result<void> put(const slack_user& u) = 0;
    // Only entries fetched at or after `fresh_since`; older ones read as absent.
    virtual result<std::optional<slack_user>> get(const std::string& slack_id, time_point fresh_since) = 0;
    virtual result<std::optional<slack_user>> by_person(const std::string& person_id) = 0;
};

} // namespace checkpoint::workflow
