#include "app/directory_sync.hpp"

#include "workflow/text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace checkpoint::app {

namespace json = boost::json;

directory_sync::directory_sync(live_manifests& live, workflow::directory_store& store, access_service& access,
                               workflow::petition_store& petitions, workflow::token_store& tokens,
                               workflow::audit_log& audit, const workflow::clock& clock)
    : live_(live), store_(store), access_(access), petitions_(petitions), tokens_(tokens), audit_(audit), clock_(clock)
{
}

workflow::result<reload_result> directory_sync::load()
{
    auto lock = live_.changing();
    auto records = store_.overlay();
    if (!records)
        return records.error();
    const auto yaml = live_.now();
    live_.lay(*records);
    const auto now = live_.now();
    reload_result out;
    out.changed = !records->empty();
    // Whom the records take out of the directory and who may still hold something: ended now, as when the
    // change applied (a no-op when it was all done then).
    for (const auto& r : records->people) {
        if (r.active)
            continue;
        std::string id = workflow::to_lower(r.user_name);
        for (const auto* ref : {&r.user_name, &r.external_id, &r.email})
            if (!ref->empty())
                if (auto i = yaml->directory.find(*ref); i != workflow::no_person) {
                    id = yaml->directory.at(i).id;
                    break;
                }
        if (!id.empty() && now->directory.find(id) == workflow::no_person)
            out.diff.people_removed.push_back(id);
    }
    std::sort(out.diff.people_removed.begin(), out.diff.people_removed.end());
    out.diff.people_removed.erase(std::unique(out.diff.people_removed.begin(), out.diff.people_removed.end()),
                                  out.diff.people_removed.end());
    if (out.diff.people_removed.empty())
        return out;
    follow_change(live_, *now, access_, petitions_, "no longer in the directory", workflow::origin{}, clock_.now(),
                  [](std::size_t, std::size_t) {}, out);
    stop_tokens(out.diff.people_removed, "no longer in the directory", workflow::origin{}, out);
    return out;
}

workflow::result<reload_result> directory_sync::apply(const workflow::directory_change& c, const std::string& action,
                                                      const std::string& by, const workflow::origin& via)
{
    auto lock = live_.changing();
    const auto now = clock_.now();
    const auto before = live_.now();
    auto records = workflow::apply_change(live_.records(), c);
    reload_result out;
    out.previous = out.version = live_.version();
    out.diff = workflow::diff_manifests(*before, live_.with_records(records));
    out.changed = !out.diff.empty();
    const auto summary = (action == "directory.imported" ? "directory import: " : "directory from SCIM: ") +
                         out.diff.summary();
    json::object details{{"source", c.source},
                         {"people_written", static_cast<std::uint64_t>(c.put_people.size())},
                         {"groups_written", static_cast<std::uint64_t>(c.put_groups.size())},
                         {"people_deleted", static_cast<std::uint64_t>(c.remove_people.size())},
                         {"groups_deleted", static_cast<std::uint64_t>(c.remove_groups.size())},
                         {"changes", diff_json(out.diff)}};
    if (auto stored = store_.apply(c, {by, action, now, summary, "", "", json::serialize(details), via}); !stored)
        return stored.error();
    live_.lay(std::move(records));
    if (!out.changed)
        return out;
    follow_change(live_, *before, access_, petitions_, summary, via, now, [](std::size_t, std::size_t) {}, out);
    stop_tokens(out.diff.people_removed, summary, via, out);
    return out;
}

workflow::result<workflow::policy_preview> directory_sync::preview(const workflow::directory_change& c,
                                                                   workflow::duration since)
{
    const auto current = live_.now();
    const auto next = live_.with_records(workflow::apply_change(live_.records(), c));
    return preview_policy(*current, next, access_, petitions_, since, clock_.now());
}

void directory_sync::stop_tokens(const std::vector<std::string>& people, const std::string& why,
                                 const workflow::origin& via, reload_result& out)
{
    if (people.empty())
        return;
    auto tokens = tokens_.list();
    if (!tokens) {
        out.failures.push_back("listing the API tokens: " + tokens.error().message);
        return;
    }
    const auto now = clock_.now();
    for (const auto& t : *tokens) {
        if (t.revoked_at || t.kind != "personal" ||
            std::find(people.begin(), people.end(), t.person_id) == people.end())
            continue;
        json::object details{{"token", t.id}, {"name", t.name}, {"person", t.person_id}};
        auto r = tokens_.revoke(t.id, now,
                                {"checkpoint", "token.revoke", now, t.person_id + " " + why, "", "",
                                 json::serialize(details), via});
        if (!r)
            out.failures.push_back("revoking token " + std::to_string(t.id) + ": " + r.error().message);
    }
}

} // namespace checkpoint::app
