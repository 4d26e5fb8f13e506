#include "storage/audit_log.hpp"

#include "storage/job_queue.hpp"
#include "workflow/petition_json.hpp"
#include "workflow/text.hpp"

#include <boost/algorithm/hex.hpp>
#include <boost/json.hpp>
#include <openssl/evp.h>

#include <array>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

namespace checkpoint::storage {

namespace {

constexpr std::string_view columns = "seq, at, actor, action, reason, rule, petition_id, details, prev_hash, hash, mac";

// Length-prefixed fields: no two different events share a canonical form.
void field(std::string& out, std::string_view s)
{
    out += std::to_string(s.size());
    out += ':';
    out += s;
    out += '\n';
}

std::string to_hex(const unsigned char* p, std::size_t n)
{
    std::string out;
    boost::algorithm::hex_lower(p, p + n, std::back_inserter(out));
    return out;
}

// Details are stored as Boost.JSON serializes them, so the hashed text is the stored text; every event's
// details name the front it came through and the API token used (null: none).
std::string normalized_details(const std::string& details, const workflow::origin& via)
{
    auto parsed = details.empty() ? boost::json::value(boost::json::object{}) : boost::json::parse(details);
    if (auto* o = parsed.if_object()) {
        (*o)["channel"] = via.channel;
        (*o)["caller_token"] = via.token_id != 0 ? boost::json::value(via.token_id) : boost::json::value(nullptr);
    }
    return boost::json::serialize(parsed);
}

workflow::audit_record read_record(statement& q)
{
    workflow::audit_record r;
    r.seq = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
    r.event.at = from_millis(q.getColumn(1).getInt64());
    r.event.actor = q.getColumn(2).getString();
    r.event.action = q.getColumn(3).getString();
    r.event.reason = q.getColumn(4).getString();
    r.event.rule = q.getColumn(5).getString();
    r.event.petition_id = q.getColumn(6).getString();
    r.event.details = q.getColumn(7).getString();
    r.prev_hash = q.getColumn(8).getString();
    r.hash = q.getColumn(9).getString();
    r.mac = q.getColumn(10).isNull() ? std::string() : q.getColumn(10).getString();
    return r;
}

std::string text_or_empty(const column_value& c) { return c.isNull() ? std::string() : c.getString(); }

std::string when(workflow::time_point t) { return workflow::format_utc(t); }

// Anchors given by the caller (kept outside the database) carry no id.
std::string told(const workflow::audit_anchor& a)
{
    if (a.id == 0)
        return "the anchor given";
    return "the anchor of " + when(a.at) + (a.posted_to == "log" ? " (in the log)" : " (posted to " + a.posted_to + ")");
}

// Whether record `r` is the one anchor `a` saw: its plain hash, and its keyed hash when the chain is keyed.
// An anchor given from outside has only the value that was posted (the keyed hash, or the plain one of an
// unkeyed chain).
bool matches(const workflow::audit_anchor& a, const workflow::audit_record& r, bool keyed)
{
    if (!a.hash.empty() && a.hash != r.hash)
        return false;
    if (a.mac.empty())
        return true;
    if (keyed)
        return a.mac == r.mac;
    return !a.hash.empty() || a.mac == r.hash;
}

// Every anchor, oldest first.
std::vector<workflow::audit_anchor> read_anchors(connection& c)
{
    std::vector<workflow::audit_anchor> out;
    auto q = c.use("SELECT id, seq, hash, mac, at, posted_to, cause, asked_by FROM audit_anchors ORDER BY id");
    while (q->executeStep()) {
        workflow::audit_anchor a;
        a.id = q->getColumn(0).getInt64();
        a.seq = static_cast<std::uint64_t>(q->getColumn(1).getInt64());
        a.hash = q->getColumn(2).getString();
        a.mac = text_or_empty(q->getColumn(3));
        a.at = from_millis(q->getColumn(4).getInt64());
        a.posted_to = q->getColumn(5).getString();
        a.trigger = q->getColumn(6).getString();
        a.by = q->getColumn(7).getString();
        out.push_back(std::move(a));
    }
    return out;
}

struct seal_row {
    std::string key_check;
    std::uint64_t sealed_seq = 0;
};

std::optional<seal_row> read_seal(connection& c)
{
    auto q = c.use("SELECT key_check, sealed_seq FROM audit_seal WHERE one = 1");
    if (!q->executeStep())
        return std::nullopt;
    return seal_row{q->getColumn(0).getString(), static_cast<std::uint64_t>(q->getColumn(1).getInt64())};
}

// Whether anything in the database was ever keyed: a mac on an event, the head or an anchor.
bool has_keyed_hashes(connection& c)
{
    auto q = c.use("SELECT EXISTS (SELECT 1 FROM audit_log WHERE mac IS NOT NULL) OR "
                   "EXISTS (SELECT 1 FROM audit_head WHERE mac IS NOT NULL) OR "
                   "EXISTS (SELECT 1 FROM audit_anchors WHERE mac IS NOT NULL)");
    return q->executeStep() && q->getColumn(0).getInt() != 0;
}

// The walk over the chain `c` holds (inside the caller's read transaction): every link, every plain hash,
// every keyed hash when `key` is given, the recorded head, and every anchor.
workflow::audit_verification walk(connection& c, const audit_key* key,
                                  std::span<const workflow::audit_anchor> outside = {})
{
    workflow::audit_verification v;
    v.keyed = key != nullptr;
    auto bad = [&](std::uint64_t seq, std::string problem) {
        v.ok = false;
        v.first_bad_seq = seq;
        v.problem = std::move(problem);
        return v;
    };
    const auto anchors = read_anchors(c);
    std::multimap<std::uint64_t, const workflow::audit_anchor*> anchored;
    for (const auto& a : anchors)
        anchored.emplace(a.seq, &a);
    for (const auto& a : outside)
        anchored.emplace(a.seq, &a);
    if (!anchors.empty())
        v.anchor = anchors.back();

    auto q = c.use("SELECT " + std::string(columns) + " FROM audit_log ORDER BY seq");
    std::uint64_t expected = 1;
    std::string prev(audit_log::genesis_hash);
    std::string prev_mac(audit_log::genesis_hash);
    while (q->executeStep()) {
        auto r = read_record(*q);
        const auto n = std::to_string(r.seq);
        if (r.seq != expected)
            return bad(expected, "event " + std::to_string(expected) + " is missing: it was deleted");
        if (r.prev_hash != prev)
            return bad(r.seq, "event " + n + " does not follow the event before it: an event was inserted or deleted");
        if (audit_log::hash_of(r.prev_hash, r.seq, r.event) != r.hash)
            return bad(r.seq, "event " + n + " was altered: its content does not match its hash");
        if (key) {
            if (r.mac.empty())
                return bad(r.seq, "event " + n + " has no keyed hash: it was written or rewritten without the audit key");
            if (audit_log::mac_of(*key, prev_mac, r.seq, r.hash) != r.mac)
                return bad(r.seq, "event " + n + " was altered: its keyed hash does not match (the chain was "
                                  "rewritten by someone without the audit key)");
        }
        for (auto [it, end] = anchored.equal_range(r.seq); it != end; ++it) {
            const auto& a = *it->second;
            if (!matches(a, r, key != nullptr))
                return bad(r.seq, "event " + n + " is not the event " + told(a) +
                                      " recorded: it, or an event before it, was rewritten");
        }
        prev = r.hash;
        prev_mac = r.mac;
        ++expected;
        ++v.checked;
    }
    const std::uint64_t last = expected - 1;
    auto head = c.use("SELECT seq, hash, mac FROM audit_head WHERE one = 1");
    if (head->executeStep()) {
        const auto head_seq = static_cast<std::uint64_t>(head->getColumn(0).getInt64());
        if (head_seq > last)
            return bad(last + 1, "events " + std::to_string(last + 1) + " to " + std::to_string(head_seq) +
                                     " are missing: the end of the log was deleted");
        if (head_seq < last)
            return bad(head_seq + 1, "event " + std::to_string(head_seq + 1) +
                                         " was inserted after the last event the log recorded");
        if (head->getColumn(1).getString() != prev || (key && text_or_empty(head->getColumn(2)) != prev_mac))
            return bad(last, "event " + std::to_string(last) + " was altered: it is not the recorded last event");
    } else if (last > 0) {
        return bad(1, "the record of the last event is missing");
    }
    // A chain cut short below an anchor, its head moved back to match: the anchor still counts the events.
    if (!anchored.empty() && anchored.rbegin()->first > last) {
        const auto& a = *anchored.rbegin()->second;
        return bad(last + 1, "the log ends at event " + std::to_string(last) + ", but " + told(a) + " is at event " +
                                 std::to_string(a.seq) + ": events " + std::to_string(last + 1) + " to " +
                                 std::to_string(a.seq) + " were deleted");
    }
    return v;
}

} // namespace

std::string audit_log::mac_of(const audit_key& key, std::string_view prev_mac, std::uint64_t seq, std::string_view hash)
{
    std::string content = "checkpoint audit mac v1\n";
    field(content, prev_mac);
    field(content, std::to_string(seq));
    field(content, hash);
    return key.mac(content);
}

workflow::result<bool> audit_log::end_once(database& db, std::string_view update, std::int64_t id,
                                           workflow::time_point now, const workflow::audit_event& audit)
{
    auto event = checked(audit);
    if (!event)
        return event.error();
    return db.write([&](connection& c) -> workflow::result<bool> {
        auto q = c.use(std::string(update));
        q->bind(1, to_millis(now));
        q->bind(2, id);
        if (q->exec() != 1)
            return false;
        append_in(c, *event);
        return true;
    });
}

std::string audit_log::hash_of(std::string_view prev_hash, std::uint64_t seq, const workflow::audit_event& e)
{
    std::string content;
    content.reserve(256 + e.details.size());
    field(content, std::to_string(seq));
    field(content, std::to_string(to_millis(e.at)));
    field(content, e.actor);
    field(content, e.action);
    field(content, e.reason);
    field(content, e.rule);
    field(content, e.petition_id);
    field(content, e.details);

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), prev_hash.data(), prev_hash.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), content.data(), content.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1)
        throw std::runtime_error("SHA-256 failed");
    return to_hex(digest.data(), len);
}

