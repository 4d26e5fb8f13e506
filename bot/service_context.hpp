#pragma once

#include <functional>

#include "app/access_service.hpp"
#include "app/directory_sync.hpp"
#include "app/live_manifests.hpp"
#include "bot/config.hpp"
#include "bot/integrations/integration_factory.hpp"
#include "bot/job_runner.hpp"
#include "bot/slack/slack_client.hpp"
#include "workflow/audit_log.hpp"
#include "workflow/card_message_store.hpp"
#include "workflow/clock.hpp"
#include "workflow/grant_store.hpp"
#include "workflow/job_queue.hpp"
#include "workflow/manifests.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/resource_store.hpp"
#include "workflow/session_store.hpp"
#include "workflow/slack_user_cache.hpp"

namespace checkpoint::bot {

// Everything the handlers and job kinds use, built once in main (the composition root).
struct service_context {
    const config& cfg;
    // The manifests in force: a handler pins one snapshot (`policy.now()`) and reads only it.
    app::live_manifests& policy;
    const workflow::clock& clock;
    workflow::petition_store& petitions;
    workflow::job_queue& jobs;
    workflow::audit_log& audit;
    workflow::card_message_store& cards;
    workflow::grant_store& grants;
    workflow::slack_user_cache& slack_users;
    workflow::resource_store& resources;
    slack_client& slack;
    const integration_map& integrations;
    app::access_service& access;
    job_runner& runner;
    // Runs a task on the application's threads, never on those answering HTTP: where handlers go
    // once they need storage or Slack, and where an asynchronous write's continuation renders its
    // answer. Unset (tests), the task runs at once on the calling thread.
    std::function<void(std::function<void()>)> offload = {};
    // SCIM and directory imports; unset, /scim/v2 and POST /directory/import answer that they are not set up.
    app::directory_sync* directory = nullptr;
    // The web pages' sessions (bot/web/); unset, no one signs in and the API takes bearer tokens only.
    workflow::session_store* sessions = nullptr;

    void run_off_http(std::function<void()> task) const
    {
        if (offload)
            offload(std::move(task));
        else
            task();
    }
};

} // namespace checkpoint::bot
