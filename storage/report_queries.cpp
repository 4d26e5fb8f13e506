#include "storage/report_queries.hpp"

#include "workflow/petition_json.hpp"

#include <algorithm>
#include <charconv>
#include <exception>

namespace checkpoint::storage {

namespace {

std::optional<std::int64_t> parse_seq_cursor(std::string_view s)
{
    // The cursor is "a" + the last seq handed out; anything else was not handed out by this service.
    if (s.size() < 2 || s.front() != 'a')
        return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0)
        return std::nullopt;
    return v;
}

} // namespace

workflow::result<audit_page> report_queries::audit_events(const audit_query& aq)
{
    std::optional<std::int64_t> after;
    if (!aq.cursor.empty()) {
        after = parse_seq_cursor(aq.cursor);
        if (!after)
            return workflow::error{"bad_cursor", "That page cursor is not one this service handed out."};
    }
    const std::size_t limit = std::clamp<std::size_t>(aq.limit, 1, 500);
    std::string sql = "SELECT seq, at, actor, action, reason, rule, petition_id, details, prev_hash, hash "
                      "FROM audit_log WHERE 1 = 1";
    if (aq.actor)
        sql += " AND actor = :actor";
    if (aq.subject)
        sql += db_.backend() == backend::postgresql ? " AND (details::jsonb ->> 'subject') = :subject"
                                                    : " AND json_extract(details, '$.subject') = :subject";
    if (aq.action)
        sql += " AND action = :action";
    if (aq.petition_id)
        sql += " AND petition_seq = (SELECT seq FROM petitions WHERE id = :petition)";
    if (aq.from)
        sql += " AND at >= :from";
    if (aq.until)
        sql += " AND at < :until";
    if (after)
        sql += " AND seq > :after";
    sql += " ORDER BY seq LIMIT :limit";
    return db_.read([&](connection& c) -> workflow::result<audit_page> {
        auto q = c.use(sql);
        if (aq.actor)
            q->bind(":actor", *aq.actor);
        if (aq.subject)
            q->bind(":subject", *aq.subject);
        if (aq.action)
            q->bind(":action", *aq.action);
        if (aq.petition_id)
            q->bind(":petition", *aq.petition_id);
        if (aq.from)
            q->bind(":from", to_millis(*aq.from));
        if (aq.until)
            q->bind(":until", to_millis(*aq.until));
        if (after)
            q->bind(":after", *after);
        // One row past the page says whether another page exists.
        q->bind(":limit", static_cast<std::int64_t>(limit + 1));
        audit_page page;
        while (q->executeStep()) {
            if (page.records.size() == limit) {
                page.next = "a" + std::to_string(page.records.back().seq);
                break;
            }
            workflow::audit_record r;
            r.seq = static_cast<std::uint64_t>(q->getColumn(0).getInt64());
            r.event.at = from_millis(q->getColumn(1).getInt64());
            r.event.actor = q->getColumn(2).getString();
            r.event.action = q->getColumn(3).getString();
            r.event.reason = q->getColumn(4).getString();
            r.event.rule = q->getColumn(5).getString();
            r.event.petition_id = q->getColumn(6).getString();
            r.event.details = q->getColumn(7).getString();
            r.prev_hash = q->getColumn(8).getString();
            r.hash = q->getColumn(9).getString();
            page.records.push_back(std::move(r));
        }
        return page;
    });
}

workflow::result<std::vector<workflow::petition>> report_queries::petitions_filed_before(workflow::time_point until,
                                                                                         std::size_t cap)
{
    std::vector<std::string> bodies;
    bool too_many = false;
    try {
        // A connection of its own: a report's long read must not hold up the shared reader that requests use.
        auto c = db_.connect();
        auto q = c->use("SELECT body FROM petitions WHERE created_at < ? ORDER BY created_at, id LIMIT ?");
        q->bind(1, to_millis(until));
        q->bind(2, static_cast<std::int64_t>(cap + 1));
        while (q->executeStep()) {
            if (bodies.size() == cap) {
                too_many = true;
                break;
            }
            bodies.push_back(q->getColumn(0).getString());
        }
    } catch (const std::exception& e) {
        return workflow::error{"storage_failed", e.what()};
    }
    if (too_many)
        return workflow::error{"too_many", "More than " + std::to_string(cap) +
                                               " requests were filed before the end of the period; ask for an "
                                               "earlier `until`."};
    std::vector<workflow::petition> out;
    out.reserve(bodies.size());
    for (const auto& b : bodies) {
        auto p = petition_from_json(b);
        if (!p)
            return p.error();
        out.push_back(std::move(*p));
    }
    return out;
}

workflow::result<std::map<std::string, workflow::time_point, std::less<>>> report_queries::end_times()
{
    using ends = std::map<std::string, workflow::time_point, std::less<>>;
    return db_.read([&](connection& c) -> workflow::result<ends> {
        auto q = c.use("SELECT petition_id, MIN(at) FROM audit_log WHERE action IN ('revoke', 'expire') "
                       "AND petition_id != '' GROUP BY petition_id");
        ends out;
        while (q->executeStep())
            out.emplace(q->getColumn(0).getString(), from_millis(q->getColumn(1).getInt64()));
        return out;
    });
}

} // namespace checkpoint::storage
