#include "fixture.hpp"
#include "workflow/loader/manifest_loader.hpp"
#include "workflow/route.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

using namespace checkpoint;
using namespace checkpoint::workflow;
namespace fs = std::filesystem;

namespace {

// A fresh folder of manifests under the system temp dir, removed at the end of the test.
class temp_manifests {
public:
    temp_manifests()
    {
        std::random_device rd;
        root_ = fs::temp_directory_path() / ("checkpoint-manifests-" + std::to_string(rd()));
        fs::create_directories(root_ / "bundles");
        fs::create_directories(root_ / "directory");
    }
    ~temp_manifests()
    {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    temp_manifests(const temp_manifests&) = delete;
    temp_manifests& operator=(const temp_manifests&) = delete;

    void write(const std::string& rel, const std::string& text) const
    {
        std::ofstream(root_ / rel) << text;
    }
    const fs::path& root() const { return root_; }
    std::string shown(const std::string& rel) const { return (root_ / rel).lexically_normal().generic_string(); }

private:
    fs::path root_;
};

const char* good_settings = R"(platform_team: platform-team
channels: { default: C0ACCESS, security: C0SEC }
break_glass: { who: [ {oncall: production} ], max_duration: 4h, review_by: platform-team }
integrations:
  - name: aws
    kind: webhook
    url: https://provisioner.internal/checkpoint
    secret_env: CHECKPOINT_TEST_SECRET_THAT_IS_NOT_SET
    format: indent
    timeout: 10s
    max_in_flight: 16
  - name: acl
    kind: exec
    command: [/opt/acl, --grant]
  - name: demo
    kind: log
)";

const char* good_people = R"(people:
  - { id: u-1, email: boss@example.com, name: Boss, team: platform-team }
  - { id: u-2, email: ann@example.com, name: Ann, manager_id: u-1, team: api-team }
  - { id: u-3, email: bob@example.com, name: Bob, manager_id: ann@example.com, team: api-team }
groups:
  - { name: leads, members: [u-1, u-2] }
oncall:
  - { name: production, rotation: [u-2, u-3], starts: 2026-11-02T09:00:00Z, every: 7d }
)";

const char* good_bundle = R"(name: api
owner_team: api-team
risk: high
durations: { default: 1d, max: 7d, choices: [1d, 7d] }
provision: { integration: aws }
)";

struct expected_error {
    std::string file;
    std::size_t line;
    std::string field;
    std::string says;
};

void require_error(const loader::manifest_errors& errors, const expected_error& want)
{
    INFO(loader::format(errors));
    bool found = std::any_of(errors.errors.begin(), errors.errors.end(), [&](const loader::manifest_error& e) {
        return e.file == want.file && e.line == want.line && e.field == want.field &&
               e.message.find(want.says) != std::string::npos;
    });
    CHECK(found);
}

} // namespace

TEST_CASE("the shipped example manifests load cleanly")
{
    auto m = loader::load_manifests(fs::path(CHECKPOINT_SOURCE_DIR) / "manifests");
    if (!m)
        FAIL(loader::format(m.error()));
    REQUIRE(m);
    CHECK(m->catalog.bundles().size() >= 6);
    CHECK(m->directory.size() >= 18);
    for (auto name : {"api-production", "data-warehouse", "analytics-staging", "kubernetes-prod-debug", "api-staging"})
        CHECK(m->catalog.find(name) != nullptr);
    CHECK(m->catalog.find("api-production")->level == risk::high);
    CHECK(m->catalog.find("kubernetes-prod-debug")->approval.break_glass);
    CHECK(m->settings.find_resource("customer") != nullptr);
    // Every shipped bundle says what a grant gives in words, not as raw provision params.
    for (const auto& b : m->catalog.bundles()) {
        INFO(b.name);
        CHECK_FALSE(b.entitlements.empty());
    }
    CHECK(entitlement_lines(*m->catalog.find("api-production")) ==
          std::vector<std::string>{"AWS permission set via IAM Identity Center (prod IAM role for S3)",
                                   "Read-only on production API RDS (api-production cluster)",
                                   "Vault paths for api-production secrets (read)"});

    SECTION("and every person can explain every bundle in late November 2026")
    {
        auto now = time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}} + std::chrono::hours{10};
        for (const auto& p : m->directory.people())
            for (const auto& b : m->catalog.bundles()) {
                if (b.deprecated)
                    continue;
                for (auto d : b.durations.choices) {
                    auto r = explain(*m, p.id, b.name, d, now);
                    INFO(p.id << " " << b.name << " " << format_duration(d));
                    CHECK(r);
                }
            }
    }
}

