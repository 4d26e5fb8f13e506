#include "bot/integrations/integration_factory.hpp"
#include "bot/integrations/log_integration.hpp"
#include "bot/integrations/webhook_integration.hpp"
#include "outbound/beast_http_client.hpp"
#include "tests/bot/integrations/sample_events.hpp"
#include "tests/fakes/webhook/fake_webhook.hpp"

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using namespace checkpoint;
using namespace checkpoint::bot;
using namespace std::chrono_literals;

namespace {

// Routes spdlog's default logger into a string for the test's lifetime.
class captured_log {
public:
    captured_log() : previous_(spdlog::default_logger())
    {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
        auto logger = std::make_shared<spdlog::logger>("captured", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~captured_log() { spdlog::set_default_logger(previous_); }
    captured_log(const captured_log&) = delete;
    captured_log& operator=(const captured_log&) = delete;

    std::string text() const { return text_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream text_;
};

} // namespace

TEST_CASE("the log integration records the event and succeeds")
{
    captured_log log;
    log_integration integration("staging-access");
    const auto out = integration.deliver(test::sample_grant());
    CHECK(out.is_done());
    CHECK(integration.name() == "staging-access");
    CHECK_THAT(log.text(), Catch::Contains("staging-access"));
    CHECK_THAT(log.text(), Catch::Contains(R"("event":"access/grant")"));
    CHECK_THAT(log.text(), Catch::Contains("job-17:grant"));
}

TEST_CASE("the signing secret appears in no log line and no outcome")
{
    // given a webhook whose secret is in the environment
    const std::string secret = "sk-live-THIS-MUST-NEVER-BE-LOGGED";
    ::setenv("CHECKPOINT_TEST_LOGGED_SECRET", secret.c_str(), 1);
    test::fake_webhook hook(secret);
    outbound::beast_http_client http;
    workflow::system_clock clock;
    captured_log log;
    webhook_integration integration("provisioner",
                                    webhook_settings{hook.url(), "CHECKPOINT_TEST_LOGGED_SECRET",
                                                     workflow::webhook_format::checkpoint, 1000ms},
                                    http, clock);
    // when deliveries succeed, fail, and are retried
    hook.queue(test::webhook_reply::with_status(500));
    hook.queue(test::webhook_reply::error_object("rejected"));
    std::vector<delivery_outcome> outs;
    for (int i = 0; i < 3; ++i)
        outs.push_back(integration.deliver(test::sample_grant()));
    // and the factory builds one while the variable is unset
    ::unsetenv("CHECKPOINT_TEST_LOGGED_SECRET");
    workflow::integration decl{"provisioner", workflow::integration_kind::webhook, hook.url(),
                               "CHECKPOINT_TEST_LOGGED_SECRET", workflow::webhook_format::indent,
                               workflow::duration{1}, {}};
    auto made = make_integration(decl, integration_context{http, clock});
    REQUIRE(made.has_value());
    outs.push_back((*made)->deliver(test::sample_grant()));

    // then things were logged, and none of it holds the secret
    CHECK(outs[0].is_retry());
    CHECK(outs[1].is_permanent_failure());
    CHECK(outs[2].is_done());
    CHECK(outs[3].is_permanent_failure());
    const std::string text = log.text();
    CHECK_THAT(text, Catch::Contains("CHECKPOINT_TEST_LOGGED_SECRET"));
    CHECK_THAT(text, Catch::Contains("provisioner"));
    CHECK_THAT(text, !Catch::Contains(secret));
    for (const auto& o : outs)
        CHECK_THAT(o.message, !Catch::Contains(secret));
}
