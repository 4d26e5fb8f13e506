#include "bot/api/api_internal.hpp"

#include "app/audit_anchors.hpp"
#include "app/catalog_admin.hpp"

#include "bot/api/api_json.hpp"
#include "bot/audit_anchors.hpp"
#include "workflow/reports.hpp"

#include <boost/beast/http/field.hpp>

namespace checkpoint::bot::api {

// GET /audit, /audit/verify, /reports/{name}: what auditors read; POST /audit/anchor: an admin anchors the chain.
response api_router::audits(call& c)
{
    const auto version = c.req.version();
    const auto now = ctx_.clock.now();

    switch (c.which) {
    case endpoint::audit: {
        need(c.who, scope::audit_read, "reading the audit log");
        workflow::audit_query q;
        if (auto p = c.param("person"); p && !p->empty())
            q.actor = *p;
        if (auto p = c.param("subject"); p && !p->empty())
            q.subject = *p;
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
        return ok(c, json::object{{"items", std::move(items)},
                               {"next_cursor", page.next.empty() ? json::value(nullptr) : json::value(page.next)}});
    }

    case endpoint::audit_verify: {
        if (c.seg[1] == "anchor") {
            need(c.who, scope::admin, "anchoring the audit log");
            auto a = must(anchor_audit_now(ctx_, "demand", c.who.actor()));
            audit(c, "audit.anchor", "anchored the audit log on demand", "",
                  json::object{{"seq", a.seq}, {"posted_to", a.posted_to}});
            return ok(c, json::object{{"anchor", app::anchor_json(a)}}, http::status::created);
        }
        need(c.who, scope::audit_read, "verifying the audit log");
        // Anchors as the security channel shows them (?anchor=SEQ:HASH, repeatable), checked as recorded ones are.
        std::vector<workflow::audit_anchor> told;
        for (auto p : c.url.params())
            if (p.key == "anchor") {
                auto a = app::parse_told_anchor(p.value);
                if (!a)
                    fail(code::invalid_request, "`anchor`: " + a.error().message);
                told.push_back(std::move(*a));
            }
        return ok(c, app::verification_json(must(ctx_.audit.verify(told))));
    }

    case endpoint::report: {
        need(c.who, scope::audit_read, "reading reports");
        workflow::reports::options o;
        o.until = c.time_param("until", true).value_or(now);
        o.from = c.time_param("from", false).value_or(o.until - std::chrono::days{30});
        if (o.from >= o.until)
            fail(code::invalid_request, "`from` must be before `until`.");
        o.bundle = c.param("bundle").value_or("");
        if (!o.bundle.empty() && !c.m().catalog.find(o.bundle))
            fail(code::not_found, "There is no bundle named \"" + o.bundle.substr(0, 100) + "\".");
        if (auto m = duration_field(c.param("min"), "min"))
            o.min_length = *m;
        const auto format = c.param("format").value_or("json");
        if (format != "json" && format != "csv")
            fail(code::invalid_request, "`format` is json or csv.");
        const auto& report = c.seg[1];
        auto t = must(app::run_report(reports_, c.m().catalog, report, o));
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
        return ok(c, json::object{{"report", report},
                               {"from", rfc3339(o.from)},
                               {"until", rfc3339(o.until)},
                               {"rows", std::move(rows)},
                               {"summary", std::move(summary)}});
    }

    default:
        break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
