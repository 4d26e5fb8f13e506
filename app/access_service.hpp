#pragma once

#include "app/live_manifests.hpp"
#include "workflow/away_store.hpp"
#include "workflow/clock.hpp"
#include "workflow/intent.hpp"
#include "workflow/manifests.hpp"
#include "workflow/petition.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/resource_store.hpp"
#include "workflow/route.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::app {

// The one API behind Slack, the CLI and the REST API: decides with workflow/, stores each
// transition with its audit event and jobs in one transaction, and wakes the workers.
class access_service {
public:
    // With `resources`, a request for `kind:id` must name a resource that was uploaded or synced.
    access_service(const live_manifests& manifests, const workflow::clock& clock,
                   workflow::petition_store& petitions, std::function<void()> wake_workers,
                   workflow::resource_store* resources = nullptr);

    // How an asynchronous use case ended. It runs on the store's writer thread when the write happened,
    // else on the caller's: hand anything slow (rendering, I/O) to another thread.
    template <class T>
    using then = std::function<void(workflow::result<T>)>;

    // Files a request for `requester` (a person id): decided, then stored pending or approved at once.
    // Returns once the write is queued; `done` hears the stored petition (or why not) once it is durable.
    // `filed_by`: an event recorded with the filing when someone else files it (a service token for a
    // person); its petition_id is filled in.
    void submit(const std::string& requester, const workflow::intent::request& r, then<workflow::petition> done,
                std::optional<workflow::audit_event> filed_by = std::nullopt);
    // The same, waiting until the request is durable.
    workflow::result<workflow::petition> submit(const std::string& requester, const workflow::intent::request& r,
                                                std::optional<workflow::audit_event> filed_by = std::nullopt);

    // Applies `event` to petition `id` with compare-and-set; a concurrent change is re-read and the
    // event re-applied (two reviewers at once both count), a repeat is refused by the state machine.
    void act(const std::string& id, const workflow::event& event, then<workflow::transition> done);
    workflow::result<workflow::transition> act(const std::string& id, const workflow::event& event);

    // Asks for `added` more on an active grant; re-decided on the total length.
    void extend(const std::string& id, const std::string& by, workflow::duration added, const std::string& reason,
                const workflow::origin& via, then<workflow::transition> done);
    workflow::result<workflow::transition> extend(const std::string& id, const std::string& by,
                                                  workflow::duration added, const std::string& reason,
                                                  const workflow::origin& via);

    // Where out of office set at run time (`/checkpoint ooo`) is kept; without one, the manifests alone
    // say who is away, and set_away() refuses.
    void use_away_store(workflow::away_store& store) { away_ = &store; }
    // `person` is away from now until `until` (nullopt: until further notice), with `delegate` (a person
    // id, or empty) approving in their place; nullopt `until_and_delegate` means back now. Stored with its
    // audit event in one transaction; returns what was stored.
    struct away_request {
        std::optional<workflow::time_point> until;
        std::string delegate;
    };
    workflow::result<std::optional<workflow::out_of_office>> set_away(const std::string& person,
                                                                      const std::optional<away_request>& away,
                                                                      const workflow::origin& via);
    // The person's out of office in effect now: set at run time, else the manifests'; nullopt when not away.
    workflow::result<std::optional<workflow::out_of_office>> away_of(const std::string& person);
    // The route a request would take now, with the out-of-office overlay (explain, the form's hints).
    workflow::result<workflow::route> explain(const std::string& person, std::string_view target,
                                              std::optional<workflow::duration> length);

    workflow::result<workflow::petition> get(const std::string& id);
    // The person's latest petitions, newest first.
    workflow::result<std::vector<workflow::petition>> mine(const std::string& person, std::size_t limit = 20);
    // The person's newest petition that holds `target` (access approved, being set up, or active).
    workflow::result<std::optional<workflow::petition>> holding(const std::string& person, const std::string& target);
    // Pending petitions the person may decide now.
    workflow::result<std::vector<workflow::petition>> awaiting(const std::string& person, std::size_t limit = 50);

    // Called after each committed transition with the petition as stored (long-poll waits listen here).
    // Set once, before requests or workers start.
    void on_change(std::function<void(const workflow::petition&)> f) { on_change_ = std::move(f); }

    // Out of office set at run time, to lay over the manifests' (empty without an away store).
    workflow::result<workflow::away_overlay> away_now();
    // The manifests in force now.
    live_manifests::snapshot manifests() const { return live_.now(); }
    const workflow::clock& clock() const { return clock_; }

private:
    // For a resource route: why it cannot be filed when the resource is not in the store (or cannot be
    // read); else the resource's display name goes on the route, for cards and messages.
    std::optional<workflow::error> resolve_resource(workflow::route& route);
    void file_attempt(workflow::route route, workflow::intent::request r, int attempt, then<workflow::petition> done,
                      std::optional<workflow::audit_event> filed_by);
    void act_round(std::string id, workflow::event event, int round, then<workflow::transition> done);

    const live_manifests& live_;
    const workflow::clock& clock_;
    workflow::petition_store& petitions_;
    std::function<void()> wake_workers_;
    std::function<void(const workflow::petition&)> on_change_;
    workflow::resource_store* resources_;
    workflow::away_store* away_ = nullptr;
};

// Whether `person` is a reviewer of the step `p` is waiting on now (for "pending" lists).
bool reviews_current_step(const workflow::petition& p, const std::string& person);

} // namespace checkpoint::app
