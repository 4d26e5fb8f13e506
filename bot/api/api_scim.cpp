#include "bot/api/api_internal.hpp"
#include "bot/api/scim.hpp"

#include "workflow/text.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <unordered_set>

namespace checkpoint::bot::api {

namespace {

constexpr std::string_view scim_base = "/scim/v2";
// A user's body: a group of many members may be larger (up to the upload limit), a user never needs to be.
constexpr std::size_t max_user_bytes = 64 * 1024;

response scim_answer(unsigned status, const json::value& body, unsigned version)
{
    response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/scim+json");
    res.set(http::field::cache_control, "no-store");
    if (!body.is_null())
        res.body() = json::serialize(body);
    res.prepare_payload();
    return res;
}

// A fresh resource id: a random UUID (version 4).
std::string new_id()
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 15];
    }
    return out;
}

// The resource as stored: what the client sent, without what the server sets, and never a password.
std::string resource_text(json::object o, bool active)
{
    for (auto it = o.begin(); it != o.end();) {
        const auto k = workflow::to_lower(it->key());
        it = k == "id" || k == "meta" || k == "active" || k == "password" ? o.erase(it) : it + 1;
    }
    o["active"] = active;
    return json::serialize(o);
}

std::string group_text(json::object o)
{
    o.erase("id");
    o.erase("meta");
    return json::serialize(o);
}

std::size_t whole(const std::optional<std::string>& text, std::size_t fallback, std::string_view what)
{
    if (!text || text->empty())
        return fallback;
    long long v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size())
        scim::fail(400, "invalidValue", std::string(what) + " must be a whole number.");
    return v < 0 ? 0 : static_cast<std::size_t>(v);
}

json::object body_of(const request& req)
{
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    if (ec)
        scim::fail(400, "invalidSyntax", "The body is not valid JSON (" + ec.message() + ").");
    if (!v.is_object())
        scim::fail(400, "invalidSyntax", "The body must be a JSON object.");
    return std::move(v.get_object());
}

json::object service_provider_config()
{
    return json::object{
        {"schemas", json::array{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}},
        {"documentationUri", "https://github.com/checkpoint/checkpoint/blob/main/docs/api.md#scim"},
        {"patch", json::object{{"supported", true}}},
        {"bulk", json::object{{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}},
        {"filter", json::object{{"supported", true}, {"maxResults", max_limit}}},
        {"changePassword", json::object{{"supported", false}}},
        {"sort", json::object{{"supported", false}}},
        {"etag", json::object{{"supported", false}}},
        {"authenticationSchemes",
         json::array{json::object{{"type", "oauthbearertoken"},
                                  {"name", "Bearer token"},
                                  {"description", "A Checkpoint API token with the scim scope"}}}}};
}

} // namespace

bool api_router::owns_scim(std::string_view path)
{
    return path == scim_base || (path.starts_with(scim_base) && path.size() > scim_base.size() &&
                                 path[scim_base.size()] == '/');
}

response api_router::scim(const request& req)
{
    const auto version = req.version();
    try {
        return scim_route(req);
    } catch (const scim::failure& f) {
        auto res = scim_answer(f.status, scim::error_body(f), version);
        if (f.status == 429)
            res.set(http::field::retry_after, "1");
        return res;
    } catch (const workflow::error_exception& e) {
        const auto& err = e.get();
        if (err.code == "conflict")
            return scim_answer(409, scim::error_body({409, "uniqueness", err.message}), version);
        if (err.code == "not_found")
            return scim_answer(404, scim::error_body({404, "", err.message}), version);
        spdlog::error("scim: {} {}: {}", std::string(req.method_string()), std::string(req.target()), err.message);
        return scim_answer(500, scim::error_body({500, "", "Something went wrong inside Checkpoint; the details are in its log."}),
                           version);
    } catch (const std::exception& e) {
        spdlog::error("scim: {} {}: {}", std::string(req.method_string()), std::string(req.target()), e.what());
        return scim_answer(500, scim::error_body({500, "", "Something went wrong inside Checkpoint; the details are in its log."}),
                           version);
    }
}

