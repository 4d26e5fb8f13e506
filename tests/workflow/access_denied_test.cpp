#include "fixture.hpp"
#include "workflow/access_denied.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::workflow;
using namespace checkpoint::workflow::test;

namespace {

bundle granting(std::string name, risk level, std::vector<provision_param> params, bool deprecated = false)
{
    auto b = make_bundle(std::move(name), "api-team", level);
    b.provision.params = std::move(params);
    b.deprecated = deprecated;
    return b;
}

std::vector<std::string> names_of(const std::vector<denied_match>& ms)
{
    std::vector<std::string> out;
    for (const auto& m : ms)
        out.push_back(m.bundle + (m.held ? " (held)" : ""));
    return out;
}

} // namespace

TEST_CASE("a denied entitlement is matched to the bundles that grant it, the best fit first")
{
    const catalog c({
        granting("s3-read", risk::medium, {{"policies", {"s3-read"}, true}}),
        granting("api-production", risk::high, {{"permission_set", {"api-production"}, false},
                                                {"policies", {"s3-read", "rds-connect"}, true}}),
        granting("api-admin", risk::critical, {{"permission_set", {"api-admin"}, false},
                                               {"policies", {"s3-read", "rds-write"}, true}}),
        granting("api-legacy", risk::low, {{"policies", {"s3-read"}, true}}, true),
        granting("rds-connect-only", risk::high, {{"policies", {"rds-connect"}, true}}),
    });
    struct row {
        const char* name;
        std::string entitlement;
        std::set<std::string, std::less<>> held;
        std::vector<std::string> want;
        std::string first_matched;
    };
    const std::vector<row> rows{
        {"a value: lowest risk first, deprecated left out", "s3-read", {},
         {"s3-read", "api-production", "api-admin"}, "s3-read"},
        {"what is held goes last", "s3-read", {"s3-read"},
         {"api-production", "api-admin", "s3-read (held)"}, "policies: s3-read"},
        {"key: value, any case and spacing", "  Permission_Set: API-Production ", {}, {"api-production"},
         "permission_set: api-production"},
        {"key:value without the space", "policies:rds-write", {}, {"api-admin"}, "policies: rds-write"},
        {"same risk: the tighter grant first", "rds-connect", {}, {"rds-connect-only", "api-production"},
         "policies: rds-connect"},
        {"a bundle's own name", "api-admin", {}, {"api-admin"}, "api-admin"},
        {"nothing grants it", "s3:DeleteBucket", {}, {}, ""},
        {"empty", "   ", {}, {}, ""},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        const auto got = bundles_granting(c, r.entitlement, r.held);
        CHECK(names_of(got) == r.want);
        if (!got.empty())
            CHECK(got.front().matched == r.first_matched);
    }
}
