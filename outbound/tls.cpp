#include "outbound/tls.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>

#include <openssl/ssl.h>

namespace checkpoint::outbound {

namespace ssl = boost::asio::ssl;

void configure_client_tls(ssl::context& ctx, const std::string& extra_ca_pem)
{
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.set_default_verify_paths();
    if (!extra_ca_pem.empty())
        ctx.add_certificate_authority(boost::asio::buffer(extra_ca_pem));
    ctx.set_verify_mode(ssl::verify_peer);
}

bool set_server_name(SSL* native, const std::string& host)
{
    boost::system::error_code address_ec;
    [[maybe_unused]] const auto address = boost::asio::ip::make_address(host, address_ec);
    if (!address_ec)
        return true;
    return SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())) ==
           1;
}

} // namespace checkpoint::outbound
