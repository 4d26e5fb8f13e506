#include "storage/resource_store.hpp"

#include "storage/audit_log.hpp"

#include "workflow/petition_json.hpp"

#include <boost/json.hpp>

namespace checkpoint::storage {

namespace {

workflow::resource read_resource(statement& q)
{
    return workflow::resource{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                              q.getColumn(3).getString(), from_millis(q.getColumn(4).getInt64())};
}

} // namespace

workflow::result<void> resource_store::upsert(const workflow::resource& r) { return upsert_all({r}); }

workflow::result<void> resource_store::upsert_all(const std::vector<workflow::resource>& rs)
{
    return upsert_all(rs, std::nullopt);
}

workflow::result<void> resource_store::upsert_all(const std::vector<workflow::resource>& rs,
                                                  const workflow::audit_event& audit)
{
    return upsert_all(rs, std::optional<workflow::audit_event>(audit));
}

workflow::result<void> resource_store::upsert_all(const std::vector<workflow::resource>& rs,
                                                  const std::optional<workflow::audit_event>& audit)
{
    std::optional<workflow::audit_event> event;
    if (audit) {
        auto checked = audit_log::checked(*audit);
        if (!checked)
            return checked.error();
        event = std::move(*checked);
    }
    // Labels are checked and re-serialized before the write, so the writer thread spends no time parsing.
    std::vector<std::string> labels;
    labels.reserve(rs.size());
    for (const auto& r : rs) {
        if (r.labels.empty()) {
            labels.emplace_back("{}");
            continue;
        }
        boost::system::error_code ec;
        auto v = boost::json::parse(r.labels, ec);
        if (ec || !v.is_object())
            return workflow::error{"bad_labels", "the labels of " + r.kind + ":" + r.id + " are not a JSON object"};
        labels.push_back(boost::json::serialize(v));
    }
    return db_.write([&](connection& c) -> workflow::result<void> {
        auto q = c.use("INSERT INTO resources (kind, id, display_name, labels, updated_at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (kind, id) DO UPDATE SET display_name = excluded.display_name, "
                       "labels = excluded.labels, updated_at = excluded.updated_at");
        for (std::size_t i = 0; i < rs.size(); ++i) {
            const auto& r = rs[i];
            q->bind(1, r.kind);
            q->bind(2, r.id);
            q->bind(3, r.display_name);
            q->bind(4, labels[i]);
            q->bind(5, to_millis(r.updated_at));
            q->exec();
            q->reset();
        }
        if (event)
            audit_log::append_in(c, *event);
        return {};
    });
}

workflow::result<std::optional<workflow::resource>> resource_store::find(const std::string& kind, const std::string& id)
{
    return db_.read([&](connection& c) -> workflow::result<std::optional<workflow::resource>> {
        auto q = c.use("SELECT kind, id, display_name, labels, updated_at FROM resources WHERE kind = ? AND id = ?");
        q->bind(1, kind);
        q->bind(2, id);
        if (!q->executeStep())
            return std::optional<workflow::resource>();
        return std::optional<workflow::resource>(read_resource(*q));
    });
}

workflow::result<std::vector<workflow::resource>> resource_store::of_kind(const std::string& kind)
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<workflow::resource>> {
        auto q = c.use("SELECT kind, id, display_name, labels, updated_at FROM resources WHERE kind = ? ORDER BY id");
        q->bind(1, kind);
        std::vector<workflow::resource> out;
        while (q->executeStep())
            out.push_back(read_resource(*q));
        return out;
    });
}

workflow::result<std::size_t> resource_store::remove_stale(const std::string& kind, workflow::time_point cutoff)
{
    return db_.write([&](connection& c) -> workflow::result<std::size_t> {
        auto q = c.use("DELETE FROM resources WHERE kind = ? AND updated_at < ?");
        q->bind(1, kind);
        q->bind(2, to_millis(cutoff));
        return static_cast<std::size_t>(q->exec());
    });
}

} // namespace checkpoint::storage
