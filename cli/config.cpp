#include "cli/config.hpp"

#include <boost/url/parse.hpp>

namespace checkpoint::cli {

namespace {

// A config file holds two lines; anything larger is not one.
constexpr std::size_t max_config_bytes = 64 * 1024;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

workflow::error config_error(std::string message) { return workflow::error{"config", std::move(message)}; }

} // namespace

std::string config_path(const env_lookup& env)
{
    if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty())
        return *xdg + "/checkpoint/config";
    if (auto home = env("HOME"); home && !home->empty())
        return *home + "/.config/checkpoint/config";
    return {};
}

workflow::result<config> parse_config(std::string_view text, const std::string& file)
{
    if (text.size() > max_config_bytes)
        return config_error(file + " is larger than 64 KiB; it should hold only `url = …` and `token = …`.");
    config c;
    c.file = file;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line.empty() || line.front() == '#')
            continue;
        const auto eq = line.find('=');
        const std::string where = file + ":" + std::to_string(line_no) + ": ";
        if (eq == std::string_view::npos)
            return config_error(where + "expected `key = value`; the keys are url and token.");
        const auto key = trim(line.substr(0, eq));
        const auto value = trim(line.substr(eq + 1));
        if (key == "url")
            c.url = value;
        else if (key == "token")
            c.token = value;
        else
            return config_error(where + "unknown key \"" + std::string(key) + "\"; the keys are url and token.");
    }
    return c;
}

workflow::result<config> load_config(const env_lookup& env, const file_lookup& read)
{
    config c;
    if (const auto path = config_path(env); !path.empty()) {
        // Named in errors even when absent: it is where the settings can go.
        c.file = path;
        if (auto text = read(path)) {
            auto parsed = parse_config(*text, path);
            if (!parsed)
                return parsed.error();
            c = std::move(*parsed);
        }
    }
    if (auto url = env("CHECKPOINT_URL"); url && !url->empty())
        c.url = *url;
    if (auto token = env("CHECKPOINT_TOKEN"); token && !token->empty())
        c.token = *token;
    return c;
}

std::string permission_warning(const config& c, unsigned mode)
{
    // Group or other may read it (S_IRGRP | S_IROTH).
    if (c.file.empty() || c.token.empty() || (mode & 044u) == 0)
        return {};
    return "warning: " + c.file + " holds an API token and others can read it; run: chmod 600 " + c.file;
}

workflow::result<void> check_for_server(const config& c)
{
    const std::string where = c.file.empty() ? std::string("a config file") : c.file;
    if (c.url.empty())
        return config_error("no server URL: set CHECKPOINT_URL (e.g. https://checkpoint.example.com) or `url = …` in " +
                            where + ".");
    auto u = boost::urls::parse_absolute_uri(c.url);
    if (!u || (u->scheme() != "https" && u->scheme() != "http") || u->host().empty())
        return config_error("the server URL \"" + c.url + "\" is not an http:// or https:// URL.");
    if (c.token.empty())
        return config_error("no API token: set CHECKPOINT_TOKEN or `token = …` in " + where +
                            "; an admin creates one with `checkpoint tokens create`.");
    if (u->scheme() == "http") {
        const auto host = u->host();
        const bool loopback = host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1" ||
                              host.starts_with("127.");
        if (!loopback)
            return config_error("refusing to send the API token in clear text to " + std::string(host) +
                                "; use an https:// URL (http:// is allowed only for localhost).");
    }
    return {};
}

} // namespace checkpoint::cli
