#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/clock.hpp"
#include "workflow/error.hpp"
#include "workflow/grant_store.hpp"
#include "workflow/job_queue.hpp"
#include "workflow/petition.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace checkpoint::workflow {

// A petition's new state with everything that must be durable with it: all of it, or none.
struct petition_write {
    // For apply(): the result of workflow::apply, whose version is one past the stored one.
    workflow::petition petition;
    audit_event audit;
    // Further events recorded with it (a service token filing for a person says so).
    std::vector<audit_event> also_audit;
    // One job per effect (see app/effect_jobs.hpp), enqueued in the same transaction.
    std::vector<job_spec> jobs;
    // Idempotency keys of jobs the transition makes moot (a cancelled expiry).
    std::vector<std::string> cancel_jobs;
    // Grants ended with the transition, released in its transaction: the revoke is queued the moment
    // the access ends, with no job in between that a crash or a long queue could hold up.
    std::vector<grant_release> releases;
    // For file(): the petition is a duplicate (write_status::duplicate, nothing written) when the same
    // requester already has one for the same target in any of these states (workflow::blocking_states),
    // checked in the write's own transaction so requests sent at once file one.
    std::vector<petition_state> exclusive_of{};
    // For file(): round-robin rotations (workflow::rotation_key) this filing moves on by one, in its transaction.
    std::vector<std::string> rotate{};
};

enum class write_status {
    applied,
    // file(): the id exists already. apply(): the stored version is not petition.version - 1,
    // so someone else moved it first (a double click, a Slack retry, another replica).
    conflict,
    // file(): the requester already has an open petition for the target (petition_write::exclusive_of).
    duplicate,
};

// The public request log: newest first, filtered, a page at a time.
struct request_log_query {
    // The requester's person id.
    std::optional<std::string> person;
    // A bundle name, or `kind:id`.
    std::optional<std::string> target;
    std::optional<petition_state> state;
    // Filed at or after `from`, and before `until`.
    std::optional<time_point> from;
    std::optional<time_point> until;
    std::size_t limit = 50;
    // Opaque: the `next` of the previous page; empty for the first page.
    std::string cursor;
};

struct request_log_page {
    std::vector<workflow::petition> petitions;
    // Empty on the last page.
    std::string next;
};

// Petitions with compare-and-set transitions; each write carries its audit event and jobs.
class petition_store {
public:
    virtual ~petition_store() = default;

    // How a write ended, heard on the store's writer thread: do little there (hand work on).
    using write_done = std::function<void(result<write_status>)>;

    // Inserts a new petition (version 1) with its audit event and jobs; returns at once.
    virtual void file_async(petition_write w, write_done done) = 0;
    // Stores w.petition if the stored version is w.petition.version - 1 (conflict otherwise); returns at once.
    virtual void apply_async(petition_write w, write_done done) = 0;
    // The same, waiting until the write is durable (workers, host commands, tests).
    result<write_status> file(const petition_write& w);
    result<write_status> apply(const petition_write& w);
    virtual result<std::optional<workflow::petition>> find(const std::string& id) = 0;
    virtual result<request_log_page> request_log(const request_log_query& q) = 0;
    // The person's newest petition for `target` in one of `states` (an open request, access held).
    virtual result<std::optional<workflow::petition>> open_for(const std::string& person, const std::string& target,
                                                               const std::vector<petition_state>& states) = 0;
    // How many filed requests a round-robin rotation has seen (0 for one never used).
    virtual result<std::size_t> rotation(const std::string& key) = 0;
    // Pending petitions with `person` among the reviewers of any step; for App Home.
    virtual result<std::vector<workflow::petition>> awaiting(const std::string& person, std::size_t limit) = 0;
    // Every request waiting for approval, and every active one with an extension waiting: what a change of
    // manifests or directory may re-route.
    virtual result<std::vector<workflow::petition>> waiting() = 0;
};

} // namespace checkpoint::workflow
