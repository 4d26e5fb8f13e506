#include "workflow/route.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

using namespace checkpoint::workflow;

namespace {

constexpr std::size_t people_count = 10'000;
constexpr std::size_t bundle_count = 1'000;
constexpr std::size_t team_size = 20;

time_point day(unsigned d) { return time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / d}}; }

// A company of 10,000: 500 teams of 20 under their leads, leads under 10 directors, one in ten leads away.
manifests make_company()
{
    std::vector<person> people;
    people.reserve(people_count);
    const std::size_t teams = people_count / team_size;
    for (std::size_t i = 0; i < people_count; ++i) {
        person p;
        p.id = "u-" + std::to_string(i);
        p.email = "user" + std::to_string(i) + "@example.com";
        p.name = "Person " + std::to_string(i);
        std::size_t team = i / team_size;
        p.team = team == 0 ? "platform-team" : "team-" + std::to_string(team);
        bool lead = i % team_size == 0;
        if (!lead)
            p.manager_id = "u-" + std::to_string(team * team_size);
        else if (team >= 10)
            p.manager_id = "user" + std::to_string((team % 10) * team_size) + "@example.com";
        if (lead && team % 10 == 3)
            p.away = out_of_office{day(20), day(30), team % 20 == 3 ? "u-" + std::to_string(i + 1) : std::string()};
        people.push_back(std::move(p));
    }
    std::vector<group> groups;
    for (std::size_t g = 0; g < 50; ++g)
        groups.push_back(group{"group-" + std::to_string(g),
                               {"u-" + std::to_string(g * 7), "u-" + std::to_string(g * 7 + 1), "u-" + std::to_string(g * 7 + 2)}});
    std::vector<oncall_rotation> oncall{
        {"production", {"u-1", "u-2", "u-3", "u-4"}, day(2), std::chrono::days{7}},
    };
    std::vector<bundle> bundles;
    bundles.reserve(bundle_count);
    for (std::size_t b = 0; b < bundle_count; ++b) {
        bundle x;
        x.name = "bundle-" + std::to_string(b);
        x.owner_team = "team-" + std::to_string(1 + b % (teams - 1));
        x.level = static_cast<risk>(b % 4);
        x.durations.max = std::chrono::days{60};
        x.provision.integration = "demo";
        x.approval.require_manager = b % 3 == 0;
        if (b % 5 == 0)
            x.approval.steps.push_back(step_spec{"system-owner",
                                                 {{reviewer_kind::group, "group-" + std::to_string(b % 50)},
                                                  {reviewer_kind::oncall, "production"}},
                                                 1,
                                                 assign_mode::broadcast});
        bundles.push_back(std::move(x));
    }
    manifests m;
    m.settings.platform_team = "platform-team";
    m.settings.default_channel = "C0ACCESS";
    m.directory = directory(std::move(people), std::move(groups), std::move(oncall));
    m.catalog = catalog(std::move(bundles));
    return m;
}

// One routing decision: a requester, a bundle, a duration, at a moment.
void bm_route_decision(benchmark::State& state)
{
    static const manifests m = make_company();
    const std::vector<std::chrono::seconds> lengths{std::chrono::hours{4}, std::chrono::days{3}, std::chrono::days{10},
                                                    std::chrono::days{30}};
    std::vector<request_input> inputs;
    for (std::size_t i = 0; i < 997; ++i)
        inputs.push_back(request_input{"u-" + std::to_string((i * 7919) % people_count),
                                       "bundle-" + std::to_string((i * 104729) % bundle_count), lengths[i % 4], false});
    const auto now = day(25);
    std::size_t i = 0;
    std::size_t reviewers = 0;
    for (auto _ : state) {
        auto r = decide(m, inputs[i], now);
        benchmark::DoNotOptimize(r);
        if (r)
            for (const auto& s : r->steps)
                reviewers += s.reviewers.size();
        i = (i + 1) % inputs.size();
    }
    state.counters["reviewers/decision"] =
        benchmark::Counter(static_cast<double>(reviewers) / static_cast<double>(state.iterations()));
}
BENCHMARK(bm_route_decision)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
