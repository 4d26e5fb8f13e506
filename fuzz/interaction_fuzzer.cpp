// Interaction payloads: the JSON Slack sends for clicks, modal submissions and option searches, as it
// arrives over HTTP (a `payload=` form field) and over Socket Mode (an envelope), then read the way the
// dispatcher reads it (bot/slack_interactions.cpp). JSON Events API bodies share the decoder and are fed too.

#include "blocks/actions.hpp"
#include "bot/json_fields.hpp"
#include "bot/slack_request.hpp"
#include "bot/socket_mode/socket_message.hpp"
#include "fuzz_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <string>
#include <variant>

namespace {

using namespace checkpoint;
namespace json = boost::json;

// What the dispatcher reads of an interaction before it needs storage: the actions pressed, the view
// submitted and the values of its inputs, the channel, and typed search text.
void read_like_dispatcher(const bot::interaction& i)
{
    fuzz::check(!i.user_id.empty(), "an interaction names its user");
    (void)bot::to_string(i.kind);
    if (auto* actions = i.payload.if_contains("actions"); actions && actions->is_array()) {
        for (const auto& v : actions->get_array()) {
            const auto* a = v.if_object();
            if (!a)
                continue;
            if (auto which = blocks::parse_action_id(bot::string_at(*a, "action_id")))
                fuzz::check(blocks::info(*which).id == *which, "the action table row matches its id");
            (void)bot::string_at(*a, "value");
            (void)bot::string_at(*a, "action_ts");
            if (auto* selected = bot::object_at(*a, "selected_option"))
                (void)bot::string_at(*selected, "value");
        }
    }
    if (const auto* view = bot::object_at(i.payload, "view")) {
        (void)blocks::parse_action_id(bot::string_at(*view, "callback_id"));
        (void)bot::string_at(*view, "private_metadata");
        const json::object* values = nullptr;
        if (auto* state = bot::object_at(*view, "state"))
            values = bot::object_at(*state, "values");
        for (const auto& f : blocks::actions()) {
            if (f.block_id.empty() || !values)
                continue;
            auto* block = bot::object_at(*values, f.block_id);
            auto* element = block ? bot::object_at(*block, f.name) : nullptr;
            if (!element)
                continue;
            if (auto* selected = bot::object_at(*element, "selected_option"))
                (void)bot::string_at(*selected, "value");
            (void)bot::string_at(*element, "value");
        }
    }
    if (auto* c = bot::object_at(i.payload, "channel"))
        (void)bot::string_at(*c, "id");
    if (auto* c = bot::object_at(i.payload, "container"))
        (void)bot::string_at(*c, "channel_id");
    (void)bot::string_at(i.payload, "trigger_id").substr(0, 100);
}

void use(const std::variant<bot::slack_request, bot::bad_slack_request>& r)
{
    if (auto* bad = std::get_if<bot::bad_slack_request>(&r)) {
        fuzz::check(!bad->reason.empty(), "a refused request says why");
        return;
    }
    if (auto* i = std::get_if<bot::interaction>(&std::get<bot::slack_request>(r)))
        read_like_dispatcher(*i);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);

    // Over HTTP: the payload form field, and a JSON body (Events API).
    use(bot::parse_slack_request("application/x-www-form-urlencoded", "payload=" + boost::urls::encode(text, boost::urls::unreserved_chars)));
    use(bot::parse_slack_request("application/json", text));

    // Already decoded (Socket Mode hands the object over).
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec && v.is_object()) {
        use(bot::interaction_from(v.get_object()));
        use(bot::callback_from(v.get_object()));
    }

    // Over Socket Mode: the text as a whole frame, and wrapped in an interactive envelope.
    for (const auto& frame : {std::string(text), "{\"envelope_id\":\"0c9f3e2a-1b\",\"type\":\"interactive\","
                                                 "\"accepts_response_payload\":true,\"payload\":" +
                                                     std::string(text) + "}"}) {
        auto m = bot::socket_mode::parse_message(frame);
        if (auto* e = std::get_if<bot::socket_mode::envelope>(&m)) {
            fuzz::check(!e->envelope_id.empty(), "an envelope has an id");
            if (auto* i = std::get_if<bot::interaction>(&e->request))
                read_like_dispatcher(*i);
            (void)bot::socket_mode::ack(e->envelope_id, std::nullopt);
        }
    }
    return 0;
}
