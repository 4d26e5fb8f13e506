#include "app/effect_jobs.hpp"
#include "app/jobs.hpp"
#include "bot/job_handlers.hpp"
#include "tests/bot/service_fixture.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint;

namespace {

workflow::job as_job(const workflow::job_spec& s)
{
    workflow::job j;
    j.kind = s.kind;
    j.key = s.key;
    j.payload = s.payload;
    return j;
}

workflow::job with_payload(std::string payload)
{
    workflow::job j;
    j.kind = "post_card";
    j.key = "p-1/v1/0";
    j.payload = std::move(payload);
    return j;
}

} // namespace

TEST_CASE("every job kind has a name that reads back, and the service registers one handler for each")
{
    for (auto k : app::all_job_kinds) {
        INFO(app::name(k));
        CHECK(app::parse_job_kind(app::name(k)) == k);
    }
    CHECK_FALSE(app::parse_job_kind("post_cards"));
    // Effects carried out at once become the job kind of the same name (app::plan_write).
    for (auto e : {workflow::effect_kind::notify_person, workflow::effect_kind::notify_channel,
                   workflow::effect_kind::post_card, workflow::effect_kind::update_cards,
                   workflow::effect_kind::provision}) {
        INFO(app::name(e));
        CHECK(app::parse_job_kind(app::name(e)));
    }
    CHECK_FALSE(app::parse_job_kind(""));

    test::service_fixture svc;
    bot::register_job_handlers(svc.runner, svc.ctx);
    CHECK(bot::jobs_without_handler(svc.runner).empty());
}

TEST_CASE("each payload survives the trip through its job, field for field")
{
    const workflow::time_point at{std::chrono::milliseconds{1'795'428'000'123}};
    {
        app::effect_payload p{"p-1", 3, "notify_person", "approved", workflow::notice::approved, "u-2001", 1, at};
        auto back = app::effect_of(as_job(app::job(app::job_kind::notify_person, "k", app::encode(p), at))).value();
        CHECK(back.petition_id == "p-1");
        CHECK(back.version == 3);
        CHECK(back.effect == "notify_person");
        CHECK(back.what == workflow::notice::approved);
        CHECK(back.to == "u-2001");
        CHECK(back.step == 1);
        CHECK(back.at == at);
    }
    {
        auto back = app::revoke_of(as_job(app::job(app::job_kind::revoke, "k",
                                                   app::encode(app::revoke_payload{"u-1", "api-production", "p-1"}), at)))
                        .value();
        CHECK(back.person == "u-1");
        CHECK(back.entitlement == "api-production");
        CHECK(back.petition_id == "p-1");
    }
    {
        auto back = app::ephemeral_of(as_job(app::job(app::job_kind::post_ephemeral, "k",
                                                      app::encode(app::ephemeral_payload{"", "U1", {{"text", "hi"}}}), at)))
                        .value();
        CHECK(back.channel.empty());
        CHECK(back.user == "U1");
        CHECK(back.message.at("text") == "hi");
    }
    {
        auto back = app::home_of(as_job(app::job(app::job_kind::publish_home, "k",
                                                 app::encode(app::home_payload{"", "U1"}), at)))
                        .value();
        CHECK(back.person.empty());
        CHECK(back.user == "U1");
    }
    {
        auto back = app::view_of(as_job(app::job(app::job_kind::update_view, "k",
                                                 app::encode(app::view_payload{"V1", "h", {{"type", "modal"}}}), at)))
                        .value();
        CHECK(back.view_id == "V1");
        CHECK(back.hash == "h");
        CHECK(back.view.at("type") == "modal");
    }
    {
        auto scheduled = app::sync_of(as_job(app::job(app::job_kind::sync_resources, "k",
                                                      app::encode(app::sync_payload{"customer", 42}), at)))
                             .value();
        CHECK(scheduled.kind == "customer");
        CHECK(scheduled.period == 42);
        auto now = app::sync_of(as_job(app::job(app::job_kind::sync_resources, "k",
                                                app::encode(app::sync_payload{"customer", std::nullopt}), at)))
                       .value();
        CHECK_FALSE(now.period);
    }
    {
        auto back = app::thread_of(as_job(app::job(app::job_kind::post_in_thread, "k",
                                                   app::encode(app::thread_payload{"C1", {{"text", "?"}}}), at)))
                        .value();
        CHECK(back.channel == "C1");
        CHECK(back.message.at("text") == "?");
    }
}

TEST_CASE("a payload that cannot be read says which job and what is wrong")
{
    struct row {
        std::string payload;
        std::string says;
    };
    const row rows[] = {
        {"not json", "not JSON"},
        {"[1, 2]", "not a JSON object"},
        {"{}", "petition_id"},
        {R"({"petition_id": 7})", "\"petition_id\" is not a string"},
        {R"({"petition_id": "p-1", "notice": "weather"})", "unknown notice 'weather'"},
        {R"({"petition_id": "p-1", "step": "two"})", "\"step\" is not a number"},
    };
    for (const auto& r : rows) {
        INFO(r.payload);
        auto p = app::effect_of(with_payload(r.payload));
        REQUIRE_FALSE(p.has_value());
        CHECK(p.error().code == "bad_payload");
        CHECK_THAT(p.error().message, Catch::Contains("p-1/v1/0") && Catch::Contains(r.says));
    }
    CHECK_THAT(app::home_of(with_payload("{}")).error().message, Catch::Contains("person or user"));
    CHECK_THAT(app::revoke_of(with_payload(R"({"person": "u-1"})")).error().message, Catch::Contains("entitlement"));
    CHECK_THAT(app::view_of(with_payload(R"({"view_id": "V1"})")).error().message, Catch::Contains("\"view\""));
    CHECK_THAT(app::sync_of(with_payload(R"({"kind": "customer", "period": "soon"})")).error().message,
               Catch::Contains("period"));
}
