#include "bot/integrations/exec_integration.hpp"

#include "bot/integrations/delivery_log.hpp"

#include "bot/integrations/child_process.hpp"
#include "bot/integrations/event_json.hpp"

#include <spdlog/spdlog.h>

namespace checkpoint::bot {

namespace {

// What a command may rely on finding; nothing of the service's own environment (secrets) leaks in.
constexpr std::string_view minimal_path = "PATH=/usr/local/bin:/usr/bin:/bin";

std::string describe(std::chrono::milliseconds d)
{
    if (d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

} // namespace

exec_integration::exec_integration(std::string name, exec_settings settings)
    : name_(std::move(name)), settings_(std::move(settings))
{
}

delivery_outcome exec_integration::deliver(const access_event& event)
{
    const std::vector<std::string> env = {
        std::string(minimal_path),
        "CHECKPOINT_EVENT=" + std::string(bot::name(event.kind)),
        "CHECKPOINT_IDEMPOTENCY_KEY=" + event.idempotency_key,
    };
    const std::string program = settings_.command.empty() ? std::string("(none)") : settings_.command.front();
    child_run run = run_child(settings_.command, env, event_body(event), settings_.timeout, max_kept_output);

    delivery_outcome outcome = [&] {
        if (run.spawn_error)
            return delivery_outcome::failed(*run.spawn_error);
        if (run.timed_out && event.kind == event_kind::revoke)
            // Access must not outlive its end because a command was slow once: a revoke is tried again
            // (with backoff, until the retry window closes and the teams are told).
            return delivery_outcome::retry(program + " ran past its " + describe(settings_.timeout) +
                                           " timeout and was killed; the revoke is tried again");
        if (run.timed_out)
            return delivery_outcome::failed(program + " ran past its " + describe(settings_.timeout) +
                                            " timeout and was killed");
        if (run.exit_code == 0)
            return delivery_outcome::done(program + " exited 0");
        if (run.exit_code == exit_tempfail)
            return delivery_outcome::retry(program + " exited 75 (EX_TEMPFAIL), asking to be retried");
        if (run.exit_code)
            return delivery_outcome::failed(program + " exited " + std::to_string(*run.exit_code));
        if (run.signal)
            return delivery_outcome::failed(program + " was killed by signal " + std::to_string(*run.signal));
        return delivery_outcome::failed(program + " ended, but its exit status was lost");
    }();
    outcome.output = std::move(run.output);

    log_delivery(name_, event, outcome);
    return outcome;
}

} // namespace checkpoint::bot
