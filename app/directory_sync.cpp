#include "app/directory_sync.hpp"

#include "workflow/text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

namespace checkpoint::app {

namespace json = boost::json;

namespace {

// The change that puts back what `c` replaces in `records`: the records it overwrites or deletes as they were,
// and those it adds deleted.
workflow::directory_change undo_of(const workflow::directory_change& c, const workflow::directory_overlay& records)
{
    workflow::directory_change u;
    u.source = c.source;
    const auto find = [&](const auto& list, const std::string& key) -> decltype(&list.front()) {
        for (const auto& r : list)
            if (r.source == c.source && r.key == key)
                return &r;
        return nullptr;
    };
    for (const auto& r : c.put_people) {
        if (const auto* was = find(records.people, r.key))
            u.put_people.push_back(*was);
        else
            u.remove_people.push_back(r.key);
    }
    for (const auto& key : c.remove_people)
        if (const auto* was = find(records.people, key))
            u.put_people.push_back(*was);
    for (const auto& g : c.put_groups) {
        if (const auto* was = find(records.groups, g.key))
            u.put_groups.push_back(*was);
        else
            u.remove_groups.push_back(g.key);
    }
    for (const auto& key : c.remove_groups)
        if (const auto* was = find(records.groups, key))
            u.put_groups.push_back(*was);
    return u;
}

std::vector<std::string> new_conflicts(const workflow::directory& before, const workflow::directory& after)
{
    const auto old = workflow::identity_conflicts(before);
    std::vector<std::string> out;
    for (auto& c : workflow::identity_conflicts(after))
        if (std::find(old.begin(), old.end(), c) == old.end())
            out.push_back(std::move(c));
    return out;
}

} // namespace

directory_sync::directory_sync(live_manifests& live, workflow::directory_store& store, access_service& access,
                               workflow::petition_store& petitions, workflow::token_store& tokens,
                               workflow::audit_log& audit, const workflow::clock& clock)
    : live_(live), store_(store), access_(access), petitions_(petitions), tokens_(tokens), audit_(audit), clock_(clock)
{
}

workflow::directory_change directory_sync::bound(workflow::directory_change c,
                                                 const workflow::directory_overlay& in_force) const
{
    const auto base = live_.base();
    for (auto& r : c.put_people)
        if (r.person.empty())
            r.person = workflow::bind_record(r, base->directory, in_force);
    return c;
}

workflow::result<void> directory_sync::refresh()
{
    auto lock = live_.changing();
    auto records = store_.overlay();
    if (!records)
        return records.error();
    live_.lay(*records);
    return {};
}

workflow::result<reload_result> directory_sync::load()
{
    auto lock = live_.changing();
    auto records = store_.overlay();
    if (!records)
        return records.error();
    auto pending = store_.unfollowed();
    if (!pending)
        return pending.error();
    live_.lay(*records);
    const auto now = live_.now();
    reload_result out;
    out.changed = !records->empty();
    const workflow::origin system{};
    // A change stored before a stop whose effects were cut short: what it changed, told by its undo, followed now.
    for (const auto& u : *pending) {
        reload_result resumed;
        workflow::manifests before = *now;
        if (u.leaving.empty()) {
            before = live_.with_records(workflow::apply_change(*records, u.undo));
            resumed.diff = workflow::diff_manifests(before, *now);
        } else {
            // A reload's departures: who is still out of the directory loses what they hold.
            for (const auto& id : u.leaving)
                if (now->directory.find(id) == workflow::no_person)
                    resumed.diff.people_removed.push_back(id);
        }
        const auto why = "a change of the directory resumed after a stop: " + resumed.diff.summary();
        follow_change(live_, before, access_, petitions_, why, system, clock_.now(), resumed);
        stop_tokens(resumed.diff.people_removed, "no longer in the directory", system, resumed);
        for (auto& r : resumed.rerouted)
            out.rerouted.push_back(std::move(r));
        for (auto& e : resumed.ended)
            out.ended.push_back(std::move(e));
        for (auto& f : resumed.failures)
            out.failures.push_back(std::move(f));
        if (auto done = store_.followed(u.id); !done)
            out.failures.push_back("marking a resumed directory change done: " + done.error().message);
    }
    // Whom the records take out of the directory may still hold something: ended now (nothing when all was done).
    const auto base = live_.base();
    for (const auto& r : records->people) {
        if (r.active)
            continue;
        const auto id = r.person.empty() ? workflow::bind_record(r, base->directory, {}) : r.person;
        if (!id.empty() && now->directory.find(id) == workflow::no_person)
            out.diff.people_removed.push_back(id);
    }
    std::sort(out.diff.people_removed.begin(), out.diff.people_removed.end());
    out.diff.people_removed.erase(std::unique(out.diff.people_removed.begin(), out.diff.people_removed.end()),
                                  out.diff.people_removed.end());
    if (out.diff.people_removed.empty())
        return out;
    follow_change(live_, *now, access_, petitions_, "no longer in the directory", system, clock_.now(), out);
    stop_tokens(out.diff.people_removed, "no longer in the directory", system, out);
    return out;
}

workflow::result<reload_result> directory_sync::apply(const change_maker& make, const std::string& action,
                                                      const std::string& by, const workflow::origin& via,
                                                      workflow::directory_change* written)
{
    auto lock = live_.changing();
    const auto now = clock_.now();
    const auto before = live_.now();
    const auto in_force = live_.records();
    const auto c = bound(make(in_force), in_force);
    auto records = workflow::apply_change(in_force, c);
    const auto next = live_.with_records(records);
    if (auto conflicts = new_conflicts(before->directory, next.directory); !conflicts.empty()) {
        std::string list;
        for (const auto& x : conflicts)
            list += (list.empty() ? "" : "; ") + x;
        return workflow::error{"conflict", "This change would make two people share an identity (" + list +
                                               "); nothing was changed."};
    }
    reload_result out;
    out.previous = out.version = live_.version();
    out.diff = workflow::diff_manifests(*before, next);
    out.changed = !out.diff.empty();
    const auto summary = (action == "directory.imported" ? "directory import: " : "directory from SCIM: ") +
                         out.diff.summary();
    json::object details{{"source", c.source},
                         {"people_written", static_cast<std::uint64_t>(c.put_people.size())},
                         {"groups_written", static_cast<std::uint64_t>(c.put_groups.size())},
                         {"people_deleted", static_cast<std::uint64_t>(c.remove_people.size())},
                         {"groups_deleted", static_cast<std::uint64_t>(c.remove_groups.size())},
                         {"changes", diff_json(out.diff)}};
    auto stored = store_.apply(c, undo_of(c, in_force), {by, action, now, summary, "", "", json::serialize(details), via});
    if (!stored)
        return stored.error();
    live_.lay(std::move(records));
    if (written)
        *written = c;
    if (out.changed) {
        follow_change(live_, *before, access_, petitions_, summary, via, now, out);
        stop_tokens(out.diff.people_removed, summary, via, out);
    }
    if (auto done = store_.followed(*stored); !done)
        out.failures.push_back("marking the directory change done: " + done.error().message);
    return out;
}

workflow::result<workflow::policy_preview> directory_sync::preview(const workflow::directory_change& c,
                                                                   workflow::duration since)
{
    const auto current = live_.now();
    const auto in_force = live_.records();
    const auto next = live_.with_records(workflow::apply_change(in_force, bound(c, in_force)));
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
    const std::set<std::string> leaving(people.begin(), people.end());
    const auto now = clock_.now();
    for (const auto& t : *tokens) {
        if (t.revoked_at || t.kind != "personal" || !leaving.contains(t.person_id))
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