TEST_CASE("a valid set in a temp dir loads, with webhook secrets named but never read")
{
    temp_manifests t;
    t.write("checkpoint.yaml", good_settings);
    t.write("directory/people.yaml", good_people);
    t.write("bundles/api.yaml", good_bundle);
    auto m = loader::load_manifests(t.root());
    if (!m)
        FAIL(loader::format(m.error()));
    const auto* aws = m->settings.find_integration("aws");
    REQUIRE(aws);
    CHECK(aws->kind == integration_kind::webhook);
    CHECK(aws->secret_env == "CHECKPOINT_TEST_SECRET_THAT_IS_NOT_SET");
    CHECK(aws->format == webhook_format::indent);
    CHECK(aws->timeout == duration{10});
    CHECK(aws->max_in_flight == 16);
    CHECK(m->settings.find_integration("acl")->max_in_flight == 4);
    CHECK(m->settings.find_integration("acl")->command == std::vector<std::string>{"/opt/acl", "--grant"});
    // Bob's manager is named by email.
    CHECK(m->directory.manager_of(m->directory.find("u-3")) == m->directory.find("u-2"));
    CHECK(m->settings.matrix.cells == approval_matrix::standard().cells);
}

TEST_CASE("an out of office with no until lasts until the directory says otherwise, and routes to the delegate")
{
    temp_manifests t;
    t.write("checkpoint.yaml", good_settings);
    t.write("directory/people.yaml", R"(people:
  - { id: u-1, email: boss@example.com, name: Boss, team: platform-team }
  - id: u-2
    email: ann@example.com
    name: Ann
    manager_id: u-1
    team: api-team
    out_of_office: { from: 2026-11-20, delegate: u-3 }
  - { id: u-3, email: bob@example.com, name: Bob, manager_id: u-2, team: api-team }
  - { id: u-4, email: cy@example.com, name: Cy, manager_id: u-2, team: api-team }
oncall:
  - { name: production, rotation: [u-3, u-4], starts: 2026-11-02T09:00:00Z, every: 7d }
)");
    t.write("bundles/api.yaml", good_bundle);
    auto m = loader::load_manifests(t.root());
    if (!m)
        FAIL(loader::format(m.error()));
    const auto ann = m->directory.find("u-2");
    using namespace std::chrono;
    const auto start = checkpoint::workflow::time_point{sys_days{year{2026} / 11 / 20}};
    CHECK_FALSE(m->directory.is_away(ann, start - seconds{1}));
    for (auto later : {days{0}, days{30}, days{365 * 5}})
        CHECK(m->directory.is_away(ann, start + later));

    // Ann, on the owning team, is away with no return date: the owner step goes to her delegate, and says so.
    auto r = decide(*m, {"u-1", "api", days{7}, false}, start + days{400});
    REQUIRE(r);
    std::string why;
    for (const auto& step : r->steps)
        for (const auto& reviewer : step.reviewers)
            why += reviewer.person_id + ": " + reviewer.reason + "\n";
    CHECK_THAT(why, Catch::Contains("u-3: Bob: delegate for Ann") && Catch::Contains("out of office until further notice"));
}

