#include "app/catalog_admin.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::app {

workflow::result<std::size_t> upload_resources(workflow::resource_store& store, const workflow::settings& settings,
                                               std::vector<workflow::resource> resources, const std::string& actor,
                                               const workflow::origin& via, workflow::time_point now)
{
    boost::json::object kinds;
    for (std::size_t i = 0; i < resources.size(); ++i) {
        const auto& r = resources[i];
        if (!settings.find_resource(r.kind))
            return workflow::error{"unknown_kind", "`resources[" + std::to_string(i) + "].kind`: \"" + r.kind +
                                                       "\" is not a resource kind in checkpoint.yaml."};
        if (auto* n = kinds.if_contains(r.kind))
            *n = n->to_number<std::int64_t>() + 1;
        else
            kinds[r.kind] = 1;
    }
    const boost::json::object details{{"count", resources.size()}, {"kinds", std::move(kinds)}};
    if (auto stored = store.upsert_all(resources, {actor, "resources.upsert", now,
                                                   "bulk upload of " + std::to_string(resources.size()) + " resources",
                                                   via.channel, "", boost::json::serialize(details), via});
        !stored)
        return stored.error();
    return resources.size();
}

workflow::result<workflow::reports::table> run_report(workflow::report_queries& queries,
                                                      const workflow::catalog& catalog, const std::string& name,
                                                      workflow::reports::options options)
{
    if (auto known = workflow::reports::run(name, {}, catalog, options); !known)
        return known.error();
    if (name == "access-denied") {
        // From the audit log: the attempts recorded in the period, a page at a time (at most 200,000).
        workflow::audit_query q;
        q.action = "access.denied";
        q.from = options.from;
        q.until = options.until;
        q.limit = 500;
        while (options.denials.size() < 200'000) {
            auto page = queries.audit_events(q);
            if (!page)
                return page.error();
            options.denials.insert(options.denials.end(), page->records.begin(), page->records.end());
            if (page->next.empty())
                break;
            q.cursor = page->next;
        }
        return workflow::reports::run(name, {}, catalog, options);
    }
    auto ended = queries.end_times();
    if (!ended)
        return ended.error();
    options.ended_at = std::move(*ended);
    auto filed = queries.petitions_filed_before(options.until);
    if (!filed)
        return filed.error();
    return workflow::reports::run(name, *filed, catalog, options);
}

workflow::result<std::map<std::string, workflow::bundle_history, std::less<>>>
catalog_history(workflow::petition_store& petitions, workflow::time_point now, const std::optional<std::string>& target)
{
    workflow::request_log_query q;
    q.target = target;
    q.from = now - history_window;
    q.limit = 500;
    std::vector<workflow::petition> newest_first;
    while (newest_first.size() < history_cap) {
        auto page = petitions.request_log(q);
        if (!page)
            return page.error();
        newest_first.insert(newest_first.end(), page->petitions.begin(), page->petitions.end());
        if (page->next.empty())
            break;
        q.cursor = page->next;
    }
    if (newest_first.size() > history_cap)
        newest_first.resize(history_cap);
    return workflow::summarize_history(newest_first);
}

} // namespace checkpoint::app
