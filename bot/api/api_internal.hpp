#pragma once

// Shared by the API's files (api_router.cpp and one file per resource): the failure that becomes the
// error response, the endpoint list, one call's view of the request, and the body and paging helpers.
// Not for use outside bot/api.

#include "bot/api/api_errors.hpp"
#include "bot/api/api_router.hpp"
#include "bot/integrations/pulled_resources.hpp"
#include "workflow/duration.hpp"
#include "workflow/error.hpp"
#include "workflow/loader/yaml_reader.hpp"
#include "workflow/reports.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::bot::api {

namespace json = boost::json;

inline constexpr std::size_t max_resources_per_upload = 10'000;
inline constexpr std::size_t max_resource_id_length = pulled_resource_limits{}.max_id;
inline constexpr std::size_t default_limit = 50;
inline constexpr std::size_t max_limit = 200;

// Thrown inside the router only, and turned into the error response at its top.
struct api_failure {
    std::string_view code;
    std::string message;
};

[[noreturn]] inline void fail(std::string_view code, std::string message) { throw api_failure{code, std::move(message)}; }

template <class T>
T must(workflow::result<T> r)
{
    if (!r)
        throw workflow::error_exception(r.error());
    return std::move(*r);
}

inline void must(workflow::result<void> r)
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
    override_create,
    access_denied,
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
    manifests_reload,
    policy_preview,
    directory_import,
};

struct matched {
    std::optional<endpoint> which;
    // Every method the path accepts, for 405's Allow header; empty when no endpoint has this path.
    std::string allow;
};

// The path's segments after its two-segment prefix (/api/v1, /scim/v2), without a trailing slash's empty one.
std::vector<std::string> segments_after_prefix(const boost::urls::url_view& target);
// Which endpoint a path and method name, or the methods the path accepts (for 405).
matched match(const std::vector<std::string>& seg, http::verb method);
bool still_waiting(const workflow::petition& p);
// Whether `c` may read petition `p`: its requester and reviewers, auditors and admins; service tokens that
// file for people (`requests`) read what they file.
// Whether `c` may read all of `p`: audit:read, whom it concerns (workflow::may_read_private), or the service
// token that filed it. Others read the public log's fields only (api_router::public_out).
bool may_see(const caller& c, const workflow::petition& p);
void need(const caller& c, scope s, std::string_view doing);
const std::string& acting_person(const caller& c, std::string_view doing);
// One CSV cell: quoted when it holds a comma, quote or line break, and led by an apostrophe when a
// spreadsheet would run it as a formula (= + - @, a tab or a carriage return first, unless a number).
std::string csv_escape(std::string_view s);
json::value cell_json(const workflow::reports::cell& c, bool is_time);
std::string cell_text(const workflow::reports::cell& c, bool is_time);
bool is_time_column(std::string_view c);
// A string field of a JSON body: absent (nullopt), or a string of at most `max` characters.
std::optional<std::string> text_field(const json::object& o, std::string_view key, std::size_t max,
                                      std::string_view where = {});
std::string required_text(const json::object& o, std::string_view key, std::size_t max, std::string_view why,
                          std::string_view where = {});
std::optional<workflow::duration> duration_field(std::optional<std::string> text, std::string_view key);
// A page of an in-memory list; the cursor is the offset of the next item.
json::object page_of(json::array all, std::size_t limit, const std::optional<std::string>& cursor);

// One API request, authenticated, with its path split and its query at hand.
struct api_router::call {
    const request& req;
    boost::urls::url_view url;
    std::vector<std::string> seg;
    endpoint which{};
    caller who;
    // The manifests this call reads, pinned when it arrived: one version for the whole call.
    app::live_manifests::snapshot policy;

    const workflow::manifests& m() const { return *policy; }

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
    // The token's share of long polls this wait holds, given back when the wait ends.
    std::shared_ptr<void> slot{};
};

} // namespace checkpoint::bot::api
