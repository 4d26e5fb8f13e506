#pragma once

#include <boost/asio/ssl/context.hpp>

#include <string>

#include <openssl/types.h>

namespace checkpoint::outbound {

// A client context that verifies every peer against the system's CAs, plus `extra_ca_pem` (tests
// with their own CA), with TLS 1.2 as the oldest version offered.
void configure_client_tls(boost::asio::ssl::context& ctx, const std::string& extra_ca_pem);

// Names the server for SNI (host names only: an IP literal is still checked against the certificate,
// through the stream's host_name_verification). False when OpenSSL refuses the name.
bool set_server_name(SSL* native, const std::string& host);

} // namespace checkpoint::outbound
