// A provisioning receiver to try Checkpoint's webhook integration by hand.
#include "tests/fakes/webhook/fake_webhook.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"fake_webhook: a loopback webhook receiver that verifies signatures and prints each event"};
    std::string secret = "test-secret";
    std::uint16_t port = 0;
    app.add_option("--secret", secret, "the shared signing secret (the value of the integration's secret_env)");
    app.add_option("--port", port, "port on 127.0.0.1; 0 picks a free one");
    CLI11_PARSE(app, argc, argv);

    // Blocked before the server thread starts, so only this thread takes SIGINT / SIGTERM.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    checkpoint::test::fake_webhook hook(secret, port);
    std::cout << "listening on " << hook.url() << std::endl;

    std::size_t seen = 0;
    const timespec zero{};
    while (sigtimedwait(&stop, nullptr, &zero) < 0) {
        hook.wait_for([&](const auto& log) { return log.requests.size() > seen; }, std::chrono::milliseconds{250});
        const auto log = hook.snapshot();
        for (; seen < log.requests.size(); ++seen) {
            const auto& r = log.requests[seen];
            std::cout << r.method << ' ' << r.target << " key=" << r.idempotency_key
                      << " signature=" << (r.signature_format.empty() ? "none" : r.signature_format)
                      << (r.signature_valid ? " ok" : " BAD") << " -> " << r.answered << '\n'
                      << "  " << r.body << std::endl;
        }
    }
    return 0;
}
