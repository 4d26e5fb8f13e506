#include "bot/api/api_router.hpp"

#include "blocks/actions.hpp"

#include "bot/integrations/pulled_resources.hpp"
#include "bot/resource_sync.hpp"

#include "bot/api/api_errors.hpp"
#include "bot/api/api_json.hpp"
#include "workflow/petition_json.hpp"
#include "workflow/duration.hpp"
#include "workflow/intent.hpp"
#include "workflow/loader/yaml_reader.hpp"
#include "workflow/reports.hpp"
#include "workflow/text.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <variant>

namespace checkpoint::bot::api {

namespace json = boost::json;

using workflow::petition_state;

namespace {

constexpr std::size_t max_resources_per_upload = 10'000;
constexpr std::size_t max_resource_id_length = pulled_resource_limits{}.max_id;
constexpr std::size_t default_limit = 50;
constexpr std::size_t max_limit = 200;

// Thrown inside the router only, and turned into the error response at its top.
struct api_failure {
    std::string_view code;
    std::string message;
};

[[noreturn]] void fail(std::string_view code, std::string message) { throw api_failure{code, std::move(message)}; }

template <class T>
T must(workflow::result<T> r)
{
    if (!r)
        throw workflow::error_exception(r.error());
    return std::move(*r);
}

void must(workflow::result<void> r)
{
    if (!r)
        throw workflow::error_exception(r.error());
}

enum class endpoint {
    me,
    bundles,
    bundle,
    resources_list,
    resources_put,
    resources_sync,
    petitions_list,
    petitions_create,
    petition_get,
    petition_wait,
    petition_act,
    explain,
    audit,
    audit_verify,
    report,
    tokens_list,
    tokens_create,
    token_delete,
};

struct matched {
    std::optional<endpoint> which;
    // Every method the path accepts, for 405's Allow header; empty when no endpoint has this path.
    std::string allow;
};

bool is_action(std::string_view s)
{
    return blocks::find_api_verb(s) != nullptr;
}

matched match(const std::vector<std::string>& seg, http::verb method)
{
    using v = http::verb;
    std::vector<std::pair<v, endpoint>> options;
    const auto n = seg.size();
    const std::string_view head = n > 0 ? std::string_view(seg[0]) : std::string_view();
    if (n == 1 && head == "me")
        options = {{v::get, endpoint::me}};
    else if (n == 1 && head == "bundles")
        options = {{v::get, endpoint::bundles}};
    else if (n == 2 && head == "bundles")
        options = {{v::get, endpoint::bundle}};
    else if (n == 1 && head == "resources")
        options = {{v::get, endpoint::resources_list}, {v::put, endpoint::resources_put}};
    else if (n == 2 && head == "resources" && seg[1] == "sync")
        options = {{v::post, endpoint::resources_sync}};
    else if (n == 1 && head == "petitions")
        options = {{v::get, endpoint::petitions_list}, {v::post, endpoint::petitions_create}};
    else if (n == 2 && head == "petitions")
        options = {{v::get, endpoint::petition_get}};
    else if (n == 3 && head == "petitions" && seg[2] == "wait")
        options = {{v::get, endpoint::petition_wait}};
    else if (n == 3 && head == "petitions" && is_action(seg[2]))
        options = {{v::post, endpoint::petition_act}};
    else if (n == 1 && head == "explain")
        options = {{v::get, endpoint::explain}};
    else if (n == 1 && head == "audit")
        options = {{v::get, endpoint::audit}};
    else if (n == 2 && head == "audit" && seg[1] == "verify")
        options = {{v::get, endpoint::audit_verify}};
    else if (n == 2 && head == "reports")
        options = {{v::get, endpoint::report}};
    else if (n == 1 && head == "tokens")
        options = {{v::get, endpoint::tokens_list}, {v::post, endpoint::tokens_create}};
    else if (n == 2 && head == "tokens")
        options = {{v::delete_, endpoint::token_delete}};
    matched m;
    for (const auto& [verb, e] : options) {
        if (!m.allow.empty())
            m.allow += ", ";
        m.allow += std::string(http::to_string(verb));
        if (verb == method)
            m.which = e;
    }
    return m;
}

bool still_waiting(const workflow::petition& p) { return workflow::is_waiting(p.state); }

// Whether `c` may read petition `p`: its requester and reviewers, auditors and admins; service tokens that
// file for people (`requests`) read what they file.
bool may_see(const caller& c, const workflow::petition& p)
{
    if (c.has(scope::audit_read))
        return true;
    if (!c.personal())
        return c.has(scope::requests);
    const auto people = workflow::people_concerned(p);
    return std::find(people.begin(), people.end(), c.person()) != people.end();
}

void need(const caller& c, scope s, std::string_view doing)
{
    if (!c.has(s))
        fail(code::forbidden, "This token lacks the `" + std::string(name(s)) + "` scope, which " + std::string(doing) +
                                  " needs.");
}

const std::string& acting_person(const caller& c, std::string_view doing)
{
    if (!c.personal())
        fail(code::forbidden, "A service token cannot " + std::string(doing) +
                                  ": it acts for no person. Use a personal token of the person who does.");
    return c.person();
}

std::string csv_escape(std::string_view s)
{
    if (s.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(s);
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    return out + "\"";
}

json::value cell_json(const workflow::reports::cell& c, bool is_time)
{
    if (std::holds_alternative<std::monostate>(c))
        return nullptr;
    if (auto* s = std::get_if<std::string>(&c))
        return json::value(*s);
    if (auto* d = std::get_if<double>(&c))
        return json::value(*d);
    const auto v = std::get<std::int64_t>(c);
    if (is_time)
        return json::value(rfc3339(workflow::time_point{std::chrono::seconds{v}}));
    return json::value(v);
}

std::string cell_text(const workflow::reports::cell& c, bool is_time)
{
    // Shortest round-trip form ("0.2", "489600"), not JSON's exponent form, for spreadsheets.
    if (auto* d = std::get_if<double>(&c)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
        return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    auto v = cell_json(c, is_time);
    if (v.is_null())
        return {};
    if (v.is_string())
        return std::string(v.get_string());
    return json::serialize(v);
}

bool is_time_column(std::string_view c) { return c == "from" || c == "until" || c == "filed_at"; }

} // namespace

// One API request, authenticated, with its path split and its query at hand.
struct api_router::call {
    const request& req;
    boost::urls::url_view url;
    std::vector<std::string> seg;
    endpoint which{};
    caller who;

    std::optional<std::string> param(std::string_view key) const
    {
        auto params = url.params();
        auto it = params.find(key);
        if (it == params.end())
            return std::nullopt;
        return std::string((*it).value);
    }

    std::size_t limit() const
    {
        auto text = param("limit");
        if (!text)
            return default_limit;
        std::size_t v = 0;
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
        if (ec != std::errc() || end != text->data() + text->size() || v < 1 || v > max_limit)
            fail(code::invalid_request, "`limit` must be a whole number from 1 to " + std::to_string(max_limit) +
                                            " (default " + std::to_string(default_limit) + ").");
        return v;
    }

    std::optional<workflow::time_point> time_param(std::string_view key, bool end_of_day) const
    {
        auto text = param(key);
        if (!text || text->empty())
            return std::nullopt;
        auto t = loader::detail::parse_time(*text, end_of_day);
        if (!t)
            fail(code::invalid_request, "`" + std::string(key) + "` must be a date (2026-11-23) or an RFC 3339 UTC "
                                        "time (2026-11-23T10:00:00Z), not \"" + text->substr(0, 40) + "\".");
        return t;
    }

    json::object body() const
    {
        if (req.body().empty())
            return {};
        boost::system::error_code ec;
        auto v = json::parse(req.body(), ec);
        if (ec)
            fail(code::invalid_request, "The body is not valid JSON (" + ec.message() + ").");
        if (!v.is_object())
            fail(code::invalid_request, "The body must be a JSON object.");
        return std::move(v.get_object());
    }
};

struct api_router::wait_state {
    std::string id;
    unsigned version;
    std::chrono::steady_clock::time_point deadline;
    boost::asio::any_io_executor ex;
    std::function<void(response)> done;
};

namespace {

// A string field of a JSON body: absent (nullopt), or a string of at most `max` characters.
std::optional<std::string> text_field(const json::object& o, std::string_view key, std::size_t max,
                                      std::string_view where = {})
{
    const auto* v = o.if_contains(key);
    if (!v || v->is_null())
        return std::nullopt;
    const std::string field = std::string(where) + std::string(key);
    if (!v->is_string())
        fail(code::invalid_request, "`" + field + "` must be a string.");
    const auto s = workflow::trim(v->get_string());
    if (workflow::char_count(s) > max)
        fail(code::invalid_request, "`" + field + "` is longer than " + std::to_string(max) + " characters.");
    return std::string(s);
}

std::string required_text(const json::object& o, std::string_view key, std::size_t max, std::string_view why,
                          std::string_view where = {})
{
    auto s = text_field(o, key, max, where);
    if (!s || s->find_first_not_of(" \t\r\n") == std::string::npos)
        fail(code::invalid_request, "`" + std::string(where) + std::string(key) + "` is required: " + std::string(why));
    return *s;
}

std::optional<workflow::duration> duration_field(std::optional<std::string> text, std::string_view key)
{
    if (!text)
        return std::nullopt;
    auto d = workflow::parse_duration(*text);
    if (!d)
        fail(code::invalid_request, "`" + std::string(key) + "`: " + d.error().message);
    return *d;
}

// A page of an in-memory list; the cursor is the offset of the next item.
json::object page_of(json::array all, std::size_t limit, const std::optional<std::string>& cursor)
{
    std::size_t from = 0;
    if (cursor && !cursor->empty()) {
        auto ok = cursor->size() > 1 && (*cursor)[0] == 'o';
        if (ok) {
            auto [end, ec] = std::from_chars(cursor->data() + 1, cursor->data() + cursor->size(), from);
            ok = ec == std::errc() && end == cursor->data() + cursor->size() && from <= all.size();
        }
        if (!ok)
            fail(code::invalid_request, "That page cursor is not one this service handed out.");
    }
    json::array items;
    for (std::size_t i = from; i < all.size() && items.size() < limit; ++i)
        items.push_back(std::move(all[i]));
    const auto next = from + items.size();
    return json::object{{"items", std::move(items)},
                        {"next_cursor", next < all.size() ? json::value("o" + std::to_string(next)) : nullptr}};
}

} // namespace

api_router::api_router(service_context& ctx, workflow::token_store& tokens, workflow::report_queries& reports,
                       petition_waiters& waiters)
    : ctx_(ctx), tokens_(tokens), reports_(reports), waiters_(waiters)
{
}

bool api_router::owns(std::string_view path)
{
    return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/');
}

std::size_t api_router::body_limit(http::verb method, std::string_view target)
{
    const auto q = target.find('?');
    const auto path = target.substr(0, q);
    if (method == http::verb::put && (path == "/api/v1/resources" || path == "/api/v1/resources/"))
        return max_upload_bytes;
    return max_body_bytes;
}

response api_router::handle(const request& req)
{
    std::optional<response> out;
    handle_async(req, {}, [&](response r) { out = std::move(r); });
    if (!out)
        return api_error(code::internal, "This endpoint answers later; call it through the server.", req.version());
    return std::move(*out);
}

void api_router::handle_async(const request& req, const boost::asio::any_io_executor& ex,
                              std::function<void(response)> done)
{
    const auto version = req.version();
    try {
        auto target = boost::urls::parse_origin_form(req.target());
        if (!target)
            fail(code::invalid_request, "The request target is not a valid path: " + target.error().message());
        call c{req, *target, {}, {}, {}};
        for (auto s : target->segments())
            c.seg.push_back(std::string(s));
        // Drop "api", "v1", and a trailing slash's empty segment.
        c.seg.erase(c.seg.begin(), c.seg.begin() + std::min<std::ptrdiff_t>(2, static_cast<std::ptrdiff_t>(c.seg.size())));
        if (!c.seg.empty() && c.seg.back().empty())
            c.seg.pop_back();
        auto m = match(c.seg, req.method());
        if (m.allow.empty())
            fail(code::not_found, "No such endpoint: " + std::string(req.method_string()) + " " +
                                      std::string(target->encoded_path()) + ". The endpoints are listed in docs/api.md.");
        if (!m.which) {
            auto res = api_error(code::method_not_allowed,
                                 std::string(target->encoded_path()) + " accepts " + m.allow + ", not " +
                                     std::string(req.method_string()) + ".",
                                 version);
            res.set(http::field::allow, m.allow);
            return done(std::move(res));
        }
        c.which = *m.which;
        if (c.which == endpoint::report && ex) {
            // A report reads up to 200,000 requests: it runs on a thread of its own, one at a time, not on
            // the threads that answer Slack within its 3 seconds. The session keeps `req` until `done`.
            boost::asio::post(report_thread_, [this, &req, ex, done = std::move(done)]() mutable {
                auto res = handle(req);
                boost::asio::post(ex, [done = std::move(done), res = std::move(res)]() mutable { done(std::move(res)); });
            });
            return;
        }
        if ((c.which == endpoint::petition_get || c.which == endpoint::petition_wait ||
             c.which == endpoint::petition_act) &&
            !workflow::is_petition_id(c.seg[1]))
            fail(code::not_found, "\"" + c.seg[1].substr(0, 40) + "\" is not a request id; ids look like "
                                  "p-0bq3k7d2m9x4f (see GET /api/v1/petitions?mine=true).");
        auto auth = authenticate(req, tokens_, ctx_.clock.now());
        if (!auth.who)
            fail(code::unauthenticated, auth.refusal);
        c.who = std::move(*auth.who);
        if (c.which != endpoint::petition_wait)
            return done(dispatch(c));

        // The long poll: registered against the petition, answered when it settles or at the timeout.
        auto p = must(ctx_.access.get(c.seg[1]));
        if (!may_see(c.who, p))
            fail(code::not_found, "There is no request " + c.seg[1] + " you can see.");
        std::chrono::seconds timeout{30};
        if (auto t = c.param("timeout")) {
            int v = 0;
            auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
            if (ec != std::errc() || end != t->data() + t->size() || v < 1 || v > 60)
                fail(code::invalid_request, "`timeout` must be a whole number of seconds from 1 to 60 (default 30).");
            timeout = std::chrono::seconds{v};
        }
        if (!ex) {
            // No connection to wait on (called through handle()): answer with the petition as it is.
            return done(poll_answer(p, version));
        }
        auto w = std::make_shared<wait_state>(wait_state{p.id, version, std::chrono::steady_clock::now() + timeout, ex,
                                                         std::move(done)});
        wait_round(w, true);
    } catch (const api_failure& f) {
        done(api_error(f.code, f.message, version));
    } catch (const workflow::error_exception& e) {
        done(from_error(e.get(), version));
    } catch (const std::exception& e) {
        spdlog::error("api: {} {}: {}", std::string(req.method_string()), std::string(req.target()), e.what());
        done(api_error(code::internal, "Something went wrong inside Checkpoint; the details are in its log.", version));
    }
}

json::object api_router::petition_out(const workflow::petition& p)
{
    const auto& dir = ctx_.manifests.directory;
    if (!p.route.is_resource)
        return petition_json(p, dir, {}, ctx_.manifests.catalog.find(p.entitlement()));
    const auto colon = p.entitlement().find(':');
    auto r = ctx_.resources.find(p.entitlement().substr(0, colon), p.entitlement().substr(colon + 1));
    return petition_json(p, dir, r && *r ? (*r)->display_name : std::string());
}

response api_router::poll_answer(const workflow::petition& p, unsigned version)
{
    auto res = json_response(http::status::ok, petition_out(p), version);
    res.set("X-Checkpoint-Waiting", still_waiting(p) ? "true" : "false");
    return res;
}

void api_router::wait_round(const std::shared_ptr<wait_state>& w, bool first) noexcept
{
    // Runs on the connection's strand, outside any request handler's try: nothing may escape into the io loop.
    auto internal = [w](const std::exception& e) {
        spdlog::error("api: wait on {}: {}", w->id, e.what());
        w->done(api_error(code::internal, "Something went wrong inside Checkpoint; the details are in its log.",
                          w->version));
    };
    // Answers with the petition as last read.
    auto answer = [this, w](const workflow::result<workflow::petition>& p) {
        if (!p)
            return w->done(from_error(p.error(), w->version));
        w->done(poll_answer(*p, w->version));
    };
    try {
        const bool registered = waiters_.wait(w->id, w->ex, w->deadline, [this, w, answer, internal](bool timed_out) {
            try {
                auto p = ctx_.access.get(w->id);
                if (timed_out || !p || !still_waiting(*p) || std::chrono::steady_clock::now() >= w->deadline)
                    return answer(p);
                // Woken by a transition that left it waiting (one step of several approved): wait on.
                wait_round(w, false);
            } catch (const std::exception& e) {
                internal(e);
            }
        });
        if (!registered) {
            // Full: a new poll is refused. Closing (shutdown), or a re-wait that found no room: answered as it stands.
            if (first && !waiters_.closed())
                return w->done(api_error(code::rate_limited,
                                         "Too many requests are being waited on right now; poll again in a few seconds.",
                                         w->version));
            return answer(ctx_.access.get(w->id));
        }
        // Checked after registering, so a transition committed just before is not missed.
        auto p = ctx_.access.get(w->id);
        if (!p || !still_waiting(*p))
            waiters_.notify(w->id);
    } catch (const std::exception& e) {
        internal(e);
    }
}

response api_router::dispatch(call& c)
{
    const auto version = c.req.version();
    const auto& dir = ctx_.manifests.directory;
    const auto now = ctx_.clock.now();
    auto ok = [&](json::value v, http::status s = http::status::ok) { return json_response(s, v, version); };
    auto audit_api = [&](std::string action, std::string reason, std::string petition, json::object details) {
        auto r = ctx_.audit.append(
            {c.who.actor(), std::move(action), now, std::move(reason), "api", std::move(petition), json::serialize(details)});
        if (!r)
            throw workflow::error_exception(r.error());
    };

    switch (c.which) {
    case endpoint::me: {
        json::value person = nullptr;
        if (c.who.personal()) {
            const auto i = dir.find(c.who.person());
            person = json::object{{"id", c.who.person()},
                                  {"name", i == workflow::no_person ? c.who.person() : dir.at(i).name}};
        }
        json::array scopes;
        for (const auto& s : c.who.token.scopes)
            scopes.push_back(json::value(s));
        return ok(json::object{{"kind", c.who.token.kind},
                               {"name", c.who.token.name},
                               {"person", std::move(person)},
                               {"scopes", std::move(scopes)}});
    }

    case endpoint::bundles: {
        json::array all;
        const auto q = c.param("q").value_or("");
        if (q.size() > workflow::max_target_length)
            fail(code::invalid_request, "`q` is longer than " + std::to_string(workflow::max_target_length) + " characters.");
        // For a personal token, whether a request at the default duration would be instant for its person
        // (decided in memory, as GET /explain does: no read per bundle).
        const auto entry = [&](const workflow::bundle& b) {
            auto out = bundle_json(b);
            if (c.who.personal() && !b.deprecated)
                if (auto r = workflow::explain(ctx_.manifests, c.who.person(), b.name, std::nullopt, now))
                    out["instant_for_you"] = r->outcome == workflow::route_outcome::auto_approved;
            return out;
        };
        if (q.find_first_not_of(" \t") == std::string::npos)
            for (const auto& b : ctx_.manifests.catalog.bundles())
                all.push_back(entry(b));
        else
            for (const auto* b : ctx_.manifests.catalog.search(q))
                all.push_back(entry(*b));
        return ok(page_of(std::move(all), c.limit(), c.param("cursor")));
    }

    case endpoint::bundle: {
        const auto* b = ctx_.manifests.catalog.find(c.seg[1]);
        if (!b) {
            std::string msg = "There is no bundle named \"" + c.seg[1].substr(0, workflow::max_target_length) + "\".";
            auto near = ctx_.manifests.catalog.closest(c.seg[1]);
            for (std::size_t i = 0; i < near.size(); ++i)
                msg += (i == 0 ? " Did you mean " : i + 1 == near.size() ? " or " : ", ") + std::string(near[i]);
            if (!near.empty())
                msg += "?";
            fail(code::not_found, msg);
        }
        return ok(bundle_json(*b));
    }

    case endpoint::resources_list: {
        std::vector<std::string> kinds;
        if (auto k = c.param("kind")) {
            if (!ctx_.manifests.settings.find_resource(*k))
                fail(code::not_found, "There is no resource kind \"" + k->substr(0, 100) + "\"; checkpoint.yaml "
                                      "lists the kinds under `resources`.");
            kinds.push_back(*k);
        } else {
            for (const auto& r : ctx_.manifests.settings.resources)
                kinds.push_back(r.kind);
        }
        const auto q = workflow::to_lower(c.param("q").value_or(""));
        if (q.size() > workflow::max_target_length)
            fail(code::invalid_request, "`q` is longer than " + std::to_string(workflow::max_target_length) + " characters.");
        json::array all;
        for (const auto& k : kinds)
            for (const auto& r : must(ctx_.resources.of_kind(k)))
                if (q.empty() || workflow::to_lower(r.id).find(q) != std::string::npos ||
                    workflow::to_lower(r.display_name).find(q) != std::string::npos)
                    all.push_back(resource_json(r));
        return ok(page_of(std::move(all), c.limit(), c.param("cursor")));
    }

    case endpoint::resources_put: {
        need(c.who, scope::resources_write, "uploading resources");
        auto body = c.body();
        // Rows without a kind are of the one kind checkpoint.yaml defines, when it defines only one.
        if (auto* rows = body.if_contains("resources"); rows && rows->is_array()) {
            const auto& defined = ctx_.manifests.settings.resources;
            std::string names;
            for (const auto& k : defined)
                names += (names.empty() ? "" : ", ") + k.kind;
            for (std::size_t i = 0; i < rows->get_array().size(); ++i) {
                auto& row = rows->get_array()[i];
                if (!row.is_object() || row.get_object().contains("kind"))
                    continue;
                if (defined.size() != 1)
                    fail(code::invalid_request, "`resources[" + std::to_string(i) +
                                                    "].kind` is missing, and checkpoint.yaml defines " +
                                                    (defined.empty() ? std::string("no resource kinds")
                                                                     : "the kinds " + names + ": name one") +
                                                    ".");
                row.get_object()["kind"] = defined.front().kind;
            }
        }
        const auto* list = body.if_contains("resources");
        if (!list || !list->is_array())
            fail(code::invalid_request, "`resources` is required: an array of {\"kind\", \"id\", \"displayName\", "
                                        "\"labels\"}.");
        const auto& items = list->get_array();
        if (items.size() > max_resources_per_upload)
            fail(code::too_large, "At most " + std::to_string(max_resources_per_upload) +
                                      " resources per upload; this one has " + std::to_string(items.size()) + ".");
        // The same reading as a pull/update answer, with the same bounds.
        auto listed = read_resource_list(body, {.max_resources = max_resources_per_upload});
        if (!listed)
            fail(code::invalid_request, listed.error().message + ".");
        std::vector<workflow::resource> rs;
        rs.reserve(listed->size());
        json::object kinds;
        for (std::size_t i = 0; i < listed->size(); ++i) {
            const auto& r = (*listed)[i];
            if (!ctx_.manifests.settings.find_resource(r.kind))
                fail(code::invalid_request, "`resources[" + std::to_string(i) + "].kind`: \"" + r.kind +
                                                "\" is not a resource kind in checkpoint.yaml.");
            if (auto* n = kinds.if_contains(r.kind))
                *n = n->to_number<std::int64_t>() + 1;
            else
                kinds[r.kind] = 1;
            rs.push_back(catalog_row(r, now));
        }
        must(ctx_.resources.upsert_all(rs));
        audit_api("resources.upsert", "bulk upload of " + std::to_string(rs.size()) + " resources", "",
                  json::object{{"count", rs.size()}, {"kinds", std::move(kinds)}});
        return ok(json::object{{"upserted", rs.size()}});
    }

    case endpoint::resources_sync: {
        need(c.who, scope::resources_write, "syncing resources");
        const auto kind = c.param("kind").value_or("");
        const auto keys = must(request_resource_sync(ctx_, kind));
        audit_api("resources.sync", kind.empty() ? "sync of every resource kind requested" : "sync of " + kind + " requested",
                  "", json::object{{"kind", kind}, {"jobs", keys.size()}});
        return ok(json::object{{"queued", !keys.empty()}, {"jobs", keys.size()}}, http::status::accepted);
    }

    case endpoint::petitions_create: {
        need(c.who, scope::requests, "filing a request");
        const auto body = c.body();
        workflow::intent::request r;
        const auto bundle = text_field(body, "bundle", workflow::max_target_length);
        const auto* resource = body.if_contains("resource");
        if (resource && resource->is_null())
            resource = nullptr;
        if (bundle.has_value() == (resource != nullptr))
            fail(code::invalid_request, "Give exactly one of `bundle` (a bundle name) or `resource` "
                                        "({\"kind\": \"customer\", \"id\": \"123\"}).");
        if (bundle) {
            if (bundle->empty() || bundle->find(':') != std::string::npos)
                fail(code::invalid_request, "`bundle` must be a bundle name such as \"api-production\"; resources go "
                                            "in `resource`.");
            r.target = *bundle;
        } else {
            if (!resource->is_object())
                fail(code::invalid_request, "`resource` must be an object: {\"kind\": \"customer\", \"id\": \"123\"}.");
            const auto& ro = resource->get_object();
            const auto kind = required_text(ro, "kind", 100, "the resource kind, such as \"customer\".", "resource.");
            const auto id = required_text(ro, "id", max_resource_id_length, "the resource's id.", "resource.");
            // Whether it exists is access_service's rule, as for `/checkpoint request customer:123`.
            r.target = kind + ":" + id;
        }
        r.length = duration_field(text_field(body, "duration", 40), "duration");
        r.reason = required_text(body, "reason", workflow::max_reason_length,
                                 "say why you need access; reviewers and the audit log read it.");
        r.ticket = text_field(body, "ticket", workflow::max_ticket_length).value_or("");
        if (const auto* bg = body.if_contains("break_glass"); bg && !bg->is_null()) {
            if (!bg->is_bool())
                fail(code::invalid_request, "`break_glass` must be true or false.");
            r.break_glass = bg->get_bool();
        }
        auto requester = text_field(body, "requester", 200);
        if (c.who.personal()) {
            if (requester && dir.find(*requester) != dir.find(c.who.person()))
                fail(code::forbidden, "A personal token files only for its own person (" + c.who.person() +
                                          "); leave out `requester`.");
            requester = c.who.person();
        } else if (!requester) {
            fail(code::invalid_request, "`requester` is required with a service token: the directory id of the "
                                        "person who needs access.");
        }
        auto p = must(ctx_.access.submit(*requester, r));
        if (!c.who.personal())
            audit_api("api.file_for", "filed for " + *requester, p.id, json::object{{"requester", *requester}});
        return ok(petition_out(p), http::status::created);
    }

    case endpoint::petition_get: {
        auto p = must(ctx_.access.get(c.seg[1]));
        if (!may_see(c.who, p))
            fail(code::not_found, "There is no request " + c.seg[1] + " you can see.");
        return ok(petition_out(p));
    }

    case endpoint::petitions_list: {
        const auto limit = c.limit();
        json::array items;
        if (auto a = c.param("awaiting")) {
            if (*a != "me")
                fail(code::invalid_request, "`awaiting` takes only `me`.");
            // Only a reviewer is awaited: without `review` the answer would always be empty, so say why.
            need(c.who, scope::review, "listing the requests awaiting your decision");
            const auto& me = acting_person(c.who, "list what awaits its decision");
            for (const auto& p : must(ctx_.access.awaiting(me, limit)))
                items.push_back(petition_out(p));
            return ok(json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
        }
        workflow::request_log_query q;
        q.limit = limit;
        q.cursor = c.param("cursor").value_or("");
        if (auto m = c.param("mine")) {
            if (*m != "true" && *m != "false")
                fail(code::invalid_request, "`mine` is true or false.");
            if (*m == "true")
                q.person = acting_person(c.who, "list its own requests");
        }
        if (auto person = c.param("person"); person && !person->empty()) {
            if (q.person && *q.person != *person)
                fail(code::invalid_request, "`mine=true` and `person` name different people.");
            q.person = *person;
        }
        if (auto b = c.param("bundle"); b && !b->empty())
            q.target = *b;
        if (auto s = c.param("state"); s && !s->empty()) {
            q.state = workflow::parse_petition_state(*s);
            if (!q.state)
                fail(code::invalid_request, "`state` is one of pending, approved, provisioning, active, denied, "
                                            "cancelled, expired, revoked, failed.");
        }
        q.from = c.time_param("from", false);
        q.until = c.time_param("until", true);
        auto page = must(ctx_.petitions.request_log(q));
        for (const auto& p : page.petitions)
            items.push_back(petition_out(p));
        return ok(json::object{{"items", std::move(items)},
                               {"next_cursor", page.next.empty() ? json::value(nullptr) : json::value(page.next)}});
    }

    case endpoint::petition_wait: break; // answered in handle_async

    case endpoint::petition_act: {
        const auto& id = c.seg[1];
        const auto& action = c.seg[2];
        const auto body = c.body();
        // The same row of the action table as the Slack button: the event, and who may press it.
        const auto* row = blocks::find_api_verb(action);
        if (!row || !row->event)
            fail(code::not_found, "There is no action \"" + action.substr(0, 40) + "\".");
        const std::string doing(row->doing);
        switch (row->who) {
        case blocks::who_may::reviewer: need(c.who, scope::review, doing); break;
        case blocks::who_may::requester: need(c.who, scope::requests, doing); break;
        case blocks::who_may::requester_or_reviewer:
            if (!c.who.has(scope::requests) && !c.who.has(scope::review))
                fail(code::forbidden,
                     "This token lacks the `requests` or `review` scope, one of which " + doing + " needs.");
            break;
        case blocks::who_may::anyone: break;
        }
        const auto& me = acting_person(c.who, action);
        const auto reason = text_field(body, "reason", workflow::max_reason_length).value_or("");
        switch (*row->event) {
        case workflow::event_kind::approve: {
            auto e = workflow::approve_by(me, now);
            e.reason = reason;
            return ok(petition_out(must(ctx_.access.act(id, e)).petition));
        }
        case workflow::event_kind::deny:
            return ok(petition_out(must(ctx_.access.act(
                                            id, workflow::deny_by(me,
                                                                  required_text(body, "reason", workflow::max_reason_length,
                                                                                "say why, in a few words: the requester "
                                                                                "reads this."),
                                                                  now)))
                                       .petition));
        case workflow::event_kind::cancel:
            return ok(petition_out(must(ctx_.access.act(id, workflow::cancel_by(me, now))).petition));
        case workflow::event_kind::revoke:
            return ok(petition_out(must(ctx_.access.act(id, workflow::revoke_by(me, now, reason))).petition));
        case workflow::event_kind::request_extension:
            break;
        case workflow::event_kind::start_provisioning:
        case workflow::event_kind::provisioned:
        case workflow::event_kind::provisioning_failed:
        case workflow::event_kind::expire:
        case workflow::event_kind::escalate:
            fail(code::not_found, "There is no action \"" + action + "\".");
        }
        auto added = duration_field(text_field(body, "duration", 40), "duration");
        if (!added)
            fail(code::invalid_request, "`duration` is required: how much longer, such as \"1d\".");
        return ok(petition_out(must(ctx_.access.extend(id, me, *added, reason)).petition));
    }

    case endpoint::explain: {
        const auto target = c.param("bundle").value_or("");
        if (target.empty() || target.size() > workflow::max_target_length)
            fail(code::invalid_request, "`bundle` is required: a bundle name, or kind:id for a resource.");
        auto requester = c.param("requester");
        if (!requester || requester->empty()) {
            if (!c.who.personal())
                fail(code::invalid_request, "`requester` is required with a service token: whose request to explain.");
            requester = c.who.person();
        }
        auto length = duration_field(c.param("duration"), "duration");
        return ok(explain_json(must(workflow::explain(ctx_.manifests, *requester, target, length, now))));
    }

    case endpoint::audit: {
        need(c.who, scope::audit_read, "reading the audit log");
        workflow::audit_query q;
        if (auto p = c.param("person"); p && !p->empty())
            q.actor = *p;
        if (auto p = c.param("petition"); p && !p->empty())
            q.petition_id = *p;
        q.from = c.time_param("from", false);
        q.until = c.time_param("until", true);
        q.limit = c.limit();
        q.cursor = c.param("cursor").value_or("");
        auto page = must(reports_.audit_events(q));
        json::array items;
        for (const auto& r : page.records)
            items.push_back(audit_json(r));
        return ok(json::object{{"items", std::move(items)},
                               {"next_cursor", page.next.empty() ? json::value(nullptr) : json::value(page.next)}});
    }

    case endpoint::audit_verify: {
        need(c.who, scope::audit_read, "verifying the audit log");
        auto v = must(ctx_.audit.verify());
        if (v.ok)
            return ok(json::object{{"ok", true}, {"events", v.checked}});
        return ok(json::object{{"ok", false},
                               {"events", v.checked},
                               {"first_bad", v.first_bad_seq ? json::value(*v.first_bad_seq) : json::value(nullptr)},
                               {"problem", v.problem}});
    }

    case endpoint::report: {
        need(c.who, scope::audit_read, "reading reports");
        workflow::reports::options o;
        o.until = c.time_param("until", true).value_or(now);
        o.from = c.time_param("from", false).value_or(o.until - std::chrono::days{30});
        if (o.from >= o.until)
            fail(code::invalid_request, "`from` must be before `until`.");
        o.bundle = c.param("bundle").value_or("");
        if (!o.bundle.empty() && !ctx_.manifests.catalog.find(o.bundle))
            fail(code::not_found, "There is no bundle named \"" + o.bundle.substr(0, 100) + "\".");
        if (auto m = duration_field(c.param("min"), "min"))
            o.min_length = *m;
        const auto format = c.param("format").value_or("json");
        if (format != "json" && format != "csv")
            fail(code::invalid_request, "`format` is json or csv.");
        const auto& report = c.seg[1];
        // Checked before the history is read, so a mistyped name costs nothing.
        must(workflow::reports::run(report, {}, ctx_.manifests.catalog, o));
        o.ended_at = must(reports_.end_times());
        auto t = must(workflow::reports::run(report, must(reports_.petitions_filed_before(o.until)),
                                             ctx_.manifests.catalog, o));
        if (format == "csv") {
            std::string out;
            for (std::size_t i = 0; i < t.columns.size(); ++i)
                out += (i ? "," : "") + csv_escape(t.columns[i]);
            out += "\r\n";
            for (const auto& row : t.rows) {
                for (std::size_t i = 0; i < row.size(); ++i)
                    out += (i ? "," : "") + csv_escape(cell_text(row[i], is_time_column(t.columns[i])));
                out += "\r\n";
            }
            response res{http::status::ok, version};
            res.set(http::field::server, server_name);
            res.set(http::field::content_type, "text/csv; charset=utf-8");
            res.set(http::field::content_disposition, "attachment; filename=\"" + report + ".csv\"");
            res.body() = std::move(out);
            res.prepare_payload();
            return res;
        }
        json::array rows;
        for (const auto& row : t.rows) {
            json::object o_row;
            for (std::size_t i = 0; i < row.size(); ++i)
                o_row[t.columns[i]] = cell_json(row[i], is_time_column(t.columns[i]));
            rows.push_back(std::move(o_row));
        }
        json::object summary;
        for (const auto& [k, v] : t.summary)
            summary[k] = cell_json(v, false);
        return ok(json::object{{"report", report},
                               {"from", rfc3339(o.from)},
                               {"until", rfc3339(o.until)},
                               {"rows", std::move(rows)},
                               {"summary", std::move(summary)}});
    }

    case endpoint::tokens_list: {
        need(c.who, scope::admin, "listing tokens");
        json::array all;
        for (const auto& t : must(tokens_.list()))
            all.push_back(app::token_json(t));
        return ok(page_of(std::move(all), c.limit(), c.param("cursor")));
    }

    case endpoint::tokens_create: {
        need(c.who, scope::admin, "creating tokens");
        const auto body = c.body();
        app::token_request r;
        r.name = required_text(body, "name", app::max_token_name_length,
                               "what the token is for, such as \"ci-deploy\".");
        r.kind = required_text(body, "kind", 20, "\"service\" or \"personal\".");
        r.person = text_field(body, "person", 200).value_or("");
        const auto* sv = body.if_contains("scopes");
        if (!sv || !sv->is_array())
            fail(code::invalid_request, "`scopes` is required: a non-empty array of " + scope_names() + ".");
        for (const auto& s : sv->get_array()) {
            if (!s.is_string())
                fail(code::invalid_request, "`scopes` may hold only " + scope_names() + ".");
            r.scopes.emplace_back(s.get_string());
        }
        auto checked = app::check_token_request(r, dir);
        if (auto* no = std::get_if<app::token_refusal>(&checked)) {
            static constexpr std::string_view field_names[] = {"name", "kind", "person", "scopes"};
            fail(code::invalid_request,
                 "`" + std::string(field_names[static_cast<int>(no->field)]) + "`: " + no->message);
        }
        auto made = must(app::create_token(tokens_, r, std::get<std::string>(checked), c.who.actor(), "api", now));
        return ok(app::token_json(made.token, made.secret), http::status::created);
    }

    case endpoint::token_delete: {
        need(c.who, scope::admin, "revoking tokens");
        std::int64_t id = 0;
        const auto& text = c.seg[1];
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || end != text.data() + text.size())
            fail(code::invalid_request, "A token id is a number, as the list of tokens shows it.");
        if (!must(app::revoke_token(tokens_, id, c.who.actor(), "api", now)))
            fail(code::not_found, "There is no active token " + text + ".");
        response res{http::status::no_content, version};
        res.set(http::field::server, server_name);
        return res;
    }
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
