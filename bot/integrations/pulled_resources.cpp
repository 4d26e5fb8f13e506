#include "bot/integrations/pulled_resources.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace checkpoint::bot {

namespace json = boost::json;

namespace {

workflow::error invalid(std::string message) { return {"invalid_pull_response", std::move(message)}; }

std::string at_field(std::size_t i, std::string_view field)
{
    return "resources[" + std::to_string(i) + "]." + std::string(field);
}

// A string field of at most `max` bytes; missing is allowed unless `required`.
std::optional<workflow::error> read_text(const json::object& o, std::string_view key, std::size_t i, std::size_t max,
                                         bool required, std::string& out)
{
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) {
        if (required)
            return invalid(at_field(i, key) + " is required");
        return std::nullopt;
    }
    if (!v->is_string())
        return invalid(at_field(i, key) + " must be a string");
    const json::string& s = v->get_string();
    if (required && s.empty())
        return invalid(at_field(i, key) + " must not be empty");
    if (s.size() > max)
        return invalid(at_field(i, key) + " is longer than " + std::to_string(max) + " bytes");
    out.assign(s.data(), s.size());
    return std::nullopt;
}

} // namespace

workflow::result<std::vector<event_resource>> parse_pulled_resources(std::string_view body,
                                                                     const pulled_resource_limits& limits)
{
    boost::system::error_code ec;
    const json::value doc = json::parse(body, ec);
    if (ec)
        return invalid("the pull/update answer is not JSON: " + ec.message());
    const json::object* root = doc.if_object();
    if (!root)
        return invalid("the pull/update answer must be an object with \"resources\"");
    return read_resource_list(*root, limits);
}

workflow::result<std::vector<event_resource>> read_resource_list(const json::object& root,
                                                                 const pulled_resource_limits& limits)
{
    const json::value* list = root.if_contains("resources");
    if (!list || !list->is_array())
        return invalid("\"resources\" is required: a list of {\"kind\", \"id\", \"displayName\", \"labels\"}");
    const json::array& items = list->get_array();
    if (items.size() > limits.max_resources)
        return invalid("the list has " + std::to_string(items.size()) + " resources; at most " +
                       std::to_string(limits.max_resources) + " are accepted at once");

    std::vector<event_resource> out;
    out.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const json::object* o = items[i].if_object();
        if (!o)
            return invalid("resources[" + std::to_string(i) + "] must be an object");
        event_resource r;
        if (auto e = read_text(*o, "kind", i, limits.max_kind, true, r.kind))
            return *e;
        if (auto e = read_text(*o, "id", i, limits.max_id, true, r.id))
            return *e;
        if (r.id.find_first_of(" \t\r\n:") != std::string::npos)
            return invalid(at_field(i, "id") + " must not contain spaces or colons (it is requested as kind:id)");
        if (auto e = read_text(*o, "displayName", i, limits.max_display_name, false, r.display_name))
            return *e;
        if (r.display_name.empty())
            if (auto e = read_text(*o, "display_name", i, limits.max_display_name, false, r.display_name))
                return *e;
        if (const json::value* labels = o->if_contains("labels"); labels && !labels->is_null()) {
            if (!labels->is_object())
                return invalid(at_field(i, "labels") + " must be an object of strings");
            const json::object& lo = labels->get_object();
            if (lo.size() > limits.max_labels)
                return invalid(at_field(i, "labels") + " has more than " + std::to_string(limits.max_labels) +
                               " entries");
            for (const auto& kv : lo) {
                const std::string key(kv.key());
                if (key.empty() || key.size() > limits.max_label_key)
                    return invalid(at_field(i, "labels") + " has a key that is empty or longer than " +
                                   std::to_string(limits.max_label_key) + " bytes");
                if (!kv.value().is_string())
                    return invalid(at_field(i, "labels." + key) + " must be a string");
                const json::string& v = kv.value().get_string();
                if (v.size() > limits.max_label_value)
                    return invalid(at_field(i, "labels." + key) + " is longer than " +
                                   std::to_string(limits.max_label_value) + " bytes");
                r.labels.emplace_back(key, std::string(v.data(), v.size()));
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

workflow::resource catalog_row(const event_resource& r, workflow::time_point now)
{
    json::object labels;
    for (const auto& [key, value] : r.labels)
        labels[key] = value;
    return {r.kind, r.id, r.display_name.empty() ? r.id : r.display_name, json::serialize(labels), now};
}

} // namespace checkpoint::bot
