#include "fixture.hpp"

namespace checkpoint::workflow::test {

time_point nov(int day, int hour)
{
    return time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / day}} + std::chrono::hours{hour};
}

time_point dec(int day, int hour)
{
    return time_point{std::chrono::sys_days{std::chrono::year{2026} / 12 / day}} + std::chrono::hours{hour};
}

person someone(std::string id, std::string name, std::string team, std::string manager)
{
    person p;
    p.email = id + "@example.com";
    p.id = std::move(id);
    p.name = std::move(name);
    p.team = std::move(team);
    p.manager_id = std::move(manager);
    return p;
}

person away(person p, time_point from, time_point until, std::string delegate)
{
    p.away = out_of_office{from, until, std::move(delegate)};
    return p;
}

bundle make_bundle(std::string name, std::string owner_team, risk level, duration max)
{
    bundle b;
    b.name = std::move(name);
    b.owner_team = std::move(owner_team);
    b.level = level;
    b.durations.initial = std::chrono::days{1};
    b.durations.max = max;
    b.provision.integration = "demo";
    return b;
}

manifests make_manifests(std::vector<person> people, std::vector<bundle> bundles, std::vector<group> groups,
                         std::vector<oncall_rotation> oncall)
{
    manifests m;
    m.settings.platform_team = "platform-team";
    m.settings.default_channel = "C0ACCESS";
    m.settings.security_channel = "C0SECURITY";
    m.settings.break_glass.who = {reviewer_spec{reviewer_kind::oncall, "production"}};
    m.settings.break_glass.max_duration = std::chrono::hours{4};
    m.settings.break_glass.review_by = "platform-team";
    m.settings.integrations.push_back(integration{"demo", integration_kind::log, {}, {}, {}, duration{30}, {}});
    m.directory = directory(std::move(people), std::move(groups), std::move(oncall));
    m.catalog = catalog(std::move(bundles));
    return m;
}

manifests company()
{
    std::vector<person> people{
        someone("boss", "Dana Boss", "leadership"),
        away(someone("mary", "Mary Major", "api-team", "boss"), nov(20, 0), dec(1, 0), "lee"),
        someone("lee", "Lee Lin", "api-team", "mary"),
        someone("alex", "Alex Chen", "api-team", "mary"),
        someone("sam", "Sam Support", "support", "mary"),
        away(someone("raj", "Raj Davis", "data-platform", "boss"), nov(23, 0), dec(5, 0)),
        someone("mia", "Mia Jones", "data-platform", "raj"),
        someone("pat", "Pat Platform", "platform-team", "boss"),
        someone("quinn", "Quinn Ops", "platform-team", "boss"),
        someone("ivy", "Ivy Novak", "infrastructure", "boss"),
    };
    auto api = make_bundle("api-production", "api-team", risk::high);
    api.channels = {"C0ENGPROD"};
    auto data = make_bundle("data-warehouse", "data-platform", risk::medium);
    auto k8s = make_bundle("kubernetes-prod-debug", "infrastructure", risk::critical, std::chrono::days{7});
    k8s.approval.break_glass = true;
    auto staging = make_bundle("api-staging", "api-team", risk::low);
    std::vector<group> groups{{"leads", {"boss", "mary"}}};
    std::vector<oncall_rotation> oncall{
        {"production", {"ivy", "alex"}, nov(2, 9), std::chrono::days{7}},
    };
    auto m = make_manifests(std::move(people), {api, data, k8s, staging}, std::move(groups), std::move(oncall));
    resource_kind customer;
    customer.kind = "customer";
    customer.integration = "demo";
    customer.owner_team = "support";
    customer.level = risk::high;
    customer.approval.steps.push_back(step_spec{"support-lead", {{reviewer_kind::person, "boss"}}, 1, assign_mode::broadcast});
    m.settings.resources.push_back(customer);
    return m;
}

} // namespace checkpoint::workflow::test

namespace checkpoint::workflow {

std::ostream& operator<<(std::ostream& os, const error& e) { return os << e.code << ": " << e.message; }

std::ostream& operator<<(std::ostream& os, const route& r)
{
    for (const auto& line : describe(r))
        os << line << "\n";
    return os;
}

std::ostream& operator<<(std::ostream& os, const transition& t)
{
    return os << t.petition.id << " " << name(t.petition.state) << " (" << t.effects.size() << " effects)";
}

std::ostream& operator<<(std::ostream& os, const manifests& m)
{
    return os << m.catalog.bundles().size() << " bundles, " << m.directory.size() << " people";
}

} // namespace checkpoint::workflow

namespace checkpoint::loader {

std::ostream& operator<<(std::ostream& os, const manifest_errors& e) { return os << format(e); }

} // namespace checkpoint::loader
