#include "bot/api/scim.hpp"

#include "workflow/petition_json.hpp"
#include "workflow/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace checkpoint::bot::api::scim {

namespace json = boost::json;

namespace {

bool same(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// The member of `o` named `key` without regard to case (SCIM attribute names are case-insensitive).
json::value* member(json::object& o, std::string_view key)
{
    for (auto& kv : o)
        if (same(kv.key(), key))
            return &kv.value();
    return nullptr;
}

const json::value* member(const json::object& o, std::string_view key)
{
    for (const auto& kv : o)
        if (same(kv.key(), key))
            return &kv.value();
    return nullptr;
}

std::string text(const json::object& o, std::string_view key, std::string_view where)
{
    const auto* v = member(o, key);
    if (!v || v->is_null())
        return {};
    if (!v->is_string())
        fail(400, "invalidValue", std::string(where) + std::string(key) + " must be a string.");
    const auto s = std::string(v->get_string());
    if (s.size() > max_text)
        fail(400, "invalidValue",
             std::string(where) + std::string(key) + " is longer than " + std::to_string(max_text) + " characters.");
    return s;
}

// A SCIM boolean: true/false, or the strings "True"/"False" Entra sends in a PATCH.
bool boolean(const json::value& v, std::string_view what)
{
    if (v.is_bool())
        return v.get_bool();
    if (v.is_string()) {
        if (same(v.get_string(), "true"))
            return true;
        if (same(v.get_string(), "false"))
            return false;
    }
    fail(400, "invalidValue", std::string(what) + " must be true or false.");
}

// The value a reference names: a string, or an object's "value" (manager, members).
std::string reference(const json::value& v, std::string_view what)
{
    const json::value* s = &v;
    if (v.is_object())
        s = member(v.get_object(), "value");
    if (s && s->is_string()) {
        if (s->get_string().size() > max_text)
            fail(400, "invalidValue", std::string(what) + " is longer than " + std::to_string(max_text) + " characters.");
        return std::string(s->get_string());
    }
    if (v.is_null() || (v.is_object() && (!s || s->is_null())))
        return {};
    fail(400, "invalidValue", std::string(what) + " must be a string or an object with a string \"value\".");
}

struct path {
    std::string schema;  // a URN prefix, or empty
    std::string attr;
    std::string filter_attr;
    std::string filter_value;
    bool filtered = false;
    std::string sub;
};

path parse_path(std::string_view p)
{
    path out;
    std::string_view rest = p;
    if (same(rest, enterprise_schema) || same(rest, user_schema) || same(rest, group_schema)) {
        // The extension itself: its attributes are the value's.
        out.schema = std::string(rest);
        return out;
    }
    if (rest.size() > 4 && same(rest.substr(0, 4), "urn:")) {
        // urn:…:User:attr — the attribute follows the last colon before any '[' or '.'.
        const auto stop = rest.find_first_of("[");
        const auto colon = rest.substr(0, stop).rfind(':');
        if (colon == std::string_view::npos)
            fail(400, "invalidPath", "\"" + std::string(p) + "\" is not a path.");
        out.schema = std::string(rest.substr(0, colon));
        rest = rest.substr(colon + 1);
    }
    const auto bracket = rest.find('[');
    const auto dot = rest.find('.');
    if (bracket != std::string_view::npos && (dot == std::string_view::npos || bracket < dot)) {
        out.attr = std::string(rest.substr(0, bracket));
        const auto close = rest.find(']', bracket);
        if (close == std::string_view::npos)
            fail(400, "invalidPath", "\"" + std::string(p) + "\" has an unclosed filter.");
        auto f = rest.substr(bracket + 1, close - bracket - 1);
        const auto eq = f.find(' ');
        const auto op_end = eq == std::string_view::npos ? eq : f.find(' ', eq + 1);
        if (eq == std::string_view::npos || op_end == std::string_view::npos || !same(f.substr(eq + 1, op_end - eq - 1), "eq"))
            fail(400, "invalidFilter", "Only `attribute eq \"value\"` filters are supported in a path, not \"" +
                                           std::string(f) + "\".");
        out.filter_attr = std::string(f.substr(0, eq));
        auto v = f.substr(op_end + 1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
            v = v.substr(1, v.size() - 2);
        out.filter_value = std::string(v);
        out.filtered = true;
        auto after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != '.')
                fail(400, "invalidPath", "\"" + std::string(p) + "\" is not a path.");
            out.sub = std::string(after.substr(1));
        }
    } else if (dot != std::string_view::npos) {
        out.attr = std::string(rest.substr(0, dot));
        out.sub = std::string(rest.substr(dot + 1));
    } else {
        out.attr = std::string(rest);
    }
    if (out.attr.empty())
        fail(400, "invalidPath", "\"" + std::string(p) + "\" names no attribute.");
    return out;
}

// Where an attribute lives: the resource itself, or the object of its schema extension.
json::object& container(json::object& resource, const std::string& schema)
{
    if (schema.empty() || same(schema, user_schema) || same(schema, group_schema))
        return resource;
    auto* ext = member(resource, schema);
    if (!ext) {
        resource[schema] = json::object{};
        ext = &resource[schema];
        if (auto* schemas = member(resource, "schemas"); schemas && schemas->is_array())
            schemas->get_array().push_back(json::value(schema));
    }
    if (!ext->is_object())
        *ext = json::object{};
    return ext->get_object();
}

bool matches(const json::value& element, const path& p)
{
    if (!element.is_object())
        return false;
    const auto* v = member(element.get_object(), p.filter_attr);
    if (!v)
        return false;
    if (v->is_string())
        return same(v->get_string(), p.filter_value);
    if (v->is_bool())
        return (v->get_bool() ? "true" : "false") == workflow::to_lower(p.filter_value);
    return false;
}

// A multi-valued attribute's elements added, skipping those whose "value" is there already.
void add_values(json::value& target, const json::value& value)
{
    if (!target.is_array())
        target = json::array{};
    auto& arr = target.get_array();
    const auto value_of = [](const json::value& e) -> std::optional<std::string> {
        const auto* v = e.is_object() ? member(e.get_object(), "value") : nullptr;
        if (v && v->is_string())
            return std::string(v->get_string());
        return std::nullopt;
    };
    std::unordered_set<std::string> present;
    for (const auto& e : arr)
        if (auto v = value_of(e))
            present.insert(*v);
    const auto add = [&](const json::value& e) {
        if (auto v = value_of(e); v && !present.insert(*v).second)
            return;
        arr.push_back(e);
    };
    if (value.is_array())
        for (const auto& e : value.get_array())
            add(e);
    else
        add(value);
}

void set_attr(json::object& o, const std::string& attr, json::value value)
{
    if (auto* existing = member(o, attr))
        *existing = std::move(value);
    else
        o[attr] = std::move(value);
}

void apply_op(json::object& resource, std::string_view op, const json::value* path_value, const json::value* value)
{
    const bool remove = same(op, "remove");
    const bool add = same(op, "add");
    if (!remove && !add && !same(op, "replace"))
        fail(400, "invalidSyntax", "A PATCH operation's op must be add, replace or remove, not \"" +
                                        std::string(op).substr(0, 40) + "\".");
    if (!path_value || path_value->is_null() || (path_value->is_string() && path_value->get_string().empty())) {
        if (remove)
            fail(400, "noTarget", "A remove operation needs a path.");
        if (!value || !value->is_object())
            fail(400, "invalidValue", "An operation without a path needs an object of attributes as its value.");
        for (const auto& kv : value->get_object()) {
            const std::string key(kv.key());
            if (kv.value().is_object() && (same(key, enterprise_schema) || same(key, user_schema) || same(key, group_schema))) {
                auto& c = container(resource, key);
                for (const auto& inner : kv.value().get_object())
                    set_attr(c, std::string(inner.key()), inner.value());
                continue;
            }
            // A key that is a path ("name.givenName", "urn:…:User:department"), as some clients send.
            const json::value p(key);
            apply_op(resource, op, &p, &kv.value());
        }
        return;
    }
    if (!path_value->is_string())
        fail(400, "invalidPath", "A PATCH operation's path must be a string.");
    const auto p = parse_path(path_value->get_string());
    if (p.attr.empty()) {
        // A path naming a schema extension: an object of its attributes, set (or the extension removed).
        if (remove) {
            for (auto it = resource.begin(); it != resource.end(); ++it)
                if (same(it->key(), p.schema)) {
                    resource.erase(it);
                    break;
                }
            return;
        }
        if (!value || !value->is_object())
            fail(400, "invalidValue", "A value for " + p.schema + " must be an object of its attributes.");
        auto& c = container(resource, p.schema);
        for (const auto& inner : value->get_object())
            set_attr(c, std::string(inner.key()), inner.value());
        return;
    }
    auto& c = container(resource, p.schema);
    auto* target = member(c, p.attr);
    if (remove) {
        if (!target)
            return;
        if (p.filtered) {
            if (!target->is_array())
                fail(400, "noTarget", "\"" + p.attr + "\" is not multi-valued.");
            auto& arr = target->get_array();
            for (auto it = arr.begin(); it != arr.end();)
                it = matches(*it, p) ? arr.erase(it) : it + 1;
            return;
        }
        if (!p.sub.empty()) {
            if (target->is_object())
                target->get_object().erase(p.sub);
            return;
        }
        if (value && target->is_array()) {
            // Entra: {"op":"Remove","path":"members","value":[{"value":"id"}]} removes those members only.
            auto& arr = target->get_array();
            for (const auto& gone : value->is_array() ? value->get_array() : json::array{*value}) {
                const auto ref = reference(gone, p.attr);
                for (auto it = arr.begin(); it != arr.end();) {
                    const auto* v = it->is_object() ? member(it->get_object(), "value") : nullptr;
                    it = v && v->is_string() && v->get_string() == ref ? arr.erase(it) : it + 1;
                }
            }
            return;
        }
        for (auto it = c.begin(); it != c.end(); ++it)
            if (same(it->key(), p.attr)) {
                c.erase(it);
                break;
            }
        return;
    }
    if (!value)
        fail(400, "invalidValue", "A " + std::string(op) + " operation needs a value.");
    if (p.filtered) {
        if (!target || !target->is_array()) {
            set_attr(c, p.attr, json::array{});
            target = member(c, p.attr);
        }
        auto& arr = target->get_array();
        bool found = false;
        for (auto& e : arr)
            if (matches(e, p)) {
                found = true;
                if (p.sub.empty())
                    e = *value;
                else
                    set_attr(e.as_object(), p.sub, *value);
            }
        if (!found) {
            json::object fresh{{p.filter_attr, p.filter_value}};
            if (p.sub.empty() && value->is_object())
                for (const auto& kv : value->get_object())
                    fresh[kv.key()] = kv.value();
            else
                fresh[p.sub.empty() ? "value" : p.sub] = *value;
            arr.push_back(std::move(fresh));
        }
        return;
    }
    if (!p.sub.empty()) {
        if (!target || !target->is_object()) {
            set_attr(c, p.attr, json::object{});
            target = member(c, p.attr);
        }
        set_attr(target->get_object(), p.sub, *value);
        return;
    }
    if (add && (value->is_array() || (target && target->is_array()))) {
        if (!target) {
            set_attr(c, p.attr, json::array{});
            target = member(c, p.attr);
        }
        add_values(*target, *value);
        return;
    }
    set_attr(c, p.attr, *value);
}

} // namespace

