#include "cli/api_client.hpp"

#include "cli/render.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/url.hpp>

namespace checkpoint::cli {

namespace json = boost::json;

std::optional<std::string> api_answer::header(std::string_view name) const
{
    outbound::outbound_response r;
    r.headers = headers;
    if (auto v = r.header(name))
        return std::string(*v);
    return std::nullopt;
}

api_client::api_client(outbound::http_client& http, std::string base_url, std::string token)
    : http_(http), base_url_(std::move(base_url)), token_(std::move(token))
{
    while (!base_url_.empty() && base_url_.back() == '/')
        base_url_.pop_back();
    // The server's address is wanted; one copied with the API's prefix works the same.
    if (base_url_.ends_with("/api/v1"))
        base_url_.resize(base_url_.size() - std::string_view("/api/v1").size());
}

std::string api_client::segment(std::string_view s) { return boost::urls::encode(s, boost::urls::pchars); }

workflow::result<api_answer> api_client::call(std::string_view method, std::string_view path, const query& q,
                                              const std::optional<json::value>& body,
                                              std::chrono::milliseconds timeout)
{
    auto parsed = boost::urls::parse_absolute_uri(base_url_);
    if (!parsed)
        return workflow::error{"config", "the server URL \"" + base_url_ + "\" is not a URL."};
    boost::urls::url u(*parsed);
    u.set_encoded_path(std::string(u.encoded_path()) + "/api/v1" + std::string(path));
    for (const auto& [k, v] : q)
        u.params().append({k, v});

    outbound::outbound_request req;
    req.method = std::string(method);
    req.url = std::string(u.buffer());
    req.timeout = timeout;
    req.headers.emplace_back("Authorization", "Bearer " + token_);
    req.headers.emplace_back("Accept", "application/json");
    if (body) {
        req.headers.emplace_back("Content-Type", "application/json");
        req.body = json::serialize(*body);
    }
    last_error_body_.reset();
    auto [response, failure] = http_.send(req);
    if (!response) {
        // The message names the URL without the token, which never goes into a URL.
        // The transport's message repeats the URL: keep only the system's reason from its end.
        std::string reason = failure->message;
        if (const auto colon = reason.rfind(": "); colon != std::string::npos)
            reason = reason.substr(colon + 2);
        return workflow::error{"network", "cannot reach " + base_url_ + ": " + std::string(outbound::to_string(failure->kind)) +
                                              (reason.empty() ? "" : ": " + reason) +
                                              ". Is checkpointd running there, and is CHECKPOINT_URL (or --url) right?"};
    }
    if (response->status < 200 || response->status >= 300) {
        // The server's own code ("refused", "conflict", …) for scripts reading --json; "api" when it gave none.
        std::string code = "api";
        boost::system::error_code ec;
        auto v = json::parse(response->body, ec);
        if (!ec && v.is_object())
            if (const auto* e = v.get_object().if_contains("error"); e && e->is_object()) {
                if (const auto* c = e->get_object().if_contains("code"); c && c->is_string() && !c->get_string().empty())
                    code = clean(c->get_string());
                last_error_body_ = v.get_object();
            }
        return workflow::error{code, api_error_text(response->status, response->body)};
    }

    api_answer a;
    a.status = response->status;
    a.text = std::move(response->body);
    a.headers = std::move(response->headers);
    const auto type = a.header("Content-Type");
    if (!a.text.empty() && (!type || type->starts_with("application/json"))) {
        boost::system::error_code ec;
        a.body = json::parse(a.text, ec);
        if (ec)
            return workflow::error{"api", "error: the server answered HTTP " + std::to_string(a.status) +
                                              " with a body that is not JSON (" + ec.message() + ")"};
    }
    return a;
}

} // namespace checkpoint::cli
