// REST API request bodies and query strings. The input is a request line's method and target, a line
// break, then the body: `POST /api/v1/petitions\n{"bundle": …}`. It goes through the router's pure
// layer: the body limit, the path's endpoint (api::match), the query parameters each endpoint reads,
// the body decoded as api_router::call::body() does, and the field readers of POST /petitions,
// POST /petitions/{id}/<action>, PUT /resources and POST /tokens (bot/api/api_*.cpp). Nothing is
// stored: the router's storage steps are where this stops.

#include "app/tokens.hpp"
#include "blocks/actions.hpp"
#include "bot/api/api_errors.hpp"
#include "bot/api/api_internal.hpp"
#include "bot/api/api_router.hpp"
#include "bot/integrations/pulled_resources.hpp"
#include "fuzz_support.hpp"
#include "workflow/intent.hpp"
#include "workflow/loader/yaml_reader.hpp"
#include "workflow/petition_json.hpp"
#include "workflow/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace checkpoint;
namespace api = checkpoint::bot::api;
namespace json = boost::json;
namespace http = boost::beast::http;

const workflow::directory& directory()
{
    static const workflow::directory dir = [] {
        workflow::person alice;
        alice.id = "alice";
        alice.external_id = "E100";
        alice.email = "alice@example.com";
        alice.name = "Alice Example";
        alice.slack_id = "U0ALICE";
        alice.team = "api-team";
        return workflow::directory({alice}, {}, {});
    }();
    return dir;
}

// A refusal is the API answering 4xx: it must say what was wrong.
template <class F>
void refusable(F&& f)
{
    try {
        f();
    } catch (const api::api_failure& e) {
        fuzz::check(!e.message.empty(), "an API refusal says why");
        (void)api::api_error(e.code, e.message);
    } catch (const workflow::error_exception& e) {
        (void)api::from_error(e.get());
    }
}

// POST /api/v1/petitions, as api_petitions.cpp reads it (a service token, which names the requester).
void petitions_create(const json::object& body)
{
    workflow::intent::request r;
    const auto bundle = api::text_field(body, "bundle", workflow::max_target_length);
    const auto* resource = body.if_contains("resource");
    if (resource && resource->is_null())
        resource = nullptr;
    if (bundle.has_value() == (resource != nullptr))
        api::fail(api::code::invalid_request, "Give exactly one of `bundle` or `resource`.");
    if (bundle) {
        if (bundle->empty() || bundle->find(':') != std::string::npos)
            api::fail(api::code::invalid_request, "`bundle` must be a bundle name.");
        r.target = *bundle;
    } else {
        if (!resource->is_object())
            api::fail(api::code::invalid_request, "`resource` must be an object.");
        const auto& ro = resource->get_object();
        const auto kind = api::required_text(ro, "kind", 100, "the resource kind.", "resource.");
        const auto id = api::required_text(ro, "id", api::max_resource_id_length, "the resource's id.", "resource.");
        r.target = kind + ":" + id;
    }
    r.length = api::duration_field(api::text_field(body, "duration", 40), "duration");
    r.reason = api::required_text(body, "reason", workflow::max_reason_length, "say why.");
    r.ticket = api::text_field(body, "ticket", workflow::max_ticket_length).value_or("");
    if (const auto* bg = body.if_contains("break_glass"); bg && !bg->is_null()) {
        if (!bg->is_bool())
            api::fail(api::code::invalid_request, "`break_glass` must be true or false.");
        r.break_glass = bg->get_bool();
    }
    const auto requester = api::text_field(body, "requester", 200);
    if (!requester)
        api::fail(api::code::invalid_request, "`requester` is required with a service token.");
    (void)directory().find(*requester);
    fuzz::check(workflow::char_count(r.reason) <= workflow::max_reason_length, "an API reason is bounded");
    fuzz::check(!r.target.empty(), "an API request names its target");
    if (r.length)
        fuzz::check(r.length->count() > 0, "an API duration is positive");
}

// POST /api/v1/petitions/{id}/<action>.
void petition_act(const json::object& body, std::string_view action)
{
    const auto* row = blocks::find_api_verb(action);
    if (!row || !row->event)
        api::fail(api::code::not_found, "There is no such action.");
    const auto reason = api::text_field(body, "reason", workflow::max_reason_length).value_or("");
    switch (*row->event) {
    case workflow::event_kind::deny:
        (void)api::required_text(body, "reason", workflow::max_reason_length, "say why.");
        return;
    case workflow::event_kind::request_extension: {
        auto added = api::duration_field(api::text_field(body, "duration", 40), "duration");
        if (!added)
            api::fail(api::code::invalid_request, "`duration` is required.");
        return;
    }
    default: return;
    }
}

