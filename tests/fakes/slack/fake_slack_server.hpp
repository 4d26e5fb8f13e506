#pragma once

#include "tests/fakes/slack/fake_slack.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <thread>

namespace checkpoint::test {

// The fake's HTTP side: a Beast listener on 127.0.0.1 and keep-alive sessions, run by one thread,
// each request handed to fake_slack::handle.
class fake_slack::server {
public:
    server(fake_slack& api, unsigned short port);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    unsigned short port() const noexcept { return port_; }

private:
    void do_accept();

    fake_slack& api_;
    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_{ioc_};
    unsigned short port_ = 0;
    std::thread thread_;
};

} // namespace checkpoint::test
