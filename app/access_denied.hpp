#pragma once

#include "workflow/access_denied.hpp"
#include "workflow/audit_log.hpp"
#include "workflow/manifests.hpp"
#include "workflow/origin.hpp"
#include "workflow/petition_store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace checkpoint::app {

// A failed access attempt, as a log shipper or an integration reports it.
struct denied_attempt {
    // A person reference: directory id, external id or email.
    std::string person;
    // What was denied: a bundle name, a provisioning value ("api-prod-s3-read"), or "key: value".
    std::string entitlement;
    // Where (optional): "aws", "kubernetes", …
    std::string system{};
    // The denial as the system said it (optional, bounded by the caller).
    std::string detail{};
};

struct denied_answer {
    std::string person_id;
    std::string person_name;
    // Best first (workflow::bundles_granting).
    std::vector<workflow::denied_match> matches;
    // The bundle suggested to the person: the best one they do not hold; empty when none.
    std::string suggested;
    // Whether a DM with a Request button was queued now (one per person, bundle and hour).
    bool told = false;
};

// Records the attempt in the audit log ("access.denied", the person as subject, the bundles that would grant
// it) and, when a bundle they neither hold nor wait on grants it, queues a DM suggesting it with a Request button, in the
// same write, at most once an hour per person and bundle. `actor`: who reported it (a token).
workflow::result<denied_answer> report_access_denied(const workflow::manifests& m, workflow::petition_store& petitions,
                                                     workflow::audit_log& audit, const denied_attempt& a,
                                                     const std::string& actor, const workflow::origin& via,
                                                     workflow::time_point now);

} // namespace checkpoint::app
