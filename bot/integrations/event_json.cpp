#include "bot/integrations/event_json.hpp"

#include "workflow/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

namespace checkpoint::bot {

namespace json = boost::json;


namespace {

json::object labels_object(const label_list& labels)
{
    json::object o;
    for (const auto& [k, v] : labels)
        o[k] = v;
    return o;
}

// Empty fields are left out, so receivers see only what is known.
json::object resource_object(std::string_view kind, const std::string& id, const std::string& email,
                             const std::string& display_name, const label_list& labels)
{
    json::object o;
    o["kind"] = kind;
    if (!id.empty())
        o["id"] = id;
    if (!email.empty())
        o["email"] = email;
    if (!display_name.empty())
        o["displayName"] = display_name;
    if (!labels.empty())
        o["labels"] = labels_object(labels);
    return o;
}

} // namespace

boost::json::object event_object(const access_event& e)
{
    json::object o;
    o["event"] = name(e.kind);
    o["actor"] = resource_object(name(e.actor.kind), e.actor.id, e.actor.email, e.actor.display_name, {});

    json::array resources;
    if (e.person)
        resources.push_back(resource_object("user", e.person->id, e.person->email, e.person->display_name, {}));
    if (!e.resource.kind.empty())
        resources.push_back(
            resource_object(e.resource.kind, e.resource.id, {}, e.resource.display_name, e.resource.labels));
    o["resources"] = std::move(resources);

    if (!e.reason.empty())
        o["reason"] = e.reason;

    label_list meta;
    if (!e.petition_id.empty())
        meta.emplace_back("petition", e.petition_id);
    if (e.expires_at)
        meta.emplace_back("expiresAt", workflow::format_utc(*e.expires_at));
    if (e.duration)
        meta.emplace_back("duration", workflow::format_duration(*e.duration));
    if (!meta.empty())
        o["meta"] = json::object{{"labels", labels_object(meta)}};

    o["timestamp"] = workflow::format_utc(e.timestamp);
    return o;
}

std::string event_body(const access_event& e)
{
    json::object body;
    body["events"] = json::array{event_object(e)};
    return json::serialize(body);
}

} // namespace checkpoint::bot
