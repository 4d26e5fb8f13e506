#pragma once

#include "workflow/catalog.hpp"
#include "workflow/duration.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace checkpoint::bot {

enum class event_kind { grant, revoke, pull_update };

// The wire names receivers switch on (MANIFESTS.md, Indent's event names).
constexpr std::string_view name(event_kind k)
{
    switch (k) {
    case event_kind::grant: return "access/grant";
    case event_kind::revoke: return "access/revoke";
    case event_kind::pull_update: return "pull/update";
    }
    return "access/grant";
}

enum class actor_kind { user, system };

constexpr std::string_view name(actor_kind k) { return k == actor_kind::user ? "user" : "system"; }

// Who decided: a person, or Checkpoint itself for automatic decisions and expiry.
struct event_actor {
    actor_kind kind = actor_kind::system;
    std::string id = "checkpoint";
    std::string email;
    std::string display_name;

    static event_actor system() { return {}; }
    static event_actor user(std::string id, std::string email, std::string display_name)
    {
        return {actor_kind::user, std::move(id), std::move(email), std::move(display_name)};
    }
};

// The person whose access changes; sent as a resource of kind "user".
struct event_person {
    std::string id;
    std::string email;
    std::string display_name;
};

using label_list = std::vector<std::pair<std::string, std::string>>;

// A bundle or a requestable resource; also one row of a `pull/update` answer.
struct event_resource {
    std::string kind;
    std::string id;
    std::string display_name;
    // In the order given; keys are unique.
    label_list labels;
};

// One thing an integration carries out. Plain data: the worker builds it from the job.
struct access_event {
    event_kind kind = event_kind::grant;
    event_actor actor;
    // Absent for pull/update.
    std::optional<event_person> person;
    // The bundle or resource; for pull/update only its kind (what to list).
    event_resource resource;
    std::string reason;
    std::string petition_id;
    std::optional<std::chrono::system_clock::time_point> expires_at;
    std::optional<workflow::duration> duration;
    std::chrono::system_clock::time_point timestamp;
    // Sent as Idempotency-Key (and CHECKPOINT_IDEMPOTENCY_KEY to commands): the job's own key, the
    // same on every retry, so a receiver applies each effect once.
    std::string idempotency_key;
};

// A bundle's provision params as labels; a list param becomes its values joined by commas, since
// receivers (Indent's SDK among them) expect string labels.
label_list labels_from(const workflow::provision_spec& spec);

// The bundle as the resource of an event.
event_resource resource_from(const workflow::bundle& b);

} // namespace checkpoint::bot