TEST_CASE("every error names the file, the line and the field, and says what is allowed")
{
    temp_manifests t;
    t.write("checkpoint.yaml", good_settings);
    t.write("directory/people.yaml", good_people);
    t.write("bundles/api.yaml", good_bundle);

    struct row {
        const char* name;
        std::string rel;
        std::string text;
        expected_error want;
    };
    auto r = GENERATE(values<row>({
        {"bad duration", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d,\n  max: 3x }\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 5, "durations.max", "\"3x\" is not a duration; use forms like 30m, 4h, 1d, 7d, 2w, 1d12h"}},
        {"unknown key with a suggestion", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovison: { integration: demo }\n",
         {"bundles/x.yaml", 5, "provison", "did you mean \"provision\"?"}},
        {"unknown team", "bundles/x.yaml",
         "name: x\nowner_team: api-tem\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 2, "owner_team", "unknown team \"api-tem\" (did you mean \"api-team\"?)"}},
        {"unknown integration", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovision:\n  integration: nope\n",
         {"bundles/x.yaml", 6, "provision.integration", "unknown integration \"nope\""}},
        {"default above max", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations:\n  default: 14d\n  max: 7d\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 5, "durations.default", "the default must be at most the max"}},
        {"choice above max", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations:\n  default: 1d\n  max: 7d\n  choices: [1d, 30d]\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 7, "durations.choices[1]", "every choice must be at most the max"}},
        {"bad risk", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: severe\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 3, "risk", "use low, medium, high or critical"}},
        {"bad name", "bundles/x.yaml",
         "name: Api_Prod\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 1, "name", "only lowercase letters, digits and '-'"}},
        {"duplicate bundle name", "bundles/z.yaml",
         "name: api\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\n",
         {"bundles/z.yaml", 1, "name", "bundle name \"api\" is already used"}},
        {"unknown group in a step", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\napproval:\n  steps:\n    - name: s\n      reviewers: [ {group: leeds} ]\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 8, "approval.steps[0].reviewers[0].group", "unknown group \"leeds\" (did you mean \"leads\"?)"}},
        {"unknown on-call", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\napproval:\n  steps:\n    - name: s\n      reviewers: [ {oncall: prod} ]\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 8, "approval.steps[0].reviewers[0].oncall", "unknown on-call rotation \"prod\""}},
        {"unknown person", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\napproval:\n  steps:\n    - name: s\n      reviewers: [ {email: nobody@example.com} ]\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 8, "approval.steps[0].reviewers[0].email", "unknown person \"nobody@example.com\""}},
        {"bad reviewer kind", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\napproval:\n  steps:\n    - name: s\n      reviewers: [ {grop: leads} ]\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 8, "approval.steps[0].reviewers[0].grop", "did you mean \"group\"?"}},
        {"too many approvals for the people named", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\napproval:\n  steps:\n    - name: s\n      reviewers: [ {person: u-1} ]\n      min_approvals: 2\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 9, "approval.steps[0].min_approvals", "2 approvals needed but only 1 reviewers named"}},
        {"bad assign", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\napproval:\n  steps:\n    - name: s\n      reviewers: [ {person: u-1} ]\n      assign: random\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 9, "approval.steps[0].assign", "use broadcast or round_robin"}},
        {"unknown successor", "bundles/x.yaml",
         "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\ndeprecated: { successor: apii }\n",
         {"bundles/x.yaml", 6, "deprecated.successor", "unknown bundle \"apii\""}},
        {"yaml syntax", "bundles/x.yaml", "name: x\nowner_team: [unclosed\n",
         {"bundles/x.yaml", 3, "", "not valid YAML"}},
        {"missing required field", "bundles/x.yaml",
         "name: x\nrisk: low\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\n",
         {"bundles/x.yaml", 1, "owner_team", "is required"}},
        {"manager cycle", "directory/zz.yaml",
         "people:\n  - { id: u-7, name: Seven, manager_id: u-8, team: api-team }\n  - { id: u-8, name: Eight, manager_id: u-7, team: api-team }\n",
         {"directory/zz.yaml", 2, "people[0].manager_id", "managers form a cycle: u-7 -> u-8 -> u-7"}},
        {"own manager", "directory/zz.yaml",
         "people:\n  - { id: u-7, name: Seven, manager_id: u-7, team: api-team }\n",
         {"directory/zz.yaml", 2, "people[0].manager_id", "cannot be their own manager"}},
        {"unknown manager", "directory/zz.yaml",
         "people:\n  - { id: u-7, name: Seven, manager_id: u-99, team: api-team }\n",
         {"directory/zz.yaml", 2, "people[0].manager_id", "unknown person \"u-99\""}},
        {"duplicate person id across files", "directory/zz.yaml",
         "people:\n  - { id: u-2, name: Twin, team: api-team }\n",
         {"directory/zz.yaml", 2, "people[0].id", "id \"u-2\" is already used at"}},
        {"duplicate email", "directory/zz.yaml",
         "people:\n  - { id: u-9, email: ANN@example.com, name: Twin, team: api-team }\n",
         {"directory/zz.yaml", 2, "people[0].email", "email \"ann@example.com\" is already used"}},
        {"bad out-of-office date", "directory/zz.yaml",
         "people:\n  - id: u-9\n    name: Nine\n    team: api-team\n    out_of_office: { from: 2026-11-31, until: 2026-12-02 }\n",
         {"directory/zz.yaml", 5, "people[0].out_of_office.from", "is not a date"}},
        {"out-of-office date past what a time holds", "directory/zz.yaml",
         "people:\n  - id: u-9\n    name: Nine\n    team: api-team\n    out_of_office: { from: 2026-11-20, until: 9999-12-31 }\n",
         {"directory/zz.yaml", 5, "people[0].out_of_office.until", "is not a date"}},
        {"unknown delegate", "directory/zz.yaml",
         "people:\n  - id: u-9\n    name: Nine\n    team: api-team\n    out_of_office: { from: 2026-11-20, until: 2026-12-02, delegate: u-404 }\n",
         {"directory/zz.yaml", 5, "people[0].out_of_office.delegate", "unknown person \"u-404\""}},
        {"unknown group member", "directory/zz.yaml", "groups:\n  - { name: g, members: [u-1, u-77] }\n",
         {"directory/zz.yaml", 2, "groups[0].members[1]", "unknown person \"u-77\""}},
        {"duplicate group", "directory/zz.yaml", "groups:\n  - { name: leads, members: [u-1] }\n",
         {"directory/zz.yaml", 2, "groups[0].name", "group name \"leads\" is already used"}},
        {"bad on-call period", "directory/zz.yaml",
         "oncall:\n  - name: night\n    rotation: [u-1]\n    starts: 2026-11-02T09:00:00Z\n    every: 0d\n",
         {"directory/zz.yaml", 5, "oncall[0].every", "is zero"}},
    }));
    INFO(r.name);
    t.write(r.rel, r.text);
    auto m = loader::load_manifests(t.root());
    REQUIRE_FALSE(m);
    require_error(m.error(), {t.shown(r.want.file), r.want.line, r.want.field, r.want.says});
    fs::remove(t.root() / r.rel);
}