bool has_attribute(const json::object& resource, std::string_view name) { return member(resource, name) != nullptr; }

void fail(unsigned status, std::string scim_type, std::string detail)
{
    throw failure{status, std::move(scim_type), std::move(detail)};
}

workflow::directory_record user_record(const json::object& user)
{
    workflow::directory_record r;
    r.source = "scim";
    r.user_name = text(user, "userName", "");
    if (r.user_name.empty())
        fail(400, "invalidValue", "userName is required.");
    if (workflow::to_lower(r.user_name) == "checkpoint")
        fail(400, "invalidValue", "userName \"checkpoint\" is reserved: the audit log names the service itself so.");
    r.external_id = text(user, "externalId", "");
    r.name = text(user, "displayName", "");
    if (const auto* n = member(user, "name"); n && n->is_object()) {
        if (r.name.empty())
            r.name = text(n->get_object(), "formatted", "name.");
        if (r.name.empty()) {
            auto given = text(n->get_object(), "givenName", "name.");
            auto family = text(n->get_object(), "familyName", "name.");
            r.name = given + (given.empty() || family.empty() ? "" : " ") + family;
        }
    }
    if (const auto* emails = member(user, "emails"); emails && !emails->is_null()) {
        if (!emails->is_array())
            fail(400, "invalidValue", "emails must be an array.");
        for (const auto& e : emails->get_array()) {
            if (!e.is_object())
                continue;
            auto v = text(e.get_object(), "value", "emails[].");
            const auto* primary = member(e.get_object(), "primary");
            const bool is_primary = primary && !primary->is_null() && boolean(*primary, "emails[].primary");
            if (!v.empty() && (r.email.empty() || is_primary))
                r.email = v;
        }
    }
    if (r.email.empty() && r.user_name.find('@') != std::string::npos)
        r.email = r.user_name;
    if (!r.email.empty() && r.email.find('@') == std::string::npos)
        fail(400, "invalidValue", "The email \"" + r.email.substr(0, 80) + "\" is not an email address.");
    if (const auto* a = member(user, "active"); a && !a->is_null())
        r.active = boolean(*a, "active");
    if (const auto* ext = member(user, enterprise_schema); ext && ext->is_object()) {
        r.team = workflow::slug_of(text(ext->get_object(), "department", std::string(enterprise_schema) + ":"));
        if (const auto* m = member(ext->get_object(), "manager"))
            r.manager = reference(*m, "manager");
    }
    return r;
}

