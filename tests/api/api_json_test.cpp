#include "bot/api/api_json.hpp"
#include "tests/blocks/scenario.hpp"

#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace checkpoint;
namespace json = boost::json;
namespace scenario = checkpoint::blocks::test;

namespace {

workflow::bundle without_descriptions()
{
    auto b = *scenario::example().catalog.find("api-production");
    b.entitlements.clear();
    return b;
}

} // namespace

TEST_CASE("api: a bundle's and its petition's entitlements are the manifest's words, with the raw params beside")
{
    struct row {
        const char* name;
        workflow::bundle bundle;
        std::string entitlements;
        std::string provision_params;
    };
    const std::string params = R"(["permission_set: api-production","policies: api-prod-s3-read","policies: api-rds-connect"])";
    auto r = GENERATE_COPY(values<row>({
        {"descriptions from the manifest", *scenario::example().catalog.find("api-production"),
         R"J(["AWS permission set via IAM Identity Center (prod IAM role for S3)",)J"
         R"J("Read-only on production API RDS (api-production cluster)","Vault paths for api-production secrets (read)"])J",
         params},
        {"no descriptions: the provision params, as before", without_descriptions(), params, params},
        {"neither", [] {
             auto b = without_descriptions();
             b.provision.params.clear();
             return b;
         }(),
         "[]", "[]"},
    }));
    INFO(r.name);
    const auto b = bot::api::bundle_json(r.bundle);
    CHECK(json::serialize(b.at("entitlements")) == r.entitlements);
    CHECK(json::serialize(b.at("provision_params")) == r.provision_params);

    const auto p = scenario::filed("p-1", scenario::decided("u-2001", "api-production", "1d"), "on call");
    const auto pj = bot::api::petition_json(p, scenario::example().directory, {}, &r.bundle);
    CHECK(pj.at("entitlements") == b.at("entitlements"));
    CHECK(pj.at("provision_params") == b.at("provision_params"));
}

TEST_CASE("api: a resource petition's entitlement is the resource, with no provision params")
{
    const auto p = scenario::filed("p-2", scenario::decided("u-6001", "customer:123", "4h"), "BUG-482");
    const auto pj = bot::api::petition_json(p, scenario::example().directory, "Acme Corp");
    CHECK(json::serialize(pj.at("entitlements")) == R"(["customer:123"])");
    CHECK(json::serialize(pj.at("provision_params")) == "[]");
}