TEST_CASE("errors in checkpoint.yaml name their field")
{
    temp_manifests t;
    t.write("directory/people.yaml", good_people);
    t.write("bundles/api.yaml", good_bundle);
    struct row {
        const char* name;
        std::string text;
        expected_error want;
    };
    auto r = GENERATE(values<row>({
        {"unknown platform team", "platform_team: platfrom-team\nintegrations: [ {name: aws, kind: log} ]\n",
         {"checkpoint.yaml", 1, "platform_team", "unknown team \"platfrom-team\""}},
        {"matrix cell", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nmatrix:\n  up_to: [1d, 7d, 14d]\n  low: [auto, auto, auto_owner, owner]\n  medium: [auto, sometimes, owner, owner]\n  high: [auto_owner, owner, owner, platform]\n  critical: [owner, owner, platform, platform]\n",
         {"checkpoint.yaml", 6, "matrix.medium[1]", "use auto, auto_owner, owner or platform"}},
        {"matrix bounds out of order", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nmatrix:\n  up_to: [7d, 1d, 14d]\n  low: [auto, auto, auto_owner, owner]\n  medium: [auto, auto, owner, owner]\n  high: [auto_owner, owner, owner, platform]\n  critical: [owner, owner, platform, platform]\n",
         {"checkpoint.yaml", 4, "matrix.up_to[1]", "bounds must grow"}},
        {"webhook without secret_env", "platform_team: platform-team\nintegrations:\n  - name: aws\n    kind: webhook\n    url: https://x.internal/hook\n",
         {"checkpoint.yaml", 3, "integrations[0].secret_env", "is required"}},
        {"secret in place of its name", "platform_team: platform-team\nintegrations:\n  - name: aws\n    kind: webhook\n    url: https://x.internal/hook\n    secret_env: s3cr3t-value\n",
         {"checkpoint.yaml", 6, "integrations[0].secret_env", "never the secret itself"}},
        {"unknown integration kind", "platform_team: platform-team\nintegrations:\n  - name: aws\n    kind: lambda\n",
         {"checkpoint.yaml", 4, "integrations[0].kind", "use webhook, exec or log"}},
        {"exec without command", "platform_team: platform-team\nintegrations:\n  - name: aws\n    kind: exec\n",
         {"checkpoint.yaml", 3, "integrations[0].command", "is required"}},
        {"integration without room for a delivery", "platform_team: platform-team\nintegrations:\n  - { name: aws, kind: log, max_in_flight: 0 }\n",
         {"checkpoint.yaml", 3, "integrations[0].max_in_flight", "must be a whole number from 1 to 100"}},
        {"duplicate integration", "platform_team: platform-team\nintegrations:\n  - { name: aws, kind: log }\n  - { name: aws, kind: log }\n",
         {"checkpoint.yaml", 4, "integrations[1].name", "already named \"aws\""}},
        {"break-glass by unknown rotation", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nbreak_glass: { who: [ {oncall: nights} ], max_duration: 4h }\n",
         {"checkpoint.yaml", 3, "break_glass.who[0].oncall", "unknown on-call rotation \"nights\""}},
        {"auditors naming an unknown group", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nauditors: [ {team: platform-team}, {group: auditors-nobody-made} ]\n",
         {"checkpoint.yaml", 3, "auditors[1].group", "unknown group \"auditors-nobody-made\""}},
        {"bad reminder", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nreminders: { pending_after: -4h }\n",
         {"checkpoint.yaml", 3, "reminders.pending_after", "is negative"}},
        {"resource with unknown integration", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nresources:\n  - kind: customer\n    integration: crm\n    risk: high\n",
         {"checkpoint.yaml", 5, "resources[0].integration", "unknown integration \"crm\""}},
        {"anomaly alert on an unknown risk", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nanomaly_alert: { risks: [critical, severe] }\n",
         {"checkpoint.yaml", 3, "anomaly_alert.risks", "\"severe\" is not allowed; use low, medium, high or critical"}},
        {"anomaly baseline shorter than its window", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nanomaly_alert:\n  window: 1d\n  baseline: 1h\n",
         {"checkpoint.yaml", 5, "anomaly_alert.baseline", "must be at least the window (1d)"}},
        {"anomaly factor of zero", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nanomaly_alert: { factor: 0 }\n",
         {"checkpoint.yaml", 3, "anomaly_alert.factor", "must be a whole number from 1 to 100"}},
        {"anomaly unknown key", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nanomaly_alert: { treshold: 4 }\n",
         {"checkpoint.yaml", 3, "anomaly_alert.treshold", "unknown key"}},
        {"unknown top-level key", "platform_team: platform-team\nintegrations: [ {name: aws, kind: log} ]\nchanels: { default: C1 }\n",
         {"checkpoint.yaml", 3, "chanels", "did you mean \"channels\"?"}},
    }));
    INFO(r.name);
    t.write("checkpoint.yaml", r.text);
    auto m = loader::load_manifests(t.root());
    REQUIRE_FALSE(m);
    require_error(m.error(), {t.shown(r.want.file), r.want.line, r.want.field, r.want.says});
}

