#pragma once

#include "app/access_service.hpp"
#include "app/live_manifests.hpp"
#include "app/policy_changes.hpp"
#include "workflow/clock.hpp"
#include "workflow/directory_store.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/token_store.hpp"

#include <functional>
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

    // At start: the stored records laid over the manifests; then a change whose following a stop cut short is
    // followed now, and what deactivated people still hold is ended.
    workflow::result<reload_result> load();
    // Another replica stored a change (its effects are its to follow): the records laid over the manifests again.
    workflow::result<void> refresh();

    // The records in force.
    workflow::directory_overlay records() const { return live_.records(); }

    // What `make` decides from the records in force (read and written under one lock, so two writers never
    // undo each other; it may throw to refuse), bound to its people (workflow::bind_record), checked (no two
    // people sharing an email, external id or Slack id: conflict), stored with its audit event `action`
    // ("directory.scim", "directory.imported") and what it changes, put in force and followed. `out.diff` says
    // what changed; rerouted, ended and failures what it did. `written` receives the change as stored.
    using change_maker = std::function<workflow::directory_change(const workflow::directory_overlay& in_force)>;
    workflow::result<reload_result> apply(const change_maker& make, const std::string& action, const std::string& by,
                                          const workflow::origin& via, workflow::directory_change* written = nullptr);

    // Where a reload notes whom it takes out of the directory before ending their access (reload_manifests).
    workflow::directory_store& journal() { return store_; }

    // What `c` would do, replayed over the requests of the last `since`: nothing is stored.
    workflow::result<workflow::policy_preview> preview(const workflow::directory_change& c, workflow::duration since);

private:
    // Ends the personal tokens of `people`, audited; failures are added to `out`.
    void stop_tokens(const std::vector<std::string>& people, const std::string& why, const workflow::origin& via,
                     reload_result& out);
    // `c` with every record bound to its person.
    workflow::directory_change bound(workflow::directory_change c, const workflow::directory_overlay& in_force) const;

    live_manifests& live_;
    workflow::directory_store& store_;
    access_service& access_;
    workflow::petition_store& petitions_;
    workflow::token_store& tokens_;
    workflow::audit_log& audit_;
    const workflow::clock& clock_;
};

} // namespace checkpoint::app
