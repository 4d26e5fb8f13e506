#include "app/demand.hpp"

#include "workflow/duration.hpp"

#include <boost/json.hpp>

namespace checkpoint::app {

std::optional<workflow::job_spec> demand_check_job(const workflow::demand_alert_policy& policy,
                                                   const std::string& security_channel, const workflow::petition& p,
                                                   workflow::time_point now)
{
    if (security_channel.empty() || !workflow::demand_watched(policy, p.route.level))
        return std::nullopt;
    return job(job_kind::check_demand, p.id + "/demand",
               encode(demand_check_payload{p.entitlement(), std::string(name(p.route.level)), p.created_at}), now);
}

workflow::result<std::size_t> count_filed(workflow::petition_store& petitions, const std::string& target,
                                          workflow::time_point from, workflow::time_point until, std::size_t cap)
{
    workflow::request_log_query q;
    q.target = target;
    q.from = from;
    q.until = until;
    q.limit = 500;
    std::size_t n = 0;
    while (n < cap) {
        auto page = petitions.request_log(q);
        if (!page)
            return page.error();
        n += page->petitions.size();
        if (page->next.empty())
            break;
        q.cursor = page->next;
    }
    return std::min(n, cap);
}

workflow::result<demand_check_outcome> check_demand(const demand_check_payload& check,
                                                                     const workflow::settings& settings,
                                                                     workflow::petition_store& petitions,
                                                                     workflow::audit_log& audit,
                                                                     workflow::time_point now)
{
    const auto& policy = settings.demand_alert;
    if (!policy.enabled || settings.security_channel.empty())
        return demand_check_outcome{};
    // The window ends just after the filing, so the filing itself counts.
    const auto end = check.at + std::chrono::milliseconds{1};
    const auto start = end - policy.window;
    auto in_window = count_filed(petitions, check.target, start, end);
    if (!in_window)
        return in_window.error();
    auto before = count_filed(petitions, check.target, start - policy.baseline, start);
    if (!before)
        return before.error();
    auto spike = workflow::demand_spike_of(policy, {*in_window, *before});
    if (!spike)
        return demand_check_outcome{};

    const auto window_s = std::chrono::duration_cast<std::chrono::seconds>(policy.window).count();
    const auto period = std::chrono::duration_cast<std::chrono::seconds>(check.at.time_since_epoch()).count() / window_s;
    demand_alert_payload alert{settings.security_channel,
                               check.target,
                               check.risk,
                               spike->count,
                               spike->before,
                               window_s,
                               std::chrono::duration_cast<std::chrono::seconds>(policy.baseline).count(),
                               policy.factor,
                               policy.min_requests,
                               check.at};
    const boost::json::object details{{"target", check.target},
                                      {"risk", check.risk},
                                      {"count", spike->count},
                                      {"usual_per_window", spike->usual},
                                      {"window_seconds", alert.window_seconds},
                                      {"baseline_seconds", alert.baseline_seconds},
                                      {"factor", policy.factor},
                                      {"min_requests", policy.min_requests},
                                      {"announced_in", settings.security_channel}};
    const workflow::audit_event event{"checkpoint",
                                      "anomaly.demand_spike",
                                      now,
                                      std::to_string(spike->count) + " requests for " + check.target + " in " +
                                          workflow::describe_duration(policy.window) + ", against a usual " +
                                          workflow::format_usual(spike->usual),
                                      "anomaly",
                                      "",
                                      boost::json::serialize(details),
                                      {}};
    auto told = audit.append_once(
        event, job(job_kind::post_demand_alert, "demand/" + check.target + "/" + std::to_string(period), encode(alert), now),
        now);
    if (!told)
        return told.error();
    return demand_check_outcome{spike, *told};
}

} // namespace checkpoint::app
