// The fake Slack Web API on its own, for manual trials and scripts: prints its API URL, then one
// line per call, until SIGINT or SIGTERM.
#include "tests/fakes/slack/fake_slack.hpp"

#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

void usage()
{
    std::cerr << "usage: fake_slack [--port N] [--token TOKEN] [--user ID,EMAIL,NAME]...\n";
}

} // namespace

int main(int argc, char** argv)
{
    checkpoint::test::fake_slack_options options;
    std::vector<checkpoint::test::fake_slack_user> users;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const std::string value = argv[++i];
        if (arg == "--port") {
            options.port = static_cast<unsigned short>(std::stoul(value));
        } else if (arg == "--token") {
            options.token = value;
        } else if (arg == "--user") {
            const auto a = value.find(','), b = value.find(',', a + 1);
            if (a == std::string::npos || b == std::string::npos) {
                usage();
                return 2;
            }
            users.push_back({value.substr(0, a), value.substr(a + 1, b - a - 1), value.substr(b + 1)});
        } else {
            usage();
            return 2;
        }
    }
    options.on_call = [](const checkpoint::test::fake_slack_call& call) {
        std::cout << call.method << ' ' << call.status << ' ' << (call.ok() ? "ok" : call.error()) << ' '
                  << boost::json::serialize(call.args) << std::endl;
    };

    // Block the signals before the server thread starts so only sigwait sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    checkpoint::test::fake_slack slack(options);
    for (auto& user : users)
        slack.add_user(std::move(user));
    std::cout << "port " << slack.port() << "\napi_url " << slack.api_url() << "\ntoken " << slack.token()
              << "\nclient_id " << options.client_id << "\nclient_secret " << options.client_secret << std::endl;

    int received = 0;
    sigwait(&signals, &received);
    return EXIT_SUCCESS;
}
