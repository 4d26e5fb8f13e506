#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace checkpoint::bot {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

inline constexpr std::size_t max_body_bytes = 64 * 1024;
// Bulk uploads (PUT /api/v1/resources) only; every other request keeps max_body_bytes.
inline constexpr std::size_t max_upload_bytes = 8 * 1024 * 1024;
inline constexpr std::size_t max_header_bytes = 16 * 1024;
// The most a connection holds of what it has read and not yet parsed: a header, or one line of a chunked
// body (Beast does not bound a chunk-size line by itself). Bodies stream through it into the request.
inline constexpr std::size_t max_read_buffer_bytes = max_header_bytes + 64 * 1024;
inline constexpr std::string_view server_name = "checkpointd";

// A JSON response with Content-Type set.
response json_response(http::status status, const boost::json::value& body, unsigned version = 11);

// Every error the HTTP surface returns: {"error":{"code":…,"message":…}}.
response error_response(http::status status, std::string_view code, std::string_view message, unsigned version = 11);

} // namespace checkpoint::bot
