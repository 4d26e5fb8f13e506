#include "tests/api/api_fixture.hpp"

#include "bot/api/api_internal.hpp"
#include "workflow/reports.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace checkpoint;
using test::body_of;
namespace json = boost::json;
using status = bot::http::status;
using namespace std::chrono_literals;

namespace {

workflow::intent::request ask(std::string target, std::string length, bool break_glass = false)
{
    return {std::move(target), workflow::parse_duration(length).value(), "seeded history", "", break_glass};
}

// A history with known figures, from 2026-11-23 10:00 (t0):
//  a  Lee,  api-staging 1d, auto-approved, access at t0+60s
//  b  Kofi, api-production 7d, approved by Alex at t0+2h, access at t0+2h2m (7320 s)
//  c  Eve,  api-production 3d, approved by Alex at t0+4h, access at t0+4h (14400 s), revoked at t0+1d
//  d  Alex, kubernetes-prod-debug by break-glass (on call), access at t0+30s
//  e  Nina, api-production 7d, still pending
struct history {
    test::api_fixture& f;
    workflow::time_point t0;
    std::string a, b, c, d, e;

    void grant(const std::string& id, workflow::time_point at)
    {
        f.clock.set(at);
        REQUIRE(f.access.act(id, workflow::provisioning_started(at)).has_value());
        REQUIRE(f.access.act(id, workflow::provisioned_at(at)).has_value());
    }
    void approve(const std::string& id, const std::string& by, workflow::time_point at)
    {
        f.clock.set(at);
        REQUIRE(f.access.act(id, workflow::approve_by(by, at)).has_value());
    }

    explicit history(test::api_fixture& fx) : f(fx), t0(fx.clock.now())
    {
        a = f.access.submit("u-2001", ask("api-staging", "1d")).value().id;
        b = f.access.submit("u-4001", ask("api-production", "7d")).value().id;
        c = f.access.submit("u-4002", ask("api-production", "3d")).value().id;
        d = f.access.submit("u-2002", ask("kubernetes-prod-debug", "1h", true)).value().id;
        e = f.access.submit("u-4000", ask("api-production", "7d")).value().id;
        grant(d, t0 + 30s);
        grant(a, t0 + 60s);
        approve(b, "u-2002", t0 + 2h);
        grant(b, t0 + 2h + 2min);
        approve(c, "u-2002", t0 + 4h);
        grant(c, t0 + 4h);
        f.clock.set(t0 + 24h);
        REQUIRE(f.access.act(c, workflow::revoke_by("u-4002", t0 + 24h, "done")).has_value());
        f.clock.set(t0 + 48h);
    }
};

const json::object& row_where(const json::value& report, std::string_view key, std::string_view value)
{
    for (const auto& r : report.at("rows").as_array())
        if (r.at(key).as_string() == value)
            return r.as_object();
    FAIL("no row with " << key << " = " << value);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("reports: percentiles are nearest-rank, the median averages the middle pair", "[reports]")
{
    using workflow::reports::median;
    using workflow::reports::percentile;
    CHECK(median({}) == 0);
    CHECK(median({5}) == 5);
    CHECK(median({1, 3}) == 2);
    CHECK(median({1, 2, 9}) == 2);
    CHECK(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90) == 9);
    CHECK(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90) == 10);
    CHECK(percentile({7}, 90) == 7);
    using workflow::reports::mean;
    CHECK(mean({}) == 0);
    CHECK(mean({1, 2}) == 2); // 1.5 rounds half up
    CHECK(mean({1, 2, 2}) == 2);
    CHECK(mean({10, 20, 60}) == 30);
}

