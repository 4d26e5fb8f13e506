#include "storage/petition_store.hpp"

#include "storage/audit_log.hpp"
#include "storage/grant_store.hpp"
#include "storage/job_queue.hpp"
#include "workflow/petition_json.hpp"

#include <boost/algorithm/hex.hpp>
#include <charconv>

namespace checkpoint::storage {

namespace {

using workflow::write_status;

void bind_optional_time(statement& s, int index, const std::optional<workflow::time_point>& t)
{
    if (t)
        s.bind(index, to_millis(*t));
    else
        s.bind(index);
}

void insert_decisions(connection& c, std::int64_t petition_seq, const workflow::petition& p)
{
    std::int64_t seq = 0;
    for (const auto& d : p.decisions) {
        auto q = c.use("INSERT INTO decisions (petition_seq, seq, decided_by, step, approved, decided_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        q->bind(1, petition_seq);
        q->bind(2, seq++);
        q->bind(3, d.by);
        q->bind(4, d.step);
        q->bind(5, d.approved ? 1 : 0);
        q->bind(6, to_millis(d.at));
        q->exec();
    }
}

// Steps of a pending extension's route are indexed from here, apart from the request's own.
constexpr std::int64_t extension_steps = 1'000'000;

// A route's steps (the rows step_reviewers refers to) and who is asked at each, numbered from
// `first_step`. Repeats are ignored: a transition may add reviewers (escalation), so it runs again.
void store_route(connection& c, std::int64_t petition_seq, const workflow::route& route, std::int64_t first_step)
{
    std::int64_t index = first_step;
    for (const auto& s : route.steps) {
        auto step = c.use("INSERT INTO petition_steps (petition_seq, step, kind, name, min_approvals) "
                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        step->bind(1, petition_seq);
        step->bind(2, index);
        step->bind(3, std::string(name(s.kind)));
        step->bind(4, s.name);
        step->bind(5, static_cast<std::int64_t>(s.min_approvals));
        step->exec();
        for (const auto& r : s.reviewers) {
            auto q = c.use("INSERT INTO step_reviewers (petition_seq, step, person_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
            q->bind(1, petition_seq);
            q->bind(2, index);
            q->bind(3, r.person_id);
            q->exec();
        }
        ++index;
    }
}

// Who is asked at each step, for awaiting(): of the request and of a pending extension.
void index_reviewers(connection& c, std::int64_t petition_seq, const workflow::petition& p)
{
    store_route(c, petition_seq, p.route, 0);
    if (p.pending_extension)
        store_route(c, petition_seq, p.pending_extension->route, extension_steps);
}

// The body of the person's newest petition for `target` in one of `states` (petitions_person_target).
std::optional<std::string> newest_open_body(connection& c, const std::string& person, const std::string& target,
                                            const std::vector<workflow::petition_state>& states)
{
    std::string in;
    for (std::size_t i = 0; i < states.size(); ++i)
        in += i == 0 ? "?" : ", ?";
    // Named, so SQLite's planner never walks all of a person's requests in time order instead
    // (petitions_requester); PostgreSQL's has statistics and no such clause.
    const char* indexed = c.backend() == backend::sqlite ? " INDEXED BY petitions_person_target" : "";
    auto q = c.use(std::string("SELECT body FROM petitions") + indexed + " WHERE requester_id = ? AND "
                   "target = ? AND state IN (" + in + ") ORDER BY created_at DESC LIMIT 1");
    q->bind(1, person);
    q->bind(2, target);
    int index = 3;
    for (auto st : states)
        q->bind(index++, std::string(name(st)));
    if (!q->executeStep())
        return std::nullopt;
    return q->getColumn(0).getString();
}

// What every write carries besides the petition row: its audit event and its jobs.
void append_consequences(connection& c, std::int64_t petition_seq, const workflow::petition_write& w,
                         const workflow::audit_event& audit)
{
    // Long polls waiting on this petition on other replicas answer once it commits.
    c.notify_at_commit("checkpoint_petitions", w.petition.id);
    insert_decisions(c, petition_seq, w.petition);
    audit_log::append_in(c, audit, audit.petition_id == w.petition.id ? std::optional(petition_seq) : std::nullopt);
    for (const auto& also : w.also_audit)
        audit_log::append_in(c, also, also.petition_id == w.petition.id ? std::optional(petition_seq) : std::nullopt);
    for (const auto& j : w.jobs)
        job_queue::enqueue_in(c, j, w.audit.at);
    for (const auto& k : w.cancel_jobs)
        job_queue::cancel_in(c, k, w.audit.at);
    for (const auto& r : w.releases)
        grant_store::release_in(c, r, w.audit.at);
}

std::string to_hex(std::string_view s) { return boost::algorithm::hex_lower(std::string(s)); }

std::optional<std::string> from_hex(std::string_view s)
{
    try {
        return boost::algorithm::unhex(std::string(s));
    } catch (const boost::algorithm::hex_decode_error&) {
        return std::nullopt;
    }
}

// The cursor is the last row's sort key; hex so that callers treat it as opaque.
std::string make_cursor(std::int64_t created_ms, const std::string& id)
{
    return to_hex(std::to_string(created_ms) + ":" + id);
}

struct cursor_key {
    std::int64_t created_ms = 0;
    std::string id;
};

std::optional<cursor_key> parse_cursor(std::string_view cursor)
{
    auto raw = from_hex(cursor);
    if (!raw)
        return std::nullopt;
    auto colon = raw->find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    cursor_key k;
    auto [end, ec] = std::from_chars(raw->data(), raw->data() + colon, k.created_ms);
    if (ec != std::errc{} || end != raw->data() + colon)
        return std::nullopt;
    k.id = raw->substr(colon + 1);
    return k;
}

} // namespace

namespace {

// The petition's JSON and its normalized audit event, prepared in the caller's thread, not the writer's.
// The further events are normalized in place.
workflow::result<std::pair<std::string, workflow::audit_event>> prepare(workflow::petition_write& w)
{
    try {
        for (auto& also : w.also_audit)
            also = audit_log::normalized(also);
        return std::pair{petition_to_json(w.petition), audit_log::normalized(w.audit)};
    } catch (const std::exception& e) {
        return workflow::error{"bad_audit_details", std::string("the audit details are not JSON: ") + e.what()};
    }
}

} // namespace

void petition_store::write_petition(workflow::petition_write w, write_done done, row_writer row)
{
    auto prepared = prepare(w);
    if (!prepared)
        return done(prepared.error());
    auto [body, audit] = std::move(*prepared);
    db_.write_async<workflow::result<write_status>>(
        [w = std::move(w), body = std::move(body), audit = std::move(audit), row](connection& c) {
            return row(c, w, body, audit);
        },
        std::move(done));
}

void petition_store::file_async(workflow::petition_write write, write_done done)
{
    write_petition(std::move(write), std::move(done),
                   [](connection& c, const workflow::petition_write& w, const std::string& body,
                      const workflow::audit_event& audit) -> workflow::result<write_status> {
        const auto& p = w.petition;
        if (!w.exclusive_of.empty() && newest_open_body(c, p.requester(), p.entitlement(), w.exclusive_of))
            return write_status::duplicate;
        auto q = c.use("INSERT INTO petitions (id, version, state, requester_id, target, created_at, updated_at, "
                       "ends_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq");
        q->bind(1, p.id);
        q->bind(2, static_cast<std::int64_t>(p.version));
        q->bind(3, std::string(name(p.state)));
        q->bind(4, p.requester());
        q->bind(5, p.entitlement());
        q->bind(6, to_millis(p.created_at));
        q->bind(7, to_millis(w.audit.at));
        bind_optional_time(*q, 8, p.ends_at);
        q->bind(9, body);
        if (!q->executeStep())
            return write_status::conflict;
        const auto seq = q->getColumn(0).getInt64();
        index_reviewers(c, seq, p);
        append_consequences(c, seq, w, audit);
        for (const auto& key : w.rotate) {
            auto r = c.use("INSERT INTO rotations (key, seen) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET seen = rotations.seen + 1");
            r->bind(1, key);
            r->exec();
        }
        return write_status::applied;
    });
}

workflow::result<std::size_t> petition_store::rotation(const std::string& key)
{
    return db_.read([&](connection& c) -> workflow::result<std::size_t> {
        auto q = c.use("SELECT seen FROM rotations WHERE key = ?");
        q->bind(1, key);
        if (!q->executeStep())
            return std::size_t{0};
        return static_cast<std::size_t>(q->getColumn(0).getInt64());
    });
}

void petition_store::apply_async(workflow::petition_write write, write_done done)
{
    if (write.petition.version < 2)
        return done(workflow::error{"invalid_write", "petition " + write.petition.id + " has version " +
                                                         std::to_string(write.petition.version) +
                                                         "; apply() stores the result of a transition (version 2 or more)"});
    write_petition(std::move(write), std::move(done),
                   [](connection& c, const workflow::petition_write& w, const std::string& body,
                      const workflow::audit_event& audit) -> workflow::result<write_status> {
        const auto& p = w.petition;
        std::int64_t seq = 0;
        {
            auto q = c.use("UPDATE petitions SET version = ?, state = ?, updated_at = ?, ends_at = ?, body = ? "
                           "WHERE id = ? AND version = ? RETURNING seq");
            q->bind(1, static_cast<std::int64_t>(p.version));
            q->bind(2, std::string(name(p.state)));
            q->bind(3, to_millis(w.audit.at));
            bind_optional_time(*q, 4, p.ends_at);
            q->bind(5, body);
            q->bind(6, p.id);
            q->bind(7, static_cast<std::int64_t>(p.version - 1));
            if (q->executeStep()) {
                seq = q->getColumn(0).getInt64();
            } else {
                auto exists = c.use("SELECT 1 FROM petitions WHERE id = ?");
                exists->bind(1, p.id);
                if (!exists->executeStep())
                    return workflow::error{"petition_not_found", "There is no request " + p.id + "."};
                return write_status::conflict;
            }
        }
        if (w.petition.state == workflow::petition_state::pending || w.petition.pending_extension)
            index_reviewers(c, seq, w.petition);
        append_consequences(c, seq, w, audit);
        return write_status::applied;
    });
}

workflow::result<std::optional<workflow::petition>> petition_store::find(const std::string& id)
{
    std::string body;
    auto found = db_.read([&](connection& c) -> workflow::result<bool> {
        auto q = c.use("SELECT body FROM petitions WHERE id = ?");
        q->bind(1, id);
        if (!q->executeStep())
            return false;
        body = q->getColumn(0).getString();
        return true;
    });
    if (!found)
        return found.error();
    if (!*found)
        return std::optional<workflow::petition>();
    // Parsed outside the lock: readers only queue for the SQLite part.
    auto p = petition_from_json(body);
    if (!p)
        return p.error();
    return std::optional<workflow::petition>(std::move(*p));
}

workflow::result<workflow::request_log_page> petition_store::request_log(const workflow::request_log_query& rq)
{
    std::optional<cursor_key> after;
    if (!rq.cursor.empty()) {
        after = parse_cursor(rq.cursor);
        if (!after)
            return workflow::error{"bad_cursor", "That page cursor is not one this service handed out."};
    }
    const std::size_t limit = std::clamp<std::size_t>(rq.limit, 1, 500);
    // Only the filters given appear. The most selective one drives the index (person, then target, then
    // state); a unary + keeps the planner, which has no statistics, off the others: a person's active
    // requests must not be found by walking every active request.
    // One exception: a person's active requests for one target (asked on every filing) have a partial
    // index of their own, which the planner uses only for the literal state in its WHERE.
    const bool active_of_person = rq.person && rq.target && rq.state == workflow::petition_state::active;
    // (PostgreSQL keeps statistics and has no unary + on text: there the filters are plain.)
    const std::string off_index = db_.backend() == backend::postgresql ? "" : "+";
    std::string sql = "SELECT body, created_at, id FROM petitions WHERE 1 = 1";
    if (rq.person)
        sql += " AND requester_id = :person";
    if (active_of_person)
        sql += " AND target = :target AND state = 'active'";
    if (rq.target && !active_of_person)
        sql += rq.person ? " AND " + off_index + "target = :target" : " AND target = :target";
    if (rq.state && !active_of_person)
        sql += rq.person || rq.target ? " AND " + off_index + "state = :state" : " AND state = :state";
    if (rq.from)
        sql += " AND created_at >= :from";
    if (rq.until)
        sql += " AND created_at < :until";
    if (after)
        sql += " AND (created_at, id) < (:cursor_at, :cursor_id)";
    sql += " ORDER BY created_at DESC, id DESC LIMIT :limit";

    std::vector<std::string> bodies;
    std::optional<cursor_key> last;
    bool more = false;
    auto read = db_.read([&](connection& c) -> workflow::result<void> {
        auto q = c.use(sql);
        if (rq.person)
            q->bind(":person", *rq.person);
        if (rq.target)
            q->bind(":target", *rq.target);
        if (rq.state && !active_of_person)
            q->bind(":state", std::string(name(*rq.state)));
        if (rq.from)
            q->bind(":from", to_millis(*rq.from));
        if (rq.until)
            q->bind(":until", to_millis(*rq.until));
        if (after) {
            q->bind(":cursor_at", after->created_ms);
            q->bind(":cursor_id", after->id);
        }
        // One row past the page says whether another page exists.
        q->bind(":limit", static_cast<std::int64_t>(limit + 1));
        while (q->executeStep()) {
            if (bodies.size() == limit) {
                more = true;
                break;
            }
            bodies.push_back(q->getColumn(0).getString());
            last = cursor_key{q->getColumn(1).getInt64(), q->getColumn(2).getString()};
        }
        return {};
    });
    if (!read)
        return read.error();
    workflow::request_log_page page;
    page.petitions.reserve(bodies.size());
    for (const auto& b : bodies) {
        auto p = petition_from_json(b);
        if (!p)
            return p.error();
        page.petitions.push_back(std::move(*p));
    }
    if (more && last)
        page.next = make_cursor(last->created_ms, last->id);
    return page;
}

workflow::result<std::optional<workflow::petition>>
petition_store::open_for(const std::string& person, const std::string& target,
                         const std::vector<workflow::petition_state>& states)
{
    if (states.empty())
        return std::optional<workflow::petition>();
    std::optional<std::string> body;
    auto read = db_.read([&](connection& c) -> workflow::result<void> {
        body = newest_open_body(c, person, target, states);
        return {};
    });
    if (!read)
        return read.error();
    if (!body)
        return std::optional<workflow::petition>();
    auto p = petition_from_json(*body);
    if (!p)
        return p.error();
    return std::optional<workflow::petition>(std::move(*p));
}

workflow::result<std::vector<workflow::petition>> petition_store::awaiting(const std::string& person,
                                                                         std::size_t limit)
{
    std::vector<workflow::petition> out;
    auto read = db_.read([&](connection& c) -> workflow::result<void> {
        // Active ones are read for a pending extension, which the body alone tells. Read newest first and
        // only until `limit` are found: a reviewer with thousands waiting costs as much as one with twenty.
        auto q = c.use("SELECT p.body FROM petitions p WHERE p.state IN ('pending', 'active') AND p.seq IN "
                       "(SELECT petition_seq FROM step_reviewers WHERE person_id = ?) ORDER BY p.created_at DESC");
        q->bind(1, person);
        while (out.size() < limit && q->executeStep()) {
            auto p = petition_from_json(q->getColumn(0).getString());
            if (!p)
                return p.error();
            // Only the step being decided now counts; later steps wait their turn.
            if (workflow::awaits_decision_from(*p, person))
                out.push_back(std::move(*p));
        }
        return {};
    });
    if (!read)
        return read.error();
    return out;
}

workflow::result<std::vector<workflow::petition>> petition_store::waiting()
{
    std::vector<workflow::petition> out;
    auto read = db_.read([&](connection& c) -> workflow::result<void> {
        // An active request is read only if it ever had an extension's steps (numbered from extension_steps, by
        // its primary key); its body says whether one waits now.
        auto q = c.use("SELECT p.body FROM petitions p WHERE p.state = 'pending' OR (p.state = 'active' AND EXISTS "
                       "(SELECT 1 FROM petition_steps s WHERE s.petition_seq = p.seq AND s.step >= ?)) "
                       "ORDER BY p.created_at, p.id");
        q->bind(1, extension_steps);
        while (q->executeStep()) {
            auto p = petition_from_json(q->getColumn(0).getString());
            if (!p)
                return p.error();
            if (p->state == workflow::petition_state::pending || p->pending_extension)
                out.push_back(std::move(*p));
        }
        return {};
    });
    if (!read)
        return read.error();
    return out;
}

} // namespace checkpoint::storage
