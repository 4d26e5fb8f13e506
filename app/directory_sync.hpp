#pragma once

#include "app/access_service.hpp"
#include "app/live_manifests.hpp"
#include "app/policy_changes.hpp"
#include "workflow/clock.hpp"
#include "workflow/directory_store.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/token_store.hpp"

#include <string>

namespace checkpoint::app {

// The directory as the identity provider (SCIM) and HR exports change it: records stored in the database and laid
// over the manifests' directory (workflow::lay_over), in force at once. A change that takes people out of the
// directory (deactivated, or a record deleted) ends what they hold: their grants revoked, their waiting requests
// withdrawn, the approvals waiting on them re-routed (follow_change) and their personal API tokens revoked, each
// audited; the change itself is audited with what it changed.
class directory_sync {
public:
    directory_sync(live_manifests& live, workflow::directory_store& store, access_service& access,
                   workflow::petition_store& petitions, workflow::token_store& tokens, workflow::audit_log& audit,
                   const workflow::clock& clock);

    // At start: the stored records laid over the manifests, and what deactivated people still hold ended (a
    // change whose effects a crash cut short is finished here).
    workflow::result<reload_result> load();

    // The records in force.
    workflow::directory_overlay records() const { return live_.records(); }

    // `c` stored (audited as `action`, "directory.scim" or "directory.imported", with what it changes), put in force
    // and followed. `out.diff` says what changed in the directory; rerouted, ended and failures what it did.
    workflow::result<reload_result> apply(const workflow::directory_change& c, const std::string& action,
                                          const std::string& by, const workflow::origin& via);

    // What `c` would do, replayed over the requests of the last `since`: nothing is stored.
    workflow::result<workflow::policy_preview> preview(const workflow::directory_change& c, workflow::duration since);

private:
    // Ends the personal tokens of `people`, audited; failures are added to `out`.
    void stop_tokens(const std::vector<std::string>& people, const std::string& why, const workflow::origin& via,
                     reload_result& out);

    live_manifests& live_;
    workflow::directory_store& store_;
    access_service& access_;
    workflow::petition_store& petitions_;
    workflow::token_store& tokens_;
    workflow::audit_log& audit_;
    const workflow::clock& clock_;
};

} // namespace checkpoint::app