// PUT /api/v1/resources, with one resource kind defined (rows without a kind take it).
void resources_put(json::object body)
{
    if (auto* rows = body.if_contains("resources"); rows && rows->is_array())
        for (auto& row : rows->get_array())
            if (row.is_object() && !row.get_object().contains("kind"))
                row.get_object()["kind"] = "customer";
    const auto* list = body.if_contains("resources");
    if (!list || !list->is_array())
        api::fail(api::code::invalid_request, "`resources` is required.");
    if (list->get_array().size() > api::max_resources_per_upload)
        api::fail(api::code::too_large, "Too many resources.");
    auto listed = bot::read_resource_list(body, {.max_resources = api::max_resources_per_upload});
    if (!listed)
        api::fail(api::code::invalid_request, listed.error().message + ".");
    for (const auto& r : *listed) {
        fuzz::check(!r.kind.empty() && !r.id.empty(), "an uploaded resource has a kind and an id");
        fuzz::check(r.id.find_first_of(" \t\r\n:") == std::string::npos, "a resource id has no spaces or colons");
        const auto row = bot::catalog_row(r, fuzz::fixed_now());
        fuzz::check(json::parse(row.labels).is_object(), "catalog labels are a JSON object");
    }
}

// POST /api/v1/tokens.
void tokens_create(const json::object& body)
{
    app::token_request r;
    r.name = api::required_text(body, "name", app::max_token_name_length, "what the token is for.");
    r.kind = api::required_text(body, "kind", 20, "\"service\" or \"personal\".");
    r.person = api::text_field(body, "person", 200).value_or("");
    r.expires = api::text_field(body, "expires", 40).value_or("");
    const auto* sv = body.if_contains("scopes");
    if (!sv || !sv->is_array())
        api::fail(api::code::invalid_request, "`scopes` is required.");
    for (const auto& s : sv->get_array()) {
        if (!s.is_string())
            api::fail(api::code::invalid_request, "`scopes` may hold only scope names.");
        r.scopes.emplace_back(s.get_string());
    }
    (void)app::check_token_request(r, directory());
}

// The query parameters the endpoints read (api_internal.hpp's call::param, limit and time_param).
void query(const boost::urls::url_view& url)
{
    auto param = [&](std::string_view key) -> std::optional<std::string> {
        auto params = url.params();
        auto it = params.find(key);
        if (it == params.end())
            return std::nullopt;
        return std::string((*it).value);
    };
    refusable([&] {
        std::size_t limit = api::default_limit;
        if (auto text = param("limit")) {
            auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
            if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > api::max_limit)
                api::fail(api::code::invalid_request, "`limit` must be a whole number from 1 to 200.");
        }
        json::array all;
        for (int i = 0; i < 5; ++i)
            all.push_back(i);
        auto page = api::page_of(std::move(all), limit, param("cursor"));
        fuzz::check(page.at("items").as_array().size() <= limit, "a page holds at most `limit` items");
    });
    for (const auto* key : {"from", "until"})
        if (auto text = param(key); text && !text->empty())
            (void)loader::detail::parse_time(*text, std::string_view(key) == "until");
    if (auto s = param("state"))
        (void)workflow::parse_petition_state(*s);
    for (const auto* key : {"min", "duration"})
        refusable([&] { (void)api::duration_field(param(key), key); });
    if (auto q = param("q"))
        (void)workflow::to_lower(*q);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    const auto body_text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const auto sp = line.find(' ');
    const auto method = http::string_to_verb(line.substr(0, sp));
    const auto target = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);

    // The server refuses a body over the route's limit before the router sees it.
    if (body_text.size() > bot::api::api_router::body_limit(method, target))
        return 0;

    std::vector<std::string> seg;
    std::optional<api::endpoint> which;
    if (auto url = boost::urls::parse_origin_form(target)) {
        (void)api::api_router::owns(url->encoded_path());
        seg = api::segments_after_prefix(*url);
        auto m = api::match(seg, method);
        fuzz::check(!m.which || !m.allow.empty(), "a matched endpoint is among the allowed methods");
        which = m.which;
        if ((which == api::endpoint::petition_get || which == api::endpoint::petition_wait ||
             which == api::endpoint::petition_act))
            (void)workflow::is_petition_id(seg.at(1));
        query(*url);
    }

    // The body as call::body() reads it: empty is {}, anything else must be a JSON object.
    json::object body;
    if (!body_text.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(body_text, ec);
        if (ec || !v.is_object())
            return 0;
        body = std::move(v.get_object());
    }

    // Every body reader, whichever endpoint the path named: the input's body is what is being fuzzed.
    refusable([&] { petitions_create(body); });
    if (which == api::endpoint::petition_act)
        refusable([&] { petition_act(body, seg.at(2)); });
    else
        for (const auto* verb : {"approve", "deny", "extend", "cancel", "revoke"})
            refusable([&] { petition_act(body, verb); });
    refusable([&] { resources_put(body); });
    refusable([&] { tokens_create(body); });
    return 0;
}