TEST_CASE("every error is reported at once, sorted, one a line")
{
    temp_manifests t;
    t.write("checkpoint.yaml", good_settings);
    t.write("directory/people.yaml", good_people);
    t.write("bundles/a.yaml", "name: a\nowner_team: nobody\nrisk: low\ndurations: { default: 9x, max: 7d }\nprovision: { integration: demo }\n");
    t.write("bundles/b.yaml", "name: b\nowner_team: api-team\nrisk: huge\ndurations: { default: 1d, max: 7d }\nprovision: { integration: demo }\nextra: 1\n");
    auto m = loader::load_manifests(t.root());
    REQUIRE_FALSE(m);
    const auto& errors = m.error().errors;
    CHECK(errors.size() == 4);
    auto text = loader::format(m.error());
    CHECK(std::count(text.begin(), text.end(), '\n') == 4);
    CHECK(text.find(t.shown("bundles/a.yaml") + ":2: owner_team: unknown team \"nobody\"") != std::string::npos);
    CHECK(text.find(t.shown("bundles/a.yaml") + ":4: durations.default: \"9x\" is not a duration") != std::string::npos);
    CHECK(text.find(t.shown("bundles/b.yaml") + ":3: risk:") != std::string::npos);
    CHECK(text.find(t.shown("bundles/b.yaml") + ":6: extra: unknown key") != std::string::npos);
    CHECK(text.find(t.shown("bundles/a.yaml")) < text.find(t.shown("bundles/b.yaml")));
}