workflow::directory_group_record group_record(const json::object& group)
{
    workflow::directory_group_record g;
    g.source = "scim";
    g.name = text(group, "displayName", "");
    if (g.name.empty())
        fail(400, "invalidValue", "displayName is required.");
    g.external_id = text(group, "externalId", "");
    if (const auto* members = member(group, "members"); members && !members->is_null()) {
        if (!members->is_array())
            fail(400, "invalidValue", "members must be an array.");
        if (members->get_array().size() > max_members)
            fail(400, "invalidValue", "A group holds at most " + std::to_string(max_members) + " members.");
        std::unordered_set<std::string> seen;
        for (const auto& m : members->get_array()) {
            auto ref = reference(m, "members[]");
            if (ref.empty())
                fail(400, "invalidValue", "Every member needs a value: the id of a user.");
            if (seen.insert(ref).second)
                g.members.push_back(std::move(ref));
        }
    }
    return g;
}

void patch(json::object& resource, const json::array& ops)
{
    if (ops.empty())
        fail(400, "invalidValue", "Operations must hold at least one operation.");
    for (const auto& v : ops) {
        if (!v.is_object())
            fail(400, "invalidSyntax", "Each operation must be an object with op, path and value.");
        const auto& o = v.get_object();
        const auto* op = member(o, "op");
        if (!op || !op->is_string())
            fail(400, "invalidSyntax", "Each operation needs an op: add, replace or remove.");
        apply_op(resource, op->get_string(), member(o, "path"), member(o, "value"));
    }
}

