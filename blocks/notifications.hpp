#pragma once

#include "workflow/catalog.hpp"
#include "workflow/directory.hpp"
#include "workflow/petition.hpp"

#include <boost/json/object.hpp>

#include <string_view>

namespace checkpoint::blocks {

struct notice_context {
    // Names of people who are not on the route (a revoker from the owning team).
    const workflow::directory* directory = nullptr;
    // The bundle behind the petition, for "you can now use …"; null for resources or when unknown.
    const workflow::bundle* bundle = nullptr;
};

// The message for a notify_person or notify_channel effect. `recipient_id` is the person told (the
// requester; a reviewer for reminder and reassigned); empty for a channel (the security channel's
// break-glass notice). Every notice has its words; reviewers get Approve / Deny, expiring gets Extend.
boost::json::object notice_message(const workflow::petition& p, workflow::notice what, std::string_view recipient_id,
                                   const notice_context& ctx = {});

} // namespace checkpoint::blocks
