#include "bot/socket_mode/socket_message.hpp"

#include "bot/json_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::bot::socket_mode {

namespace {

long long integer_at(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (!v)
        return 0;
    if (v->is_int64())
        return v->as_int64();
    if (v->is_uint64())
        return static_cast<long long>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
    return 0;
}

// Slack's envelope_id is a UUID; anything odd is not echoed back into logs or acknowledgements.
bool plausible_id(std::string_view id)
{
    if (id.empty() || id.size() > 128)
        return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

std::variant<slack_request, bad_slack_request> decode_payload(std::string_view type, boost::json::object payload)
{
    if (type == "slash_commands")
        return command_from([&payload](std::string_view name) -> std::optional<std::string_view> {
            const auto* v = payload.if_contains(name);
            if (!v || !v->is_string())
                return std::nullopt;
            return std::string_view(v->get_string());
        });
    if (type == "interactive")
        return interaction_from(std::move(payload));
    if (type == "events_api")
        return callback_from(std::move(payload));
    return bad_slack_request{"unsupported envelope type '" + printable(type, 40) +
                             "'; expected slash_commands, interactive or events_api"};
}

} // namespace

message parse_message(std::string_view text)
{
    if (text.size() > max_message_bytes)
        return unusable{{}, "message of " + std::to_string(text.size()) + " bytes is over the limit of " +
                                std::to_string(max_message_bytes)};
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec)
        return unusable{{}, "message is not JSON: " + ec.message()};
    if (!v.is_object())
        return unusable{{}, "message is not a JSON object"};
    auto& o = v.as_object();
    const std::string type = string_at(o, "type");
    if (type == "hello") {
        hello h;
        h.num_connections = static_cast<int>(integer_at(o, "num_connections"));
        if (const auto* debug = object_at(o, "debug_info"))
            h.approximate_connection_time_s = integer_at(*debug, "approximate_connection_time");
        return h;
    }
    if (type == "disconnect")
        return disconnect{printable(string_at(o, "reason"))};

    std::string id = string_at(o, "envelope_id");
    if (id.empty())
        return unusable{{}, "message of type '" + printable(type, 40) + "' has no envelope_id"};
    if (!plausible_id(id))
        return unusable{{}, "envelope_id is not an id Slack would send"};
    auto* payload = o.if_contains("payload");
    if (!payload || !payload->is_object())
        return unusable{id, "envelope " + id + " has no payload object"};
    auto decoded = decode_payload(type, std::move(payload->as_object()));
    if (auto* bad = std::get_if<bad_slack_request>(&decoded))
        return unusable{id, "envelope " + id + ": " + bad->reason};
    envelope e;
    e.envelope_id = std::move(id);
    e.type = type;  // one of the three decode_payload accepted
    if (const auto* accepts = o.if_contains("accepts_response_payload"); accepts && accepts->is_bool())
        e.accepts_response_payload = accepts->get_bool();
    e.retry_attempt = static_cast<int>(std::clamp<long long>(integer_at(o, "retry_attempt"), 0, 1000));
    e.retry_reason = printable(string_at(o, "retry_reason"));
    e.request = std::move(std::get<slack_request>(decoded));
    return e;
}

std::string printable(std::string_view text, std::size_t max)
{
    std::string out(text.substr(0, max));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return out;
}

std::string ack(std::string_view envelope_id, const std::optional<boost::json::object>& payload)
{
    boost::json::object o{{"envelope_id", envelope_id}};
    if (payload)
        o["payload"] = *payload;
    return boost::json::serialize(o);
}

} // namespace checkpoint::bot::socket_mode
