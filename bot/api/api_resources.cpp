#include "bot/api/api_internal.hpp"

#include "app/catalog_admin.hpp"

#include "bot/resource_sync.hpp"
#include "bot/api/api_json.hpp"
#include "workflow/text.hpp"

namespace checkpoint::bot::api {

// GET and PUT /resources, POST /resources/sync: the resource catalog (customers, …).
response api_router::resources(call& c)
{
    const auto now = ctx_.clock.now();

    switch (c.which) {
    case endpoint::resources_list: {
        std::vector<std::string> kinds;
        if (auto k = c.param("kind")) {
            if (!c.m().settings.find_resource(*k))
                fail(code::not_found, "There is no resource kind \"" + k->substr(0, 100) + "\"; checkpoint.yaml "
                                      "lists the kinds under `resources`.");
            kinds.push_back(*k);
        } else {
            for (const auto& r : c.m().settings.resources)
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
        return ok(c, page_of(std::move(all), c.limit(), c.param("cursor")));
    }

    case endpoint::resources_put: {
        need(c.who, scope::resources_write, "uploading resources");
        auto body = c.body();
        // Rows without a kind are of the one kind checkpoint.yaml defines, when it defines only one.
        if (auto* rows = body.if_contains("resources"); rows && rows->is_array()) {
            const auto& defined = c.m().settings.resources;
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
        for (const auto& r : *listed)
            rs.push_back(catalog_row(r, now));
        // Checked against the settings' kinds, and stored with the audit event of the upload in one transaction.
        const auto count = must(app::upload_resources(ctx_.resources, c.m().settings, std::move(rs),
                                                      c.who.actor(), origin_of(c), now));
        return ok(c, json::object{{"upserted", count}});
    }

    case endpoint::resources_sync: {
        need(c.who, scope::resources_write, "syncing resources");
        const auto kind = c.param("kind").value_or("");
        const auto keys = must(request_resource_sync(ctx_, kind));
        audit(c, "resources.sync", kind.empty() ? "sync of every resource kind requested" : "sync of " + kind + " requested",
                  "", json::object{{"kind", kind}, {"jobs", keys.size()}});
        return ok(c, json::object{{"queued", !keys.empty()}, {"jobs", keys.size()}}, http::status::accepted);
    }

    default:
        break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