TEST_CASE("reports: figures over a seeded history", "[api][reports]")
{
    test::api_fixture f;
    history h(f);
    const auto auditor = f.token({"audit:read"}, "", "auditor");
    const std::string period = "from=2026-11-23&until=2026-11-24";

    CHECK(f.get("/api/v1/reports/time-to-access?" + period, f.token({"requests"}, "u-2001")).result() ==
          status::forbidden);
    auto unknown = f.get("/api/v1/reports/who-knows?" + period, auditor);
    CHECK(unknown.result() == status::not_found);

    SECTION("time to access: all grants, and manual approvals only")
    {
        auto r = body_of(f.get("/api/v1/reports/time-to-access?" + period, auditor));
        CHECK(r.at("report") == "time-to-access");
        CHECK(r.at("from") == "2026-11-23T00:00:00Z");
        CHECK(r.at("until") == "2026-11-25T00:00:00Z");
        const auto& all = row_where(r, "group", "all");
        // 30, 60, 7320, 14400 seconds
        CHECK(all.at("count") == 4);
        CHECK(all.at("mean_seconds") == 5453); // 5452.5, rounded half up
        CHECK(all.at("median_seconds") == 3690);
        CHECK(all.at("p90_seconds") == 14400);
        const auto& manual = row_where(r, "group", "manual_approval");
        CHECK(manual.at("count") == 2);
        CHECK(manual.at("mean_seconds") == 10860);
        CHECK(manual.at("median_seconds") == 10860);
        CHECK(manual.at("p90_seconds") == 14400);
    }
    SECTION("time to decision: only requests reviewers decided (b and c, approved)")
    {
        auto r = body_of(f.get("/api/v1/reports/time-to-decision?" + period, auditor));
        const auto& all = row_where(r, "group", "all");
        CHECK(all.at("count") == 2); // 7200 and 14400 seconds; the auto, break-glass and pending ones are left out
        CHECK(all.at("mean_seconds") == 10800);
        CHECK(all.at("median_seconds") == 10800);
        CHECK(all.at("p90_seconds") == 14400);
        CHECK(row_where(r, "group", "denied").at("count") == 0);
        CHECK(row_where(r, "group", "denied").at("mean_seconds").is_null());
        CHECK(r.at("summary").at("decided") == 2);
    }
    SECTION("access during a period: one bundle, or every critical bundle")
    {
        auto one = body_of(f.get("/api/v1/reports/access-during?" + period + "&bundle=api-production", auditor));
        CHECK(one.at("rows").as_array().size() == 2);
        CHECK(one.at("summary").at("people") == 2); // Kofi and Eve
        const auto& revoked = row_where(one, "petition", h.c);
        CHECK(revoked.at("until") == "2026-11-24T10:00:00Z");
        auto critical = body_of(f.get("/api/v1/reports/access-during?" + period, auditor));
        REQUIRE(critical.at("rows").as_array().size() == 1);
        CHECK(critical.at("rows").at(0).at("petition").as_string() == h.d);
        auto before = body_of(f.get("/api/v1/reports/access-during?from=2026-11-01&until=2026-11-22&bundle=api-production",
                                    auditor));
        CHECK(before.at("rows").as_array().empty());
    }
    SECTION("bypassed approval lists the break-glass grant")
    {
        auto r = body_of(f.get("/api/v1/reports/bypassed-approval?" + period, auditor));
        REQUIRE(r.at("rows").as_array().size() == 1);
        CHECK(r.at("rows").at(0).at("petition").as_string() == h.d);
        CHECK(r.at("rows").at(0).at("person") == "u-2002");
        CHECK(r.at("summary").at("awaiting_review") == 1);
    }
    SECTION("duration by bundle averages what was asked for")
    {
        auto r = body_of(f.get("/api/v1/reports/duration-by-bundle?" + period, auditor));
        const auto& prod = row_where(r, "target", "api-production");
        CHECK(prod.at("requests") == 3);
        // (7d + 3d + 7d) / 3
        CHECK(prod.at("average_seconds").as_double() == Approx(1468800.0 / 3));
        CHECK(r.at("rows").at(0).at("target") == "api-production");
        CHECK(row_where(r, "target", "api-staging").at("average_seconds").as_double() == Approx(86400.0));
    }
    SECTION("never requested, auto-approval rate, long-lived grants")
    {
        auto never = body_of(f.get("/api/v1/reports/never-requested?" + period, auditor));
        CHECK(never.at("rows").as_array().size() == f.manifests.catalog.bundles().size() - 3);
        for (const auto& r : never.at("rows").as_array())
            CHECK(r.at("bundle") != "api-production");
        auto rate = body_of(f.get("/api/v1/reports/auto-approval-rate?" + period, auditor));
        CHECK(rate.at("summary").at("requests") == 5);
        CHECK(rate.at("summary").at("auto_approved") == 1);
        CHECK(rate.at("summary").at("rate").as_double() == Approx(0.2));
        auto long_lived = body_of(f.get("/api/v1/reports/long-lived-grants?" + period + "&min=5d", auditor));
        REQUIRE(long_lived.at("rows").as_array().size() == 1);
        CHECK(long_lived.at("rows").at(0).at("petition").as_string() == h.b);
    }
    SECTION("CSV has a header row and one line per row")
    {
        auto r = f.get("/api/v1/reports/time-to-access?" + period + "&format=csv", auditor);
        REQUIRE(r.result() == status::ok);
        CHECK(r[bot::http::field::content_type] == "text/csv; charset=utf-8");
        CHECK(r.body() == "group,count,mean_seconds,median_seconds,p90_seconds\r\nall,4,5453,3690,14400\r\n"
                          "manual_approval,2,10860,10860,14400\r\n");
        auto rate = f.get("/api/v1/reports/auto-approval-rate?" + period + "&format=csv", auditor);
        CHECK_THAT(rate.body(), Catch::Contains("\r\napi-staging,1,1,1\r\n"));
        auto bypass = f.get("/api/v1/reports/bypassed-approval?" + period + "&format=csv", auditor);
        CHECK_THAT(bypass.body(), Catch::Contains(",2026-11-23T10:00:00Z,3600,seeded history,no,break_glass,u-2002\r\n"));
    }
}

