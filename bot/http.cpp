#include "bot/http.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::bot {

response json_response(http::status status, const boost::json::value& body, unsigned version)
{
    response res{status, version};
    res.set(http::field::server, server_name);
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
    return res;
}

response error_response(http::status status, std::string_view code, std::string_view message, unsigned version)
{
    return json_response(status,
                         boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}},
                         version);
}

} // namespace checkpoint::bot