workflow::result<workflow::audit_event> audit_log::checked(const workflow::audit_event& e)
{
    try {
        return normalized(e);
    } catch (const std::exception& x) {
        return workflow::error{"invalid_audit", std::string("the audit details are not JSON: ") + x.what()};
    }
}

workflow::audit_event audit_log::normalized(const workflow::audit_event& e)
{
    auto out = e;
    out.at = from_millis(to_millis(e.at));
    out.details = normalized_details(e.details, e.via);
    return out;
}

workflow::audit_record audit_log::append_in(connection& c, const workflow::audit_event& e,
                                            std::optional<std::int64_t> petition_seq)
{
    if (!petition_seq && !e.petition_id.empty()) {
        auto q = c.use("SELECT seq FROM petitions WHERE id = ?");
        q->bind(1, e.petition_id);
        if (q->executeStep())
            petition_seq = q->getColumn(0).getInt64();
    }
    workflow::audit_record r;
    r.event = e;
    r.prev_hash = std::string(genesis_hash);
    std::string prev_mac(genesis_hash);
    bool keyed_chain = false;
    {
        auto head = c.use("SELECT seq, hash, mac FROM audit_head WHERE one = 1");
        if (head->executeStep()) {
            r.seq = static_cast<std::uint64_t>(head->getColumn(0).getInt64()) + 1;
            r.prev_hash = head->getColumn(1).getString();
            keyed_chain = !head->getColumn(2).isNull();
            prev_mac = keyed_chain ? head->getColumn(2).getString() : std::string();
        } else {
            r.seq = 1;
            // An empty chain a key has sealed: its first event is keyed too.
            auto sealed = c.use("SELECT EXISTS (SELECT 1 FROM audit_seal)");
            keyed_chain = sealed->executeStep() && sealed->getColumn(0).getInt() != 0;
        }
    }
    r.hash = hash_of(r.prev_hash, r.seq, r.event);
    if (const auto* key = c.audit_key_in_use()) {
        // A key in use has sealed the chain at open (database::open): an unkeyed head after that is not ours.
        if (r.seq > 1 && !keyed_chain)
            throw std::runtime_error("the audit chain's last event has no keyed hash; it was written without the "
                                     "audit key after the key sealed the chain");
        r.mac = mac_of(*key, prev_mac, r.seq, r.hash);
    } else if (keyed_chain) {
        // An unkeyed event would break the keyed chain: refused, not appended.
        throw std::runtime_error("the audit log is keyed and this process has no audit key (CHECKPOINT_AUDIT_KEY or "
                                 "CHECKPOINT_AUDIT_KEY_FILE, or the key file beside the database)");
    }

    auto insert = c.use("INSERT INTO audit_log (seq, at, actor, action, reason, rule, petition_id, details, prev_hash, "
                        "hash, petition_seq, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert->bind(1, static_cast<std::int64_t>(r.seq));
    insert->bind(2, to_millis(r.event.at));
    insert->bind(3, r.event.actor);
    insert->bind(4, r.event.action);
    insert->bind(5, r.event.reason);
    insert->bind(6, r.event.rule);
    insert->bind(7, r.event.petition_id);
    insert->bind(8, r.event.details);
    insert->bind(9, r.prev_hash);
    insert->bind(10, r.hash);
    if (petition_seq)
        insert->bind(11, *petition_seq);
    if (!r.mac.empty())
        insert->bind(12, r.mac);
    insert->exec();

    auto head = c.use("INSERT INTO audit_head (one, seq, hash, mac) VALUES (1, ?, ?, ?) "
                      "ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac");
    head->bind(1, static_cast<std::int64_t>(r.seq));
    head->bind(2, r.hash);
    if (!r.mac.empty())
        head->bind(3, r.mac);
    head->exec();
    return r;
}

workflow::result<workflow::audit_record> audit_log::append(const workflow::audit_event& e)
{
    workflow::audit_event event;
    try {
        event = normalized(e);
    } catch (const std::exception& x) {
        return workflow::error{"bad_audit_details", std::string("the audit details are not JSON: ") + x.what()};
    }
    return db_.write([&](connection& c) -> workflow::result<workflow::audit_record> { return append_in(c, event); });
}

workflow::result<bool> audit_log::append_once(const workflow::audit_event& e, const workflow::job_spec& j,
                                             workflow::time_point now)
{
    workflow::audit_event event;
    try {
        event = normalized(e);
    } catch (const std::exception& x) {
        return workflow::error{"bad_audit_details", std::string("the audit details are not JSON: ") + x.what()};
    }
    auto once = j;
    once.duplicate = workflow::on_duplicate::keep;
    return db_.write([&](connection& c) -> workflow::result<bool> {
        if (!job_queue::enqueue_in(c, once, now))
            return false;
        append_in(c, event);
        return true;
    });
}

workflow::result<workflow::audit_verification> audit_log::verify(std::span<const workflow::audit_anchor> told_outside)
{
    try {
        // A connection of its own: a long walk must not hold up the shared reader.
        auto own = db_.connect();
        auto& c = *own;
        // One read transaction, so the chain, its head, seal and anchors come from the same snapshot.
        c.begin_read();
        const auto* key = db_.audit_key();
        const auto seal = read_seal(c);
        if (key && seal && seal->key_check != key->check_value())
            return workflow::error{"audit_key_mismatch",
                                   "the audit key given is not the key this audit chain was sealed with (its check "
                                   "value differs), so nothing was verified; give the key the server uses"};
        if (!key && (seal || has_keyed_hashes(c)))
            return workflow::error{"audit_key_missing",
                                   "this audit chain is keyed: verifying it needs its key (the server's "
                                   "CHECKPOINT_AUDIT_KEY or CHECKPOINT_AUDIT_KEY_FILE, or the key file beside the "
                                   "database)"};
        auto v = walk(c, key, told_outside);
        if (key && !seal && v.ok) {
            v.ok = false;
            v.problem = "the audit chain's key check is missing: the record of the key that sealed it was deleted";
        }
        if (seal)
            v.sealed_before_key = seal->sealed_seq;
        c.exec("COMMIT");
        return v;
    } catch (const std::exception& e) {
        return workflow::error{"storage_failed", e.what()};
    }
}

workflow::result<audit_seal_report> audit_log::bind_key(connection& c, const audit_key& key, bool seal_existing)
{
    try {
        // The write lock first: another process may be writing, and the seal is one change.
        c.begin_write();
        auto rollback = [&c](workflow::error e) -> workflow::result<audit_seal_report> {
            c.exec("ROLLBACK");
            return e;
        };
        if (auto seal = read_seal(c)) {
            c.exec("COMMIT");
            if (seal->key_check != key.check_value())
                return workflow::error{"audit_key_mismatch",
                                       "the audit key is not the key this database's audit chain was sealed with "
                                       "(its check value differs)"};
            return audit_seal_report{0, true};
        }
        // Keyed hashes without the record of their key: someone deleted it. Sealing again would bless what
        // they wrote, so the chain stays as it is for a person to look at.
        if (has_keyed_hashes(c))
            return rollback(workflow::error{"audit_seal_missing",
                                            "the audit chain has keyed hashes but the record of its key is gone: "
                                            "the database was altered, and it is not sealed again; inspect it with "
                                            "`checkpoint audit verify --database FILE` or restore a backup"});
        auto v = walk(c, nullptr);
        if (v.checked > 0 && !seal_existing) {
            c.exec("ROLLBACK");
            return audit_seal_report{0, false};
        }
        if (!v.ok)
            return rollback(workflow::error{
                "audit_chain_broken", "the audit chain is broken" +
                                          (v.first_bad_seq ? " at event " + std::to_string(*v.first_bad_seq) : "") +
                                          " (" + v.problem + "), and a broken chain is not sealed with the key; "
                                          "inspect it with `checkpoint audit verify --database FILE` or restore a backup"});
        // The events written before the key, keyed now over their verified plain chain, a page at a time.
        std::string prev_mac(genesis_hash);
        std::uint64_t last = 0;
        for (;;) {
            std::vector<std::pair<std::uint64_t, std::string>> page;
            {
                auto q = c.use("SELECT seq, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 4096");
                q->bind(1, static_cast<std::int64_t>(last));
                while (q->executeStep())
                    page.emplace_back(static_cast<std::uint64_t>(q->getColumn(0).getInt64()), q->getColumn(1).getString());
            }
            if (page.empty())
                break;
            auto update = c.use("UPDATE audit_log SET mac = ? WHERE seq = ?");
            for (const auto& [seq, hash] : page) {
                prev_mac = mac_of(key, prev_mac, seq, hash);
                update->bind(1, prev_mac);
                update->bind(2, static_cast<std::int64_t>(seq));
                update->exec();
                update->reset();
                last = seq;
            }
        }
        {
            auto head = c.use("UPDATE audit_head SET mac = ? WHERE one = 1");
            head->bind(1, prev_mac);
            head->exec();
            auto seal = c.use("INSERT INTO audit_seal (one, key_check, sealed_seq, sealed_at) VALUES (1, ?, ?, ?)");
            seal->bind(1, key.check_value());
            seal->bind(2, static_cast<std::int64_t>(last));
            seal->bind(3, to_millis(std::chrono::system_clock::now()));
            seal->exec();
        }
        c.exec("COMMIT");
        return audit_seal_report{last, true};
    } catch (const std::exception& e) {
        try {
            if (c.in_transaction())
                c.exec("ROLLBACK");
        } catch (const std::exception&) {
            // No transaction was open (BEGIN failed): nothing to undo.
        }
        return workflow::error{"storage_failed", std::string("cannot check the audit key: ") + e.what()};
    }
}

workflow::result<workflow::audit_anchor> audit_log::anchor(const workflow::audit_anchor_request& r)
{
    return db_.write([&](connection& c) -> workflow::result<workflow::audit_anchor> {
        workflow::audit_anchor a;
        a.at = from_millis(to_millis(r.at));
        a.posted_to = r.posted_to;
        a.trigger = r.trigger;
        a.by = r.by;
        a.hash = std::string(genesis_hash);
        {
            auto head = c.use("SELECT seq, hash, mac FROM audit_head WHERE one = 1");
            if (head->executeStep()) {
                a.seq = static_cast<std::uint64_t>(head->getColumn(0).getInt64());
                a.hash = head->getColumn(1).getString();
                a.mac = text_or_empty(head->getColumn(2));
            }
        }
        auto insert = c.use("INSERT INTO audit_anchors (seq, hash, mac, at, posted_to, cause, asked_by) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
        insert->bind(1, static_cast<std::int64_t>(a.seq));
        insert->bind(2, a.hash);
        if (!a.mac.empty())
            insert->bind(3, a.mac);
        insert->bind(4, to_millis(a.at));
        insert->bind(5, a.posted_to);
        insert->bind(6, a.trigger);
        insert->bind(7, a.by);
        insert->executeStep();
        a.id = insert->getColumn(0).getInt64();
        if (r.post)
            if (auto spec = r.post(a))
                job_queue::enqueue_in(c, *spec, r.at);
        return a;
    });
}

workflow::result<std::vector<workflow::audit_record>> audit_log::for_petition(const std::string& petition_id)
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<workflow::audit_record>> {
        auto q = c.use("SELECT " + std::string(columns) + " "
                       "FROM audit_log WHERE petition_seq = (SELECT seq FROM petitions WHERE id = ?) "
                       "AND petition_seq IS NOT NULL ORDER BY seq");
        q->bind(1, petition_id);
        std::vector<workflow::audit_record> out;
        while (q->executeStep())
            out.push_back(read_record(*q));
        return out;
    });
}

} // namespace checkpoint::storage