TEST_CASE("a missing folder or settings file is an error, not a crash")
{
    auto m = loader::load_manifests("/nonexistent/checkpoint/manifests");
    REQUIRE_FALSE(m);
    CHECK(m.error().errors.size() == 1);

    temp_manifests t;
    auto n = loader::load_manifests(t.root());
    REQUIRE_FALSE(n);
    CHECK(loader::format(n.error()).find("checkpoint.yaml: is missing") != std::string::npos);
}

TEST_CASE("a bundle's entitlements say what a grant gives, in the manifest's words, else its provision params")
{
    temp_manifests t;
    t.write("checkpoint.yaml", good_settings);
    t.write("directory/people.yaml", good_people);
    t.write("bundles/api.yaml", good_bundle);
    struct row {
        const char* name;
        std::string yaml;
        std::vector<std::string> lines;
    };
    const std::string head = "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\n";
    // As long as allowed in characters, though "é" takes two bytes.
    std::string accented(max_entitlement_chars / 2, 'x');
    for (std::size_t i = 0; i < max_entitlement_chars / 2; ++i)
        accented += "é";
    auto r = GENERATE_COPY(values<row>({
        {"descriptions, in order", head +
             "provision: { integration: demo, params: { permission_set: x } }\n"
             "entitlements:\n"
             "  - description: \"AWS permission set via IAM Identity Center (prod IAM role for S3)\"\n"
             "  - { description: \"Vault paths for api-production secrets (read)\" }\n",
         {"AWS permission set via IAM Identity Center (prod IAM role for S3)",
          "Vault paths for api-production secrets (read)"}},
        {"spaces around a description are dropped", head +
             "provision: { integration: demo }\nentitlements: [ {description: \"  Read-only on RDS  \"} ]\n",
         {"Read-only on RDS"}},
        {"exactly the longest allowed", head + "provision: { integration: demo }\nentitlements:\n  - description: " +
             std::string(max_entitlement_chars, 'x') + "\n",
         {std::string(max_entitlement_chars, 'x')}},
        {"characters, not bytes, are counted", head + "provision: { integration: demo }\nentitlements:\n  - description: " +
             accented + "\n",
         {accented}},
        {"no descriptions: the provision params, one value each", head +
             "provision: { integration: demo, params: { permission_set: x, policies: [a, b] } }\n",
         {"permission_set: x", "policies: a", "policies: b"}},
        {"null entitlements are left out", head + "provision: { integration: demo, params: { permission_set: x } }\nentitlements:\n",
         {"permission_set: x"}},
        {"neither: nothing to list", head + "provision: { integration: demo }\n", {}},
    }));
    INFO(r.name);
    t.write("bundles/x.yaml", r.yaml);
    auto m = loader::load_manifests(t.root());
    if (!m)
        FAIL(loader::format(m.error()));
    const auto* b = m->catalog.find("x");
    REQUIRE(b);
    CHECK(entitlement_lines(*b) == r.lines);
}

