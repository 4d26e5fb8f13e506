#include "storage/card_message_store.hpp"

#include "workflow/petition_json.hpp"

namespace checkpoint::storage {

namespace {

workflow::card_message read_card(statement& q)
{
    workflow::card_message m;
    m.petition_id = q.getColumn(0).getString();
    m.step = static_cast<std::size_t>(q.getColumn(1).getInt64());
    m.destination = q.getColumn(2).getString();
    m.kind = q.getColumn(3).getString() == "dm" ? workflow::card_kind::dm : workflow::card_kind::channel;
    m.channel = q.getColumn(4).getString();
    m.ts = q.getColumn(5).getString();
    m.posted_at = from_millis(q.getColumn(6).getInt64());
    // A name this version does not know (written by a newer one) reads as a request's card.
    m.asked = workflow::parse_notice(q.getColumn(7).getString()).value_or(workflow::notice::submitted);
    return m;
}

} // namespace

workflow::result<void> card_message_store::record(const workflow::card_message& m)
{
    return db_.write([&](connection& c) -> workflow::result<void> {
        auto q = c.use("INSERT INTO card_messages (petition_id, step, destination, kind, channel, ts, posted_at, asked) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (petition_id, step, destination) DO UPDATE SET "
                       "kind = excluded.kind, channel = excluded.channel, ts = excluded.ts, "
                       "posted_at = excluded.posted_at, asked = excluded.asked");
        q->bind(1, m.petition_id);
        q->bind(2, static_cast<std::int64_t>(m.step));
        q->bind(3, m.destination);
        q->bind(4, m.kind == workflow::card_kind::dm ? "dm" : "channel");
        q->bind(5, m.channel);
        q->bind(6, m.ts);
        q->bind(7, to_millis(m.posted_at));
        q->bind(8, std::string(workflow::name(m.asked)));
        q->exec();
        return {};
    });
}

workflow::result<std::optional<workflow::card_message>>
card_message_store::find(const std::string& petition_id, std::size_t step, const std::string& destination)
{
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::card_message>> {
        auto q = c.use("SELECT petition_id, step, destination, kind, channel, ts, posted_at, asked FROM card_messages "
                       "WHERE petition_id = ? AND step = ? AND destination = ?");
        q->bind(1, petition_id);
        q->bind(2, static_cast<std::int64_t>(step));
        q->bind(3, destination);
        if (!q->executeStep())
            return std::optional<workflow::card_message>();
        return std::optional<workflow::card_message>(read_card(*q));
    });
}

workflow::result<std::vector<workflow::card_message>> card_message_store::for_petition(const std::string& petition_id)
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<workflow::card_message>> {
        auto q = c.use("SELECT petition_id, step, destination, kind, channel, ts, posted_at, asked FROM card_messages "
                       "WHERE petition_id = ? ORDER BY step, destination");
        q->bind(1, petition_id);
        std::vector<workflow::card_message> out;
        while (q->executeStep())
            out.push_back(read_card(*q));
        return out;
    });
}

} // namespace checkpoint::storage
