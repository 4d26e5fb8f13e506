#pragma once

#include "workflow/catalog.hpp"
#include "workflow/directory.hpp"
#include "workflow/petition.hpp"

#include <boost/json/object.hpp>

#include <span>
#include <string_view>

namespace checkpoint::blocks {

struct home_input {
    // Whose home it is (a directory person id).
    std::string_view person_id;
    // The person's own petitions: live access and open requests (others are ignored).
    std::span<const workflow::petition> mine;
    // Petitions whose current step waits on the person.
    std::span<const workflow::petition> to_review;
    const workflow::directory* directory = nullptr;
    // The bundles, so live access says what it gives; null leaves that out.
    const workflow::catalog* catalog = nullptr;
};

// The App Home tab (`type: home`, ≤ 100 blocks): a Request access button, my access (Extend, Revoke),
// my open requests (Cancel), approvals waiting on me (Approve, Deny), each with an empty state.
boost::json::object app_home(const home_input& in);

// The Home tab of a Slack user Checkpoint cannot bind to a directory person: what an admin must add.
boost::json::object app_home_unknown(std::string_view slack_user_id, std::string_view email,
                                     std::string_view why = {});

} // namespace checkpoint::blocks
