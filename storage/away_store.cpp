#include "storage/away_store.hpp"

#include "storage/audit_log.hpp"
#include "workflow/petition_json.hpp"

#include <limits>

namespace checkpoint::storage {

namespace {
// until_at of a leave with no return date (NOT NULL column).
constexpr std::int64_t open_ended_ms = std::numeric_limits<std::int64_t>::max();
} // namespace

workflow::result<void> away_store::set(const std::string& person_id,
                                       const std::optional<workflow::out_of_office>& away,
                                       const workflow::audit_event& audit)
{
    const auto& set_by = audit.actor;
    const auto now = audit.at;
    auto event = audit_log::checked(audit);
    if (!event)
        return event.error();
    return db_.write([&](connection& c) -> workflow::result<void> {
        auto q = c.use("INSERT INTO out_of_office (person_id, away, from_at, until_at, delegate, set_by, set_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET away = excluded.away, "
                       "from_at = excluded.from_at, until_at = excluded.until_at, delegate = excluded.delegate, "
                       "set_by = excluded.set_by, set_at = excluded.set_at");
        q->bind(1, person_id);
        q->bind(2, away ? 1 : 0);
        q->bind(3, to_millis(away ? away->from : now));
        q->bind(4, away && away->until ? to_millis(*away->until) : open_ended_ms);
        q->bind(5, away ? away->delegate : std::string());
        q->bind(6, set_by);
        q->bind(7, to_millis(now));
        q->exec();
        audit_log::append_in(c, *event);
        return {};
    });
}

workflow::result<workflow::away_overlay> away_store::overlay()
{
    return db_.read([&](connection& c) -> workflow::result<workflow::away_overlay> {
        auto q = c.use("SELECT person_id, away, from_at, until_at, delegate FROM out_of_office");
        workflow::away_overlay out;
        while (q->executeStep()) {
            std::optional<workflow::out_of_office> away;
            if (q->getColumn(1).getInt() != 0) {
                const auto until = q->getColumn(3).getInt64();
                away = workflow::out_of_office{
                    from_millis(q->getColumn(2).getInt64()),
                    until == open_ended_ms ? std::nullopt : std::optional(from_millis(until)), q->getColumn(4).getString()};
            }
            out.emplace(q->getColumn(0).getString(), std::move(away));
        }
        return out;
    });
}

} // namespace checkpoint::storage
