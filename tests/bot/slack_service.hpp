#pragma once

#include "tests/bot/service_fixture.hpp"
#include "tests/fakes/slack/fake_slack.hpp"

namespace checkpoint::test {

// Everyone in the directory is in the fake Slack: their slack_id, or a made-up one ("UX" + id) found by email.
inline void add_directory_users(fake_slack& slack, const workflow::manifests& m)
{
    for (const auto& p : m.directory.people())
        slack.add_user({p.slack_id.empty() ? "UX" + p.id : p.slack_id, p.email, p.name});
}

// The service over a fake Slack that knows everyone in the directory.
struct slack_service {
    fake_slack slack;
    service_fixture svc{slack.api_url(), slack.token()};
    bool users_added = (add_directory_users(slack, svc.manifests), true);
};

} // namespace checkpoint::test
