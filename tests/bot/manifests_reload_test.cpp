// A reload of the manifests folder the service runs on: validated, swapped whole, audited with its version
// and what changed, and the requests waiting for approval re-routed by the documented rule.
#include "bot/manifests_reload.hpp"
#include "service_fixture.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>


using namespace checkpoint;

namespace {

// Replaces the first match of `from` in the file.
void edit(const std::filesystem::path& p, const std::string& from, const std::string& to)
{
    REQUIRE(test::edit_text(p, from, to));
}

struct reload_rig {
    test::service_fixture svc;
    std::filesystem::path dir = svc.dir.path() / "manifests";
    reload_rig()
    {
        svc.cfg.manifests_path = dir.string();
        svc.live.replace(*svc.live.now(), bot::manifests_version_of(dir));
    }
    long long count(const std::string& sql)
    {
        return svc.db->read([&](storage::connection& c) -> workflow::result<long long> {
                      auto q = c.use(sql);
                      q->executeStep();
                      return q->getColumn(0).getInt64();
                  })
            .value();
    }
    bot::reload_answer reload() { return bot::reload_from_disk(svc.ctx, "u-1000", {"api", 7}); }
};


} // namespace

TEST_CASE("a reload puts valid manifests in force, audits its version and re-routes waiting requests", "[reload]")
{
    reload_rig rig;
    auto& svc = rig.svc;
    // Kofi (analytics-eng) asks for api-production for a day: api-team approves.
    auto p = svc.access.submit("u-4001", test::request_for("api-production", "1d"));
    REQUIRE(p.has_value());
    const auto before = test::waiting_ids(*p);
    REQUIRE(std::find(before.begin(), before.end(), "u-2001") != before.end());
    const auto first = svc.live.version();
    CHECK(first.hash.size() == 64);

    // The same files: nothing to do, nothing audited.
    auto same = rig.reload();
    REQUIRE(same.done.has_value());
    CHECK_FALSE(same.done->changed);
    CHECK(rig.count("SELECT count(*) FROM audit_log WHERE action = 'manifests.reloaded'") == 0);

    // api-production moves to data-platform (Mia and Tom; Raj is away).
    edit(rig.dir / "bundles" / "api-production.yaml", "owner_team: api-team", "owner_team: data-platform");
    auto r = rig.reload();
    REQUIRE(r.problems.empty());
    REQUIRE_FALSE(r.refused.has_value());
    REQUIRE(r.done.has_value());
    CHECK(r.done->changed);
    CHECK(r.done->previous.hash == first.hash);
    CHECK(r.done->version.hash != first.hash);
    CHECK(svc.live.version().hash == r.done->version.hash);
    CHECK(svc.live.now()->catalog.find("api-production")->owner_team == "data-platform");
    CHECK(r.done->diff.summary() == "1 bundle changed (api-production: owner_team)");
    CHECK(r.done->failures.empty());
    REQUIRE(r.done->rerouted.size() == 1);
    CHECK(r.done->rerouted[0].petition_id == p->id);

    auto now = svc.access.get(p->id);
    REQUIRE(now.has_value());
    CHECK(now->state == workflow::petition_state::pending);
    const auto after = test::waiting_ids(*now);
    CHECK(after == r.done->rerouted[0].plan.waiting_after);
    CHECK(std::find(after.begin(), after.end(), "u-3001") != after.end());
    CHECK(std::find(after.begin(), after.end(), "u-2001") == after.end());
    // Audited: the reload with its version and changes, by the admin through the API; the re-route on the request.
    CHECK(rig.count("SELECT count(*) FROM audit_log WHERE action = 'manifests.reloaded' AND actor = 'u-1000' AND "
                    "details LIKE '%" + r.done->version.hash + "%' AND details LIKE '%owner_team%' AND "
                    "details LIKE '%\"channel\":\"api\"%'") == 1);
    CHECK(rig.count("SELECT count(*) FROM audit_log WHERE action = 'reroute' AND petition_id = '" + p->id + "'") == 1);
    // Mia gets the card; Lee is told it no longer waits on him; Kofi is told.
    CHECK(rig.count("SELECT count(*) FROM jobs WHERE kind = 'post_card' AND payload LIKE '%u-3001%'") == 1);
    CHECK(rig.count("SELECT count(*) FROM jobs WHERE kind = 'notify_person' AND payload LIKE '%rerouted%' AND "
                    "payload LIKE '%u-2001%'") == 1);
    CHECK(rig.count("SELECT count(*) FROM jobs WHERE kind = 'notify_person' AND payload LIKE '%rerouted%' AND "
                    "payload LIKE '%u-4001%'") == 1);
    // The new reviewer can approve; the old one cannot.
    CHECK_FALSE(svc.access.act(p->id, workflow::approve_by("u-2001", svc.clock.now())).has_value());
    CHECK(svc.access.act(p->id, workflow::approve_by("u-3001", svc.clock.now())).has_value());
    CHECK(svc.audit.verify()->ok);
}