equality parse_filter(std::string_view filter, std::initializer_list<std::string_view> attrs)
{
    const auto sp = filter.find(' ');
    const auto sp2 = sp == std::string_view::npos ? sp : filter.find(' ', sp + 1);
    if (sp == std::string_view::npos || sp2 == std::string_view::npos || !same(filter.substr(sp + 1, sp2 - sp - 1), "eq"))
        fail(400, "invalidFilter", "Only `attribute eq \"value\"` filters are supported, not \"" +
                                       std::string(filter.substr(0, 100)) + "\".");
    const auto attr = filter.substr(0, sp);
    auto value = filter.substr(sp2 + 1);
    if (value.size() < 2 || value.front() != '"' || value.back() != '"')
        fail(400, "invalidFilter", "The value of a filter must be a quoted string.");
    value = value.substr(1, value.size() - 2);
    if (value.find('"') != std::string_view::npos)
        fail(400, "invalidFilter", "Only one `attribute eq \"value\"` comparison is supported; a value holds no quote.");
    for (auto a : attrs)
        if (same(a, attr))
            return {std::string(a), std::string(value)};
    std::string allowed;
    for (auto a : attrs)
        allowed += (allowed.empty() ? "" : ", ") + std::string(a);
    fail(400, "invalidFilter", "Filtering on \"" + std::string(attr.substr(0, 60)) + "\" is not supported; filter on " +
                                   allowed + ".");
}

namespace {

json::object meta(std::string_view type, std::string_view location, workflow::time_point created,
                  workflow::time_point modified)
{
    return json::object{{"resourceType", type},
                        {"created", workflow::format_utc(created)},
                        {"lastModified", workflow::format_utc(modified)},
                        {"location", location},
                        {"version", "W/\"" + std::to_string(workflow::to_millis(modified)) + "\""}};
}

json::object stored(const std::string& resource)
{
    boost::system::error_code ec;
    auto v = json::parse(resource, ec);
    return !ec && v.is_object() ? std::move(v.get_object()) : json::object{};
}

} // namespace

json::object user_out(const workflow::directory_record& r, std::string_view base_url)
{
    auto out = stored(r.resource);
    out["id"] = r.key;
    if (!member(out, "schemas"))
        out["schemas"] = json::array{user_schema};
    set_attr(out, "userName", json::value(r.user_name));
    set_attr(out, "active", r.active);
    out["meta"] = meta("User", std::string(base_url) + "/Users/" + r.key, r.created, r.modified);
    return out;
}

json::object group_out(const workflow::directory_group_record& g, std::string_view base_url)
{
    auto out = stored(g.resource);
    out["id"] = g.key;
    if (!member(out, "schemas"))
        out["schemas"] = json::array{group_schema};
    set_attr(out, "displayName", json::value(g.name));
    out["meta"] = meta("Group", std::string(base_url) + "/Groups/" + g.key, g.created, g.modified);
    return out;
}

json::object error_body(const failure& f)
{
    json::object out{{"schemas", json::array{error_schema}}, {"status", std::to_string(f.status)}, {"detail", f.detail}};
    if (!f.scim_type.empty())
        out["scimType"] = f.scim_type;
    return out;
}

} // namespace checkpoint::bot::api::scim
