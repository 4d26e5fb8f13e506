#include "bot/integrations/webhook_url_policy.hpp"

#include <catch2/catch.hpp>

using namespace checkpoint::bot;

TEST_CASE("plain http:// only to loopback and internal hosts - https:// anywhere")
{
    struct row {
        const char* url;
        bool allowed;
    };
    const row c = GENERATE(values<row>({
        {"https://provisioner.example.com/checkpoint", true},
        {"https://203.0.113.7/hook", true},
        {"http://127.0.0.1:8080/hook", true},
        {"http://127.9.9.9/hook", true},
        {"http://localhost:3000/hook", true},
        {"http://api.localhost/hook", true},
        {"http://[::1]:8080/hook", true},
        {"http://10.1.2.3/hook", true},
        {"http://172.16.0.1/hook", true},
        {"http://172.31.255.255/hook", true},
        {"http://192.168.1.20/hook", true},
        {"http://169.254.10.10/hook", true},
        {"http://[fd00::1]/hook", true},
        {"http://[fe80::1]/hook", true},
        {"http://provisioner.internal/checkpoint", true},
        {"http://printer.local/hook", true},
        {"http://PROVISIONER.INTERNAL/hook", true},
        {"http://provisioner:8080/hook", true},
        {"http://provisioner.example.com/hook", false},
        {"http://8.8.8.8/hook", false},
        {"http://172.32.0.1/hook", false},
        {"http://172.15.0.1/hook", false},
        {"http://192.169.0.1/hook", false},
        {"http://[2001:db8::1]/hook", false},
        {"http://[::ffff:8.8.8.8]/hook", false},
        {"http://internal.example.com/hook", false},
        {"ftp://provisioner.internal/hook", false},
        {"not a url", false},
        {"https:///nohost", false},
    }));
    CAPTURE(c.url);
    const auto refusal = refuse_webhook_url(c.url);
    CHECK(refusal.has_value() == !c.allowed);
    if (refusal)
        CHECK_FALSE(refusal->empty());
}