TEST_CASE("invalid manifests are refused with every problem, and the ones in force stay", "[reload]")
{
    reload_rig rig;
    const auto first = rig.svc.live.version();
    edit(rig.dir / "bundles" / "api-production.yaml", "risk: high", "risk: extreme");
    edit(rig.dir / "bundles" / "api-staging.yaml", "owner_team:", "owner_team_typo:");
    auto r = rig.reload();
    CHECK_FALSE(r.done.has_value());
    REQUIRE(r.problems.size() >= 2);
    std::string all;
    for (const auto& p : r.problems)
        all += loader::format(p);
    CHECK_THAT(all, Catch::Contains("bundles/api-production.yaml:4: risk"));
    CHECK_THAT(all, Catch::Contains("api-staging.yaml"));
    CHECK(rig.svc.live.version().hash == first.hash);
    CHECK(rig.svc.live.now()->catalog.find("api-production")->level == workflow::risk::high);
    CHECK(rig.count("SELECT count(*) FROM audit_log WHERE action = 'manifests.reloaded'") == 0);
}

TEST_CASE("a reload that changes integrations is refused until a restart", "[reload]")
{
    reload_rig rig;
    const auto first = rig.svc.live.version();
    edit(rig.dir / "checkpoint.yaml", "  - name: customer-acl\n    kind: log",
         "  - name: customer-acl\n    kind: log\n  - name: ticketing\n    kind: log");
    auto r = rig.reload();
    REQUIRE(r.refused.has_value());
    CHECK(r.refused->code == "restart_needed");
    CHECK_THAT(r.refused->message, Catch::Contains("integrations."));
    CHECK(rig.svc.live.version().hash == first.hash);
}

TEST_CASE("a manifests version is the hash of the files loaded, and the git commit of a checkout", "[reload]")
{
    test::temp_dir dir;
    const auto m = dir.path() / "repo" / "manifests";
    std::filesystem::create_directories(m / "bundles");
    test::write_text(m / "checkpoint.yaml", "a: 1\n");
    test::write_text(m / "bundles" / "x.yaml", "name: x\n");
    test::write_text(m / "README.md", "not read\n");
    const auto v1 = bot::manifests_version_of(m);
    CHECK(v1.commit.empty());
    test::write_text(m / "README.md", "still not read\n");
    CHECK(bot::manifests_version_of(m).hash == v1.hash);
    test::write_text(m / "bundles" / "x.yaml", "name: y\n");
    const auto v2 = bot::manifests_version_of(m);
    CHECK(v2.hash != v1.hash);

    // A checkout: HEAD names a branch, whose ref is loose or packed.
    const auto git = dir.path() / "repo" / ".git";
    std::filesystem::create_directories(git / "refs" / "heads");
    test::write_text(git / "HEAD", "ref: refs/heads/main\n");
    test::write_text(git / "refs" / "heads" / "main", "0123456789abcdef0123456789abcdef01234567\n");
    CHECK(bot::manifests_version_of(m).commit == "0123456789abcdef0123456789abcdef01234567");
    std::filesystem::remove(git / "refs" / "heads" / "main");
    test::write_text(git / "packed-refs", "# pack-refs with: peeled\nfedcba9876543210fedcba9876543210fedcba98 refs/heads/main\n");
    CHECK(bot::manifests_version_of(m).commit == "fedcba9876543210fedcba9876543210fedcba98");
    test::write_text(git / "HEAD", "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\n");
    CHECK(bot::manifests_version_of(m).commit == "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd");
    CHECK(bot::manifests_version_of(m).hash == v2.hash);
}
