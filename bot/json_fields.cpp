#include "bot/json_fields.hpp"

namespace checkpoint::bot {

std::string string_at(const boost::json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

const boost::json::object* object_at(const boost::json::object& o, std::string_view key)
{
    if (const auto* v = o.if_contains(key); v && v->is_object())
        return &v->get_object();
    return nullptr;
}

} // namespace checkpoint::bot
