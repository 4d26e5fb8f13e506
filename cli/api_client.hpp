#pragma once

#include "outbound/http_client.hpp"
#include "workflow/error.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace checkpoint::cli {

using query = std::vector<std::pair<std::string, std::string>>;

// A successful (2xx) answer from the API.
struct api_answer {
    unsigned status = 0;
    // Null for 204 and for non-JSON bodies (CSV reports); `text` holds the body as sent.
    boost::json::value body;
    std::string text;
    std::vector<std::pair<std::string, std::string>> headers;

    std::optional<std::string> header(std::string_view name) const;
};

// The API at `base_url`/api/v1 with a bearer token, over any outbound::http_client (Beast with TLS
// verification in the binary). Errors are sentences ready to print: the API's own message for
// an error answer, what failed for a transport failure.
class api_client {
public:
    api_client(outbound::http_client& http, std::string base_url, std::string token);

    // `path` is under /api/v1 and already encoded (use `segment` for ids); `q` is encoded here.
    workflow::result<api_answer> call(std::string_view method, std::string_view path, const query& q = {},
                                      const std::optional<boost::json::value>& body = std::nullopt,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // One path segment, percent-encoded.
    static std::string segment(std::string_view s);

    // The server's JSON error body of the last call that failed with one (`{"error":{…}}`), as sent.
    const std::optional<boost::json::object>& last_error_body() const noexcept { return last_error_body_; }

private:
    std::optional<boost::json::object> last_error_body_;
    outbound::http_client& http_;
    std::string base_url_;
    std::string token_;
};

} // namespace checkpoint::cli
