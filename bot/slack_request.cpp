#include "bot/slack_request.hpp"
#include "bot/json_fields.hpp"

#include "bot/form.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <utility>

namespace checkpoint::bot {

namespace {

constexpr std::array interaction_kinds{
    std::pair{interaction_kind::block_actions, std::string_view{"block_actions"}},
    std::pair{interaction_kind::view_submission, std::string_view{"view_submission"}},
    std::pair{interaction_kind::view_closed, std::string_view{"view_closed"}},
    std::pair{interaction_kind::block_suggestion, std::string_view{"block_suggestion"}},
    std::pair{interaction_kind::shortcut, std::string_view{"shortcut"}},
    std::pair{interaction_kind::message_action, std::string_view{"message_action"}},
};

std::string_view media_type(std::string_view content_type)
{
    auto semi = content_type.find(';');
    auto t = content_type.substr(0, semi);
    while (!t.empty() && t.back() == ' ')
        t.remove_suffix(1);
    return t;
}

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool is_form(std::string_view content_type)
{
    return iequals(media_type(content_type), "application/x-www-form-urlencoded");
}

bool is_json(std::string_view content_type) { return iequals(media_type(content_type), "application/json"); }

std::variant<slack_request, bad_slack_request> from_form(std::string_view body)
{
    std::string why;
    auto f = form::parse(body, &why);
    if (!f)
        return bad_slack_request{why};

    if (f->get("command"))
        return command_from([&f](std::string_view name) { return f->get(name); });

    if (auto payload = f->get("payload")) {
        boost::system::error_code ec;
        auto v = boost::json::parse(*payload, ec);
        if (ec)
            return bad_slack_request{"payload is not JSON: " + ec.message()};
        if (!v.is_object())
            return bad_slack_request{"payload is not a JSON object"};
        return interaction_from(std::move(v.as_object()));
    }
    return bad_slack_request{"form body has neither 'command' nor 'payload'"};
}

std::variant<slack_request, bad_slack_request> from_json(std::string_view body)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec)
        return bad_slack_request{"body is not JSON: " + ec.message()};
    if (!v.is_object())
        return bad_slack_request{"body is not a JSON object"};
    return callback_from(std::move(v.as_object()));
}

} // namespace

std::variant<slack_request, bad_slack_request>
command_from(const std::function<std::optional<std::string_view>(std::string_view)>& field)
{
    slash_command c;
    c.command = std::string(field("command").value_or(""));
    c.text = std::string(field("text").value_or(""));
    c.user_id = std::string(field("user_id").value_or(""));
    c.team_id = std::string(field("team_id").value_or(""));
    c.channel_id = std::string(field("channel_id").value_or(""));
    c.trigger_id = std::string(field("trigger_id").value_or(""));
    c.response_url = std::string(field("response_url").value_or(""));
    if (c.user_id.empty())
        return bad_slack_request{"slash command without user_id"};
    if (!c.command.starts_with('/'))
        return bad_slack_request{"slash command name must start with '/'"};
    return slack_request{std::move(c)};
}

std::variant<slack_request, bad_slack_request> interaction_from(boost::json::object o)
{
    const std::string type = string_at(o, "type");
    std::string user_id;
    if (auto* u = o.if_contains("user"); u && u->is_object())
        user_id = string_at(u->as_object(), "id");
    for (auto [kind, name] : interaction_kinds) {
        if (type == name) {
            if (user_id.empty())
                return bad_slack_request{"interaction payload without user.id"};
            return slack_request{interaction{kind, std::move(user_id), std::move(o)}};
        }
    }
    return bad_slack_request{"unsupported interaction type '" + type.substr(0, 40) +
                             "'; expected block_actions, view_submission, view_closed, block_suggestion, "
                             "shortcut or message_action"};
}

std::variant<slack_request, bad_slack_request> callback_from(boost::json::object o)
{
    const std::string type = string_at(o, "type");
    if (type == "url_verification") {
        auto challenge = string_at(o, "challenge");
        if (challenge.empty())
            return bad_slack_request{"url_verification without a challenge"};
        return slack_request{url_verification{std::move(challenge)}};
    }
    if (type == "event_callback") {
        event_callback e;
        e.event_id = string_at(o, "event_id");
        e.team_id = string_at(o, "team_id");
        if (e.event_id.empty())
            return bad_slack_request{"event_callback without event_id"};
        auto* ev = o.if_contains("event");
        if (!ev || !ev->is_object())
            return bad_slack_request{"event_callback without an event object"};
        e.event = std::move(ev->as_object());
        e.event_type = string_at(e.event, "type");
        return slack_request{std::move(e)};
    }
    return bad_slack_request{"unsupported event type '" + type.substr(0, 40) +
                             "'; expected url_verification or event_callback"};
}

bool is_ssl_check(std::string_view content_type, std::string_view body)
{
    // Runs before verification, so it must not decode an unverified body: Slack's probe is a short
    // form that begins with or contains `ssl_check=1` and carries no command or payload.
    if (!is_form(content_type) || body.size() > 512)
        return false;
    const auto at = body.find("ssl_check=1");
    if (at == std::string_view::npos || (at != 0 && body[at - 1] != '&'))
        return false;
    const auto end = at + std::string_view("ssl_check=1").size();
    if (end != body.size() && body[end] != '&')
        return false;
    return body.find("command=") == std::string_view::npos && body.find("payload=") == std::string_view::npos;
}

std::variant<slack_request, bad_slack_request> parse_slack_request(std::string_view content_type,
                                                                    std::string_view body)
{
    if (is_form(content_type))
        return from_form(body);
    if (is_json(content_type))
        return from_json(body);
    return bad_slack_request{"unsupported Content-Type '" + std::string(content_type.substr(0, 60)) +
                             "'; Slack sends application/x-www-form-urlencoded or application/json"};
}

std::string_view to_string(interaction_kind k)
{
    for (auto [kind, name] : interaction_kinds)
        if (kind == k)
            return name;
    return "unknown";
}

} // namespace checkpoint::bot