TEST_CASE("a bad entitlement names its file, line and field")
{
    temp_manifests t;
    t.write("checkpoint.yaml", good_settings);
    t.write("directory/people.yaml", good_people);
    t.write("bundles/api.yaml", good_bundle);
    const std::string head = "name: x\nowner_team: api-team\nrisk: low\ndurations: { default: 1d, max: 7d }\n"
                             "provision: { integration: demo }\n";
    std::string eleven = "entitlements:\n";
    for (int i = 0; i < 11; ++i)
        eleven += "  - description: \"grant " + std::to_string(i) + "\"\n";
    struct row {
        const char* name;
        std::string yaml;
        std::size_t line;
        std::string field;
        std::string says;
    };
    auto r = GENERATE_COPY(values<row>({
        {"unknown key, with a suggestion", head + "entitlements:\n  - { description: a, descripton: b }\n", 7,
         "entitlements[0].descripton", "did you mean \"description\"?"},
        {"a key that belongs elsewhere", head + "entitlements:\n  - description: a\n    param: permission_set\n", 8,
         "entitlements[0].param", "allowed here: description"},
        {"empty description", head + "entitlements:\n  - description: \"\"\n", 7, "entitlements[0].description",
         "must not be empty"},
        {"only spaces", head + "entitlements:\n  - description: \"   \"\n", 7, "entitlements[0].description",
         "must not be empty"},
        {"no description", head + "entitlements:\n  - {}\n", 7, "entitlements[0].description", "is required"},
        {"a list as a description", head + "entitlements:\n  - description: [a, b]\n", 7,
         "entitlements[0].description", "must be a single value"},
        {"a bare string", head + "entitlements:\n  - Read-only on RDS\n", 7, "entitlements[0]",
         "must be a mapping like { description:"},
        {"not a list", head + "entitlements: Read-only on RDS\n", 6, "entitlements", "must be a list"},
        {"an empty list", head + "entitlements: []\n", 6, "entitlements", "at least one entitlement"},
        {"too long", head + "entitlements:\n  - description: " + std::string(max_entitlement_chars + 1, 'x') + "\n", 7,
         "entitlements[0].description", "is 151 characters; at most 150 are allowed"},
        {"two lines", head + "entitlements:\n  - description: \"one\\ntwo\"\n", 7, "entitlements[0].description",
         "must be one line"},
        {"listed twice", head + "entitlements:\n  - description: a\n  - description: \" a\"\n", 8,
         "entitlements[1].description", "\"a\" is listed twice"},
        {"more than fit", head + eleven, 7, "entitlements", "lists 11 entitlements; at most 10"},
        {"a typo of the key itself", head + "entitlement:\n  - description: a\n", 6, "entitlement",
         "did you mean \"entitlements\"?"},
    }));
    INFO(r.name);
    t.write("bundles/x.yaml", r.yaml);
    auto m = loader::load_manifests(t.root());
    REQUIRE_FALSE(m);
    require_error(m.error(), {t.shown("bundles/x.yaml"), r.line, r.field, r.says});
}
