#include "storage/session_store.hpp"

#include "storage/audit_log.hpp"
#include "storage/token_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace checkpoint::storage {

workflow::result<workflow::opened_session> session_store::open(const workflow::web_session& spec,
                                                               workflow::time_point now,
                                                               const workflow::audit_event& audit)
{
    auto checked = audit_log::checked(audit);
    if (!checked)
        return checked.error();
    workflow::opened_session out;
    out.secret = token_store::generate_secret(secret_prefix);
    out.session = spec;
    out.session.csrf = token_store::generate_secret("csrf_");
    out.session.created_at = from_millis(to_millis(now));
    out.session.expires_at = from_millis(to_millis(spec.expires_at));
    out.session.ended_at.reset();
    const auto hash = token_store::hash_of(out.secret);
    auto id = db_.write([&](connection& c) -> workflow::result<std::int64_t> {
        // Sessions a day past their end go as new ones come (the audit log keeps their sign-ins): the table holds
        // about a day and a half of sign-ins, whatever runs for years. Indexed by expires_at.
        auto purge = c.use("DELETE FROM web_sessions WHERE expires_at < ?");
        purge->bind(1, to_millis(now - kept_after_end));
        purge->exec();
        auto q = c.use("INSERT INTO web_sessions (sha256, person_id, via, csrf, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
        q->bind(1, hash);
        q->bind(2, out.session.person_id);
        q->bind(3, out.session.via);
        q->bind(4, out.session.csrf);
        q->bind(5, to_millis(out.session.created_at));
        q->bind(6, to_millis(out.session.expires_at));
        q->executeStep();
        const auto session_id = q->getColumn(0).getInt64();
        auto event = *checked;
        auto details = event.details.empty() ? boost::json::object{} : boost::json::parse(event.details).as_object();
        details["session_id"] = session_id;
        event.details = boost::json::serialize(details);
        audit_log::append_in(c, event);
        return session_id;
    });
    if (!id)
        return id.error();
    out.session.id = *id;
    return out;
}

workflow::result<std::optional<workflow::web_session>> session_store::find(std::string_view secret)
{
    if (!token_store::looks_like_token(secret, secret_prefix))
        return std::optional<workflow::web_session>();
    const auto hash = token_store::hash_of(secret);
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::web_session>> {
        auto q = c.use("SELECT id, person_id, via, csrf, created_at, expires_at, ended_at FROM web_sessions "
                       "WHERE sha256 = ?");
        q->bind(1, hash);
        if (!q->executeStep())
            return std::optional<workflow::web_session>();
        workflow::web_session s;
        s.id = q->getColumn(0).getInt64();
        s.person_id = q->getColumn(1).getString();
        s.via = q->getColumn(2).getString();
        s.csrf = q->getColumn(3).getString();
        s.created_at = from_millis(q->getColumn(4).getInt64());
        s.expires_at = from_millis(q->getColumn(5).getInt64());
        if (!q->getColumn(6).isNull())
            s.ended_at = from_millis(q->getColumn(6).getInt64());
        return std::optional<workflow::web_session>(std::move(s));
    });
}

workflow::result<bool> session_store::end(std::int64_t id, workflow::time_point now, const workflow::audit_event& audit)
{
    return audit_log::end_once(db_, "UPDATE web_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", id, now,
                               audit);
}

} // namespace checkpoint::storage
