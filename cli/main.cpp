#include "outbound/beast_http_client.hpp"
#include "cli/app.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    using namespace checkpoint;
    cli::environment env{
        .out = std::cout,
        .err = std::cerr,
        .out_is_tty = isatty(STDOUT_FILENO) == 1,
        .env = [](std::string_view name) -> std::optional<std::string> {
            if (const char* v = std::getenv(std::string(name).c_str()))
                return std::string(v);
            return std::nullopt;
        },
        .read_file = [](const std::string& path) -> std::optional<std::string> {
            std::ifstream in(path, std::ios::binary);
            if (!in)
                return std::nullopt;
            // Never more than the largest upload and a byte: callers see a larger file as too large.
            std::string text(cli::max_read_bytes + 1, '\0');
            in.read(text.data(), static_cast<std::streamsize>(text.size()));
            text.resize(static_cast<std::size_t>(in.gcount()));
            return text;
        },
        .file_mode = [](const std::string& path) -> std::optional<unsigned> {
            struct stat st {};
            if (::stat(path.c_str(), &st) != 0)
                return std::nullopt;
            return static_cast<unsigned>(st.st_mode);
        },
        .make_http = [] {
            outbound::beast_http_client_options o;
            // Reports and long lists are larger than the Slack answers the default is sized for.
            o.max_body_bytes = 64 * 1024 * 1024;
            o.user_agent = "checkpoint-cli/0.1";
            return std::unique_ptr<outbound::http_client>(std::make_unique<outbound::beast_http_client>(o));
        },
    };
    return cli::run(std::vector<std::string>(argv + 1, argv + argc), env);
}