TEST_CASE("reports: time to decision counts denials, the last step's approval, and leaves out what no one decided",
          "[api][reports]")
{
    test::api_fixture f;
    const auto t0 = f.clock.now();
    const auto denied = f.access.submit("u-4001", ask("api-production", "7d")).value().id;
    const auto approved = f.access.submit("u-4002", ask("api-production", "3d")).value().id;
    const auto withdrawn = f.access.submit("u-4000", ask("api-production", "7d")).value().id;
    f.clock.set(t0 + 30min);
    REQUIRE(f.access.act(denied, workflow::deny_by("u-2002", "use staging", t0 + 30min)).has_value());
    REQUIRE(f.access.act(withdrawn, workflow::cancel_by("u-4000", t0 + 30min)).has_value());
    f.clock.set(t0 + 1h);
    REQUIRE(f.access.act(approved, workflow::approve_by("u-2002", t0 + 1h)).has_value());
    f.clock.set(t0 + 2h);

    workflow::reports::options o;
    o.from = t0 - 1h;
    o.until = t0 + 2h;
    auto t = workflow::reports::run("time-to-decision", f.reports.petitions_filed_before(o.until).value(), f.manifests.catalog, o)
                 .value();
    REQUIRE(t.rows.size() == 3);
    using cells = std::vector<workflow::reports::cell>;
    CHECK(t.rows[0] == cells{std::string("all"), std::int64_t{2}, std::int64_t{2700}, std::int64_t{2700}, std::int64_t{3600}});
    CHECK(t.rows[1] == cells{std::string("approved"), std::int64_t{1}, std::int64_t{3600}, std::int64_t{3600}, std::int64_t{3600}});
    CHECK(t.rows[2] == cells{std::string("denied"), std::int64_t{1}, std::int64_t{1800}, std::int64_t{1800}, std::int64_t{1800}});
}

TEST_CASE("reports: a CSV cell a spreadsheet would run as a formula stays text", "[reports][csv]")
{
    struct row {
        const char* cell;
        const char* written;
    };
    const row rows[] = {
        {"plain", "plain"},
        {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
        {"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
        {"-2+3", "'-2+3"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tleading tab", "'\tleading tab"},
        {"-12", "-12"},   // a number stays a number
        {"3.5", "3.5"},
        {"a, b", "\"a, b\""},
        {"", ""},
    };
    for (const auto& r : rows) {
        INFO(r.cell);
        CHECK(bot::api::csv_escape(r.cell) == r.written);
    }
}

TEST_CASE("the catalog shows each bundle's history: usual durations, time to approval, the latest requests",
          "[api][bundles]")
{
    test::api_fixture f;
    history h(f);
    const auto lee = f.token({"requests"}, "u-2001", "lee");
    auto r = f.get("/api/v1/bundles/api-production", lee);
    REQUIRE(r.result() == status::ok);
    const auto b = body_of(r);
    INFO(json::serialize(b));
    const auto& hist = b.at("history");
    CHECK(hist.at("days") == 90);
    CHECK(hist.at("requests") == 3); // Kofi's and Eve's granted, Nina's pending
    CHECK(hist.at("granted") == 2);
    CHECK(hist.at("typical") == "Most requests are approved for 3–7 days");
    CHECK(hist.at("typical_durations") == json::array{"3d", "7d"});
    CHECK(hist.at("median_time_to_approval_seconds") == 7200); // 2 h and 4 h: nearest rank
    const auto& recent = hist.at("recent").as_array();
    REQUIRE(recent.size() == 3);
    // All three were filed in the same instant: who, for how long and how it went, in any order.
    std::set<std::string> seen;
    for (const auto& x : recent)
        seen.insert(std::string(x.at("person").as_string()) + " " + std::string(x.at("duration").as_string()) + " " +
                    std::string(x.at("state").as_string()));
    CHECK(seen == std::set<std::string>{"Nina Alvarez 7d pending", "Eve Moreau 3d revoked", "Kofi Mensah 7d active"});

    // The list has it for every bundle, from one read; a bundle nobody asked for says so.
    auto all = body_of(f.get("/api/v1/bundles?limit=200", lee));
    bool never_seen = false;
    for (const auto& item : all.at("items").as_array()) {
        CHECK(item.as_object().contains("history"));
        if (item.at("name") == "data-warehouse") {
            never_seen = item.at("history").at("requests") == 0;
            CHECK(item.at("history").at("typical").is_null());
        }
    }
    CHECK(never_seen);
}
