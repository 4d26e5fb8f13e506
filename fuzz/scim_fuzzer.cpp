// SCIM 2.0 bodies as an identity provider sends them (bot/api/scim.cpp): a User or Group resource, a PatchOp
// applied to a stored user, and a filter; then the record laid over a small directory (workflow::lay_over) with
// its identity checks. A refusal must be a SCIM error with a status and a detail; nothing may crash.

#include "bot/api/scim.hpp"
#include "fuzz_support.hpp"
#include "workflow/directory_overlay.hpp"
#include "workflow/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {

using namespace checkpoint;
namespace scim = checkpoint::bot::api::scim;
namespace json = boost::json;

const workflow::manifests& base()
{
    static const workflow::manifests m = [] {
        workflow::person alice{"alice", "E100", "alice@example.com", "Alice Example", "U0ALICE", "", "api-team", std::nullopt};
        workflow::person bob{"bob", "E200", "bob@example.com", "Bob Example", "", "alice", "api-team", std::nullopt};
        workflow::manifests out;
        out.directory = workflow::directory({alice, bob}, {{"leads", {"alice"}}}, {});
        return out;
    }();
    return m;
}

template <class F>
bool refusable(F&& f)
{
    try {
        f();
        return true;
    } catch (const scim::failure& e) {
        fuzz::check(e.status >= 400 && e.status < 600, "a SCIM refusal is a 4xx or 5xx");
        fuzz::check(!e.detail.empty(), "a SCIM refusal says why");
        (void)scim::error_body(e);
        return false;
    }
}

void lay(workflow::directory_record r)
{
    r.key = "k1";
    auto out = workflow::lay_over(base(), {{r}, {}});
    (void)workflow::identity_conflicts(out.directory);
    (void)workflow::bind_record(r, base().directory, {});
    fuzz::check(out.directory.size() <= base().directory.size() + 1, "one record adds at most one person");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    if (text.size() <= 400)
        refusable([&] { (void)scim::parse_filter(text, {"userName", "externalId", "id"}); });
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return 0;
    const auto& body = v.get_object();
    workflow::directory_record user;
    if (refusable([&] { user = scim::user_record(body); })) {
        fuzz::check(!user.user_name.empty(), "a user has a userName");
        lay(user);
        (void)scim::user_out(user, "/scim/v2");
    }
    workflow::directory_group_record group;
    if (refusable([&] { group = scim::group_record(body); })) {
        group.key = "g1";
        (void)workflow::lay_over(base(), {{}, {group}});
        (void)scim::group_out(group, "/scim/v2");
    }
    if (const auto* ops = body.if_contains("Operations"); ops && ops->is_array()) {
        json::object stored{{"userName", "alice@example.com"},
                            {"emails", json::array{json::object{{"value", "alice@example.com"}, {"type", "work"}}}},
                            {"members", json::array{json::object{{"value", "k1"}}}}};
        if (refusable([&] { scim::patch(stored, ops->get_array()); }))
            if (refusable([&] { user = scim::user_record(stored); }))
                lay(user);
        (void)json::serialize(stored);
    }
    return 0;
}
