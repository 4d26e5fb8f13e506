// Directory records (SCIM, HR imports) laid over the manifests' directory, and the access that ends when its
// holder leaves it.
#include "fixture.hpp"
#include "workflow/directory_overlay.hpp"
#include "workflow/directory_store.hpp"
#include "workflow/policy_change.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;

namespace {

directory_record rec(std::string key, std::string user_name, std::string source = "scim")
{
    directory_record r;
    r.key = std::move(key);
    r.source = std::move(source);
    r.user_name = std::move(user_name);
    return r;
}

std::string manager_of(const manifests& m, const std::string& id)
{
    const auto& d = m.directory;
    auto i = d.find(id);
    REQUIRE(i != no_person);
    auto boss = d.manager_of(i);
    return boss == no_person ? std::string("-") : d.at(boss).id;
}

std::vector<std::string> members(const manifests& m, const std::string& group)
{
    std::vector<std::string> out;
    for (auto i : m.directory.group_members(group))
        out.push_back(m.directory.at(i).id);
    return out;
}

} // namespace

TEST_CASE("records lay over the manifests' people by user name, external id or email", "[directory]")
{
    const auto base = company();
    struct row {
        std::string what;
        directory_overlay records;
        // A person reference, and what is expected of them afterwards ("gone" for out of the directory).
        std::string who;
        std::string name;
        std::string team;
        std::string manager;
    };
    auto lee_by_email = rec("1", "lee.lin@corp.example");
    lee_by_email.email = "lee@example.com";
    lee_by_email.name = "Lee Lin-Park";
    auto lee_moves = rec("1", "lee");
    lee_moves.team = "data-platform";
    lee_moves.manager = "raj";
    auto lee_off = rec("1", "lee");
    lee_off.active = false;
    auto lee_external = rec("1", "nobody-matches");
    lee_external.external_id = "lee";
    lee_external.name = "Lee by external id";
    auto zoe = rec("z", "Zoe@Example.com");
    zoe.team = "api-team";
    zoe.manager = "m";  // a record key of the same source: Mary's record
    auto mary = rec("m", "mary");
    auto zoe_then_off = zoe;
    zoe_then_off.active = false;
    auto imported = rec("lee", "lee", "import");
    imported.name = "Lee (HR)";
    auto scim_lee = rec("1", "lee");
    scim_lee.name = "Lee (IdP)";
    const std::vector<row> rows{
        {"nothing laid over", {}, "lee", "Lee Lin", "api-team", "mary"},
        {"matched by email, the name replaced, the rest kept", {{lee_by_email}, {}}, "lee", "Lee Lin-Park", "api-team", "mary"},
        {"matched by id: a move to another team and manager", {{lee_moves}, {}}, "lee", "Lee Lin", "data-platform", "raj"},
        {"matched by external id", {{lee_external}, {}}, "lee", "Lee by external id", "api-team", "mary"},
        {"deactivated: out of the directory", {{lee_off}, {}}, "lee", "gone", "", ""},
        {"a new person joins under their user name, managed by a record's key", {{mary, zoe}, {}}, "zoe@example.com",
         "zoe@example.com", "api-team", "mary"},
        {"a new person deactivated later is gone", {{zoe, mary, zoe_then_off}, {}}, "zoe@example.com", "gone", "", ""},
        {"the later record wins", {{imported, scim_lee}, {}}, "lee", "Lee (IdP)", "api-team", "mary"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        const auto m = lay_over(base, r.records);
        const auto i = m.directory.find(r.who);
        if (r.name == "gone") {
            CHECK(i == no_person);
            continue;
        }
        REQUIRE(i != no_person);
        CHECK(m.directory.at(i).name == r.name);
        CHECK(m.directory.at(i).team == r.team);
        CHECK(manager_of(m, r.who) == r.manager);
        // Bundles and settings are the manifests'.
        CHECK(m.catalog.bundles().size() == base.catalog.bundles().size());
    }
}

TEST_CASE("a deactivated manager leaves their reports without one, and groups and rotations without them", "[directory]")
{
    auto mary_off = rec("m", "mary");
    mary_off.active = false;
    auto ivy_off = rec("i", "ivy");
    ivy_off.active = false;
    const auto m = lay_over(company(), {{mary_off, ivy_off}, {}});
    CHECK(manager_of(m, "lee") == "-");
    CHECK(members(m, "leads") == std::vector<std::string>{"boss"});
    CHECK(m.directory.on_call("production", nov(3)) == m.directory.find("alex"));
}

TEST_CASE("a group record sets its group's members - record keys and references both name them", "[directory]")
{
    directory_group_record leads{"g1", "scim", "leads", "", {"r-pat", "quinn"}, "", {}, {}};
    directory_group_record fresh{"g2", "scim", "reviewers", "", {"mia"}, "", {}, {}};
    const auto m = lay_over(company(), {{rec("r-pat", "pat")}, {leads, fresh}});
    CHECK(members(m, "leads") == std::vector<std::string>{"pat", "quinn"});
    CHECK(members(m, "reviewers") == std::vector<std::string>{"mia"});
}

TEST_CASE("a change puts records in place, removes those of its source, and leaves other sources", "[directory]")
{
    directory_overlay o{{rec("1", "lee"), rec("2", "alex"), rec("lee", "lee", "import")}, {}};
    directory_change c;
    c.source = "scim";
    c.remove_people = {"2", "lee"};
    auto lee = rec("1", "lee");
    lee.name = "changed";
    c.put_people = {lee, rec("3", "mia")};
    const auto next = apply_change(o, c);
    REQUIRE(next.people.size() == 3);
    CHECK(next.people[0].key == "1");
    CHECK(next.people[0].name == "changed");
    CHECK(next.people[1].source == "import");
    CHECK(next.people[2].key == "3");
}

TEST_CASE("the access of someone who leaves the directory ends - others' and past grants stay", "[directory]")
{
    const auto m = company();
    auto lee_off = rec("1", "lee");
    lee_off.active = false;
    const auto next = lay_over(m, {{lee_off}, {}});
    auto staging = decide(m, {"lee", "api-staging", std::chrono::hours{24}}, nov(25));
    REQUIRE(staging.has_value());
    auto held = file(*staging, {"p-lee", "a reason", "", ""}, nov(25)).petition;
    auto alexs = file(*decide(m, {"alex", "api-staging", std::chrono::hours{24}}, nov(25)), {"p-alex", "r", "", ""}, nov(25)).petition;
    auto over = held;
    over.id = "p-old";
    over.state = petition_state::expired;
    struct row {
        petition_state state;
        bool ends;
    };
    for (auto [state, ends] : {row{petition_state::approved, true}, row{petition_state::provisioning, true},
                               row{petition_state::active, true}, row{petition_state::expired, false},
                               row{petition_state::revoked, false}}) {
        INFO(name(state));
        held.state = state;
        auto d = plan_departures(std::vector<petition>{held, alexs}, next, nov(26));
        REQUIRE(d.size() == (ends ? 1u : 0u));
        if (!ends)
            continue;
        CHECK(d[0].petition_id == "p-lee");
        CHECK(d[0].change.kind == event_kind::revoke);
        CHECK(d[0].change.by == "checkpoint");
        CHECK(d[0].change.reason == "lee is no longer in the directory");
        if (state == petition_state::active) {
            // The state machine takes it: the service may revoke it.
            auto t = apply(held, d[0].change, next.directory);
            REQUIRE(t.has_value());
            CHECK(t->petition.state == petition_state::revoked);
        }
    }
}

TEST_CASE("a record is bound once: to the record it replaces, a record naming the same person, or the manifests",
          "[directory]")
{
    const auto base = company();
    auto bound_lee = rec("1", "lee@corp.example", "scim");
    bound_lee.person = "lee";
    const directory_overlay in_force{{bound_lee}, {}};
    struct row {
        std::string what;
        directory_record r;
        std::string person;
    };
    auto renamed = rec("1", "lee.lin@corp.example");
    auto same_name_other_source = rec("lee-hr", "LEE@corp.example", "import");
    auto by_id_other_case = rec("9", "MIA");
    auto nobody = rec("8", "Zoe@Example.com");
    const std::vector<row> rows{
        {"the record it replaces keeps its person, whatever its new user name", renamed, "lee"},
        {"another source's record naming the same user name", same_name_other_source, "lee"},
        {"the manifests' id, in another case", by_id_other_case, "mia"},
        {"nobody: a new person under the user name", nobody, "zoe@example.com"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        CHECK(bind_record(r.r, base.directory, in_force) == r.person);
    }
    // Bound records follow their person through renames; any inactive one takes them out.
    auto moved = renamed;
    moved.person = "lee";
    moved.email = "lee.lin@corp.example";
    auto hr = same_name_other_source;
    hr.person = "lee";
    hr.active = false;
    auto back = moved;
    back.key = "2";
    const auto m = lay_over(base, {{moved, hr, back}, {}});
    CHECK(m.directory.find("lee") == no_person);
    CHECK(m.directory.size() == base.directory.size() - 1);
}

TEST_CASE("two people may not share an email, an external id or a Slack id", "[directory]")
{
    auto m = company();
    CHECK(identity_conflicts(m.directory).empty());
    auto lee = rec("1", "lee");
    lee.person = "lee";
    lee.email = "MIA@example.com";
    auto mia = rec("2", "mia");
    mia.person = "mia";
    mia.email = "mia@example.com";
    const auto both = lay_over(m, {{lee, mia}, {}});
    CHECK(identity_conflicts(both.directory) == std::vector<std::string>{"email mia@example.com: lee and mia"});
}
