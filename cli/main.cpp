#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    CLI::App app{"checkpoint: request, review and audit temporary access through a Checkpoint server.\n"
                 "Configured by CHECKPOINT_URL and CHECKPOINT_TOKEN."};
    app.set_version_flag("--version", "checkpoint 0.1.0");
    app.require_subcommand(0, 1);
    CLI11_PARSE(app, argc, argv);
    if (app.get_subcommands().empty()) {
        std::cout << app.help();
        return 0;
    }
    return 0;
}