response api_router::scim_route(const request& req)
{
    const auto version = req.version();
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target)
        scim::fail(400, "invalidSyntax", "The request target is not a valid path.");
    const auto seg = segments_after_prefix(*target);
    const auto policy = ctx_.policy.now();
    auto auth = authenticate(req, tokens_, *policy, ctx_.clock.now());
    if (!auth.who)
        scim::fail(401, "", auth.refusal);
    const auto& who = *auth.who;
    if (!who.has(scope::scim))
        scim::fail(403, "", "This token lacks the scim scope; create one with `checkpoint tokens create --name okta "
                            "--scopes scim`.");
    if (auto wait = budget_.spend(who.token.id, ctx_.clock.now()))
        scim::fail(429, "", "Too many requests from this token; retry after " + std::to_string(wait->count()) + " s.");
    if (!ctx_.directory)
        scim::fail(501, "", "This server keeps no directory records.");
    auto& sync = *ctx_.directory;
    const auto method = req.method();
    const auto param = [&](std::string_view key) -> std::optional<std::string> {
        auto params = target->params();
        auto it = params.find(key);
        if (it == params.end())
            return std::nullopt;
        return std::string((*it).value);
    };
    const auto not_allowed = [&](std::string_view allow) -> response {
        auto res = scim_answer(405,
                               scim::error_body({405, "", std::string(target->encoded_path()) + " accepts " +
                                                              std::string(allow) + "."}),
                               version);
        res.set(http::field::allow, allow);
        return res;
    };
    if (seg.size() == 1 && seg[0] == "ServiceProviderConfig") {
        if (method != http::verb::get)
            return not_allowed("GET");
        return scim_answer(200, service_provider_config(), version);
    }
    const bool users = !seg.empty() && seg[0] == "Users";
    const bool groups = !seg.empty() && seg[0] == "Groups";
    if ((!users && !groups) || seg.size() > 2)
        scim::fail(404, "", "No such SCIM resource: " + std::string(target->encoded_path()) +
                                ". Checkpoint serves /scim/v2/Users, /scim/v2/Groups and /scim/v2/ServiceProviderConfig.");
    const workflow::origin via{"scim", who.token.id};
    const auto actor = who.actor();
    const auto now = ctx_.clock.now();
    using overlay = workflow::directory_overlay;
    const auto live_user = [](const workflow::directory_record& r) { return r.source == "scim" && !r.resource.empty(); };
    const auto find_user = [&](const overlay& records, const std::string& id) -> const workflow::directory_record& {
        for (const auto& r : records.people)
            if (r.key == id && live_user(r))
                return r;
        scim::fail(404, "", "There is no user " + id.substr(0, 64) + ".");
    };
    const auto find_group = [&](const overlay& records, const std::string& id) -> const workflow::directory_group_record& {
        for (const auto& g : records.groups)
            if (g.key == id && g.source == "scim")
                return g;
        scim::fail(404, "", "There is no group " + id.substr(0, 64) + ".");
    };
    // One change, decided from the records in force under the directory's lock (two clients never undo each
    // other), stored and followed; the change as written.
    const auto change = [&](const app::directory_sync::change_maker& make) {
        workflow::directory_change written;
        auto done = must(sync.apply(make, "directory.scim", actor, via, &written));
        for (const auto& f : done.failures)
            spdlog::error("scim: {}", f);
        if (done.changed)
            spdlog::info("scim by {}: {}; {} waiting request(s) re-routed, {} grant(s) revoked", actor,
                         done.diff.summary(), done.rerouted.size(), done.ended.size());
        ctx_.runner.wake();
        return written;
    };
    // A user written: its user name unique among live users, the tombstone of a deleted one with that name replaced.
    const auto user_change = [&](const overlay& records, workflow::directory_record r, const json::object& body) {
        workflow::directory_change c;
        c.source = "scim";
        for (const auto& other : records.people) {
            if (other.source != "scim" || other.key == r.key ||
                workflow::to_lower(other.user_name) != workflow::to_lower(r.user_name))
                continue;
            if (live_user(other))
                scim::fail(409, "uniqueness", "userName \"" + r.user_name + "\" is taken by user " + other.key + ".");
            c.remove_people.push_back(other.key);
        }
        if (!r.manager.empty() && r.manager == r.key)
            scim::fail(400, "invalidValue", "A user cannot be their own manager.");
        r.resource = resource_text(body, r.active);
        r.modified = now;
        c.put_people.push_back(std::move(r));
        return c;
    };
    const auto group_change = [&](const overlay& records, workflow::directory_group_record g, const json::object& body) {
        std::unordered_set<std::string> known;
        for (const auto& r : records.people)
            if (live_user(r))
                known.insert(r.key);
        for (const auto& m : g.members)
            if (!known.contains(m))
                scim::fail(400, "invalidValue", "Member \"" + m.substr(0, 64) + "\" is not a user of this service; push "
                                                "the user before the group.");
        for (const auto& other : records.groups)
            if (other.source == "scim" && other.key != g.key && other.name == g.name)
                scim::fail(409, "uniqueness", "displayName \"" + g.name + "\" is taken by group " + other.key + ".");
        g.resource = group_text(body);
        g.modified = now;
        workflow::directory_change c;
        c.source = "scim";
        c.put_groups.push_back(std::move(g));
        return c;
    };
    const auto patch_ops = [](const json::object& body) -> const json::array& {
        const auto* ops = body.if_contains("Operations");
        if (!ops || !ops->is_array())
            scim::fail(400, "invalidSyntax", "A PATCH body needs Operations: an array of operations.");
        return ops->get_array();
    };
    const auto stored_resource = [](const std::string& text) {
        boost::system::error_code ec;
        auto parsed = json::parse(text, ec);
        return !ec && parsed.is_object() ? std::move(parsed.get_object()) : json::object{};
    };

    if (seg.size() == 1) {
        if (method == http::verb::post) {
            if (users && req.body().size() > max_user_bytes)
                scim::fail(413, "", "A user is at most " + std::to_string(max_user_bytes) + " bytes.");
            const auto body = body_of(req);
            if (users) {
                auto r = scim::user_record(body);
                r.key = new_id();
                r.created = now;
                auto w = change([&](const overlay& records) { return user_change(records, r, body); });
                return scim_answer(201, scim::user_out(w.put_people.back(), scim_base), version);
            }
            auto g = scim::group_record(body);
            g.key = new_id();
            g.created = now;
            auto w = change([&](const overlay& records) { return group_change(records, g, body); });
            return scim_answer(201, scim::group_out(w.put_groups.back(), scim_base), version);
        }
        if (method != http::verb::get)
            return not_allowed("GET, POST");
        const auto start = std::max<std::size_t>(1, whole(param("startIndex"), 1, "startIndex"));
        const auto count = std::min<std::size_t>(whole(param("count"), max_limit, "count"), max_limit);
        std::optional<scim::equality> filter;
        if (auto f = param("filter"); f && !f->empty())
            filter = users ? scim::parse_filter(*f, {"userName", "externalId", "id"})
                           : scim::parse_filter(*f, {"displayName", "externalId", "id"});
        const auto keep = [&](std::string_view attr_value, bool case_exact) {
            return case_exact ? attr_value == filter->value : workflow::to_lower(attr_value) == workflow::to_lower(filter->value);
        };
        const auto records = sync.records();
        std::size_t total = 0;
        json::array page;
        // Counted whole, rendered only for the page asked.
        const auto take = [&](auto&& render) {
            ++total;
            if (total >= start && page.size() < count)
                page.push_back(render());
        };
        if (users) {
            for (const auto& r : records.people)
                if (live_user(r) && (!filter || (filter->attr == "userName"     ? keep(r.user_name, false)
                                                 : filter->attr == "externalId" ? keep(r.external_id, true)
                                                                                : keep(r.key, true))))
                    take([&] { return scim::user_out(r, scim_base); });
        } else {
            for (const auto& g : records.groups)
                if (g.source == "scim" && (!filter || (filter->attr == "displayName"  ? keep(g.name, false)
                                                       : filter->attr == "externalId" ? keep(g.external_id, true)
                                                                                      : keep(g.key, true))))
                    take([&] { return scim::group_out(g, scim_base); });
        }
        json::object out{{"schemas", json::array{scim::list_schema}},
                         {"totalResults", total},
                         {"itemsPerPage", page.size()},
                         {"startIndex", start},
                         {"Resources", std::move(page)}};
        return scim_answer(200, out, version);
    }

    const auto& id = seg[1];
    if (users) {
        if (method != http::verb::get && req.body().size() > max_user_bytes)
            scim::fail(413, "", "A user is at most " + std::to_string(max_user_bytes) + " bytes.");
        switch (method) {
        case http::verb::get: return scim_answer(200, scim::user_out(find_user(sync.records(), id), scim_base), version);
        case http::verb::put: {
            const auto body = body_of(req);
            auto fresh = scim::user_record(body);
            auto w = change([&](const overlay& records) {
                const auto& current = find_user(records, id);
                auto r = fresh;
                r.key = current.key;
                r.created = current.created;
                return user_change(records, std::move(r), body);
            });
            return scim_answer(200, scim::user_out(w.put_people.back(), scim_base), version);
        }
        case http::verb::patch: {
            const auto body = body_of(req);
            const auto& ops = patch_ops(body);
            auto w = change([&](const overlay& records) {
                const auto& current = find_user(records, id);
                auto resource = stored_resource(current.resource);
                resource["userName"] = current.user_name;
                scim::patch(resource, ops);
                auto r = scim::user_record(resource);
                // `remove active` leaves it as it was: a user is deactivated only by saying so.
                if (!scim::has_attribute(resource, "active"))
                    r.active = current.active;
                r.key = current.key;
                r.created = current.created;
                return user_change(records, std::move(r), resource);
            });
            return scim_answer(200, scim::user_out(w.put_people.back(), scim_base), version);
        }
        case http::verb::delete_: {
            // Kept as deactivated with no resource: the person stays out of the directory, and GET says 404.
            change([&](const overlay& records) {
                auto r = find_user(records, id);
                r.active = false;
                r.resource.clear();
                r.modified = now;
                workflow::directory_change c;
                c.source = "scim";
                c.put_people.push_back(std::move(r));
                return c;
            });
            return scim_answer(204, nullptr, version);
        }
        default: return not_allowed("GET, PUT, PATCH, DELETE");
        }
    }
    switch (method) {
    case http::verb::get: return scim_answer(200, scim::group_out(find_group(sync.records(), id), scim_base), version);
    case http::verb::put: {
        const auto body = body_of(req);
        auto fresh = scim::group_record(body);
        auto w = change([&](const overlay& records) {
            const auto& current = find_group(records, id);
            auto g = fresh;
            g.key = current.key;
            g.created = current.created;
            return group_change(records, std::move(g), body);
        });
        return scim_answer(200, scim::group_out(w.put_groups.back(), scim_base), version);
    }
    case http::verb::patch: {
        const auto body = body_of(req);
        const auto& ops = patch_ops(body);
        auto w = change([&](const overlay& records) {
            const auto& current = find_group(records, id);
            auto resource = stored_resource(current.resource);
            resource["displayName"] = current.name;
            scim::patch(resource, ops);
            auto g = scim::group_record(resource);
            g.key = current.key;
            g.created = current.created;
            return group_change(records, std::move(g), resource);
        });
        return scim_answer(200, scim::group_out(w.put_groups.back(), scim_base), version);
    }
    case http::verb::delete_: {
        change([&](const overlay& records) {
            const auto& current = find_group(records, id);
            workflow::directory_change c;
            c.source = "scim";
            c.remove_groups.push_back(current.key);
            return c;
        });
        return scim_answer(204, nullptr, version);
    }
    default: return not_allowed("GET, PUT, PATCH, DELETE");
    }
}

} // namespace checkpoint::bot::api
