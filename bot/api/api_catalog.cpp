#include "bot/api/api_internal.hpp"

#include "app/catalog_admin.hpp"

#include "bot/api/api_json.hpp"

#include <optional>

namespace checkpoint::bot::api {

// GET /me, /bundles, /bundles/{name}, /explain: who is calling, the catalog, and how a request would be routed.
response api_router::catalog(call& c)
{
    const auto& dir = c.m().directory;
    const auto now = ctx_.clock.now();

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
        return ok(c, json::object{{"kind", c.who.token.kind},
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
        // (decided in memory, as GET /explain does: no read per bundle). The history is one read for all.
        const auto history = must(app::catalog_history(ctx_.petitions, now));
        const auto entry = [&](const workflow::bundle& b) {
            auto out = bundle_json(b);
            const auto h = history.find(b.name);
            out["history"] = history_json(h == history.end() ? workflow::bundle_history{} : h->second);
            if (c.who.personal() && !b.deprecated)
                if (auto r = workflow::explain(c.m(), c.who.person(), b.name, std::nullopt, now)) {
                    out["instant_for_you"] = r->outcome == workflow::route_outcome::auto_approved;
                    // Otherwise who would approve it, step by step (the catalog's "what it needs for you").
                    json::array steps;
                    for (const auto& s : r->steps) {
                        json::array names;
                        for (const auto& rv : s.reviewers)
                            names.push_back(json::string(rv.name));
                        steps.push_back(json::object{{"step", s.name}, {"reviewers", std::move(names)}});
                    }
                    out["approvals_for_you"] = std::move(steps);
                }
            return out;
        };
        if (q.find_first_not_of(" \t") == std::string::npos)
            for (const auto& b : c.m().catalog.bundles())
                all.push_back(entry(b));
        else
            for (const auto* b : c.m().catalog.search(q))
                all.push_back(entry(*b));
        return ok(c, page_of(std::move(all), c.limit(), c.param("cursor")));
    }

    case endpoint::bundle: {
        const auto* b = c.m().catalog.find(c.seg[1]);
        if (!b) {
            std::string msg = "There is no bundle named \"" + c.seg[1].substr(0, workflow::max_target_length) + "\".";
            auto near = c.m().catalog.closest(c.seg[1]);
            for (std::size_t i = 0; i < near.size(); ++i)
                msg += (i == 0 ? " Did you mean " : i + 1 == near.size() ? " or " : ", ") + std::string(near[i]);
            if (!near.empty())
                msg += "?";
            fail(code::not_found, msg);
        }
        auto out = bundle_json(*b);
        const auto history = must(app::catalog_history(ctx_.petitions, now, b->name));
        const auto h = history.find(b->name);
        out["history"] = history_json(h == history.end() ? workflow::bundle_history{} : h->second);
        return ok(c, out);
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
        return ok(c, explain_json(must(workflow::explain(c.m(), *requester, target, length, now))));
    }

    default:
        break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
