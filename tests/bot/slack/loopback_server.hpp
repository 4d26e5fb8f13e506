#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace checkpoint::test {

using server_request = boost::beast::http::request<boost::beast::http::string_body>;
using server_response = boost::beast::http::response<boost::beast::http::string_body>;

// A scriptable HTTP(S) server on 127.0.0.1 with its own thread, for testing the outbound client.
class loopback_server {
public:
    // Returning nullopt leaves the request unanswered (the connection stays open until the server stops).
    using handler = std::function<std::optional<server_response>(const server_request&)>;

    struct options {
        // Serve TLS with this context instead of plain HTTP.
        std::shared_ptr<boost::asio::ssl::context> tls;
        // Close the connection after each answer without saying so, like a server dropping idle connections.
        bool close_after_response = false;
    };

    explicit loopback_server(handler h);
    loopback_server(handler h, options opts);
    ~loopback_server();
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    unsigned short port() const noexcept;
    // http(s)://127.0.0.1:<port><path>
    std::string url(std::string_view path = "/") const;
    std::size_t connections_accepted() const noexcept;
    std::size_t requests_received() const noexcept;

    struct state;

private:
    std::unique_ptr<state> state_;
    std::thread thread_;
};

// A 200 answer with a text body.
server_response text_response(const server_request& req, std::string body, unsigned status = 200);

} // namespace checkpoint::test
