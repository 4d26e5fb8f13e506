#include "storage/audit_log.hpp"

#include "workflow/petition_json.hpp"

#include <boost/algorithm/hex.hpp>
#include <boost/json.hpp>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace checkpoint::storage {

namespace {

constexpr std::string_view columns = "seq, at, actor, action, reason, rule, petition_id, details, prev_hash, hash";

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

// Details are stored as Boost.JSON serializes them, so the hashed text is the stored text.
std::string normalized_details(const std::string& details)
{
    if (details.empty())
        return "{}";
    return boost::json::serialize(boost::json::parse(details));
}

workflow::audit_record read_record(SQLite::Statement& q)
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
    return r;
}

} // namespace

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
    out.details = normalized_details(e.details);
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
    {
        auto head = c.use("SELECT seq, hash FROM audit_head WHERE one = 1");
        if (head->executeStep()) {
            r.seq = static_cast<std::uint64_t>(head->getColumn(0).getInt64()) + 1;
            r.prev_hash = head->getColumn(1).getString();
        } else {
            r.seq = 1;
        }
    }
    r.hash = hash_of(r.prev_hash, r.seq, r.event);

    auto insert = c.use("INSERT INTO audit_log (seq, at, actor, action, reason, rule, petition_id, details, prev_hash, "
                        "hash, petition_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
    insert->exec();

    auto head = c.use("INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?) "
                      "ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
    head->bind(1, static_cast<std::int64_t>(r.seq));
    head->bind(2, r.hash);
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

workflow::result<workflow::audit_verification> audit_log::verify()
{
    try {
        // A connection of its own: a long walk must not hold up the shared reader.
        SQLite::Database c(db_.path(), SQLite::OPEN_READONLY);
        c.setBusyTimeout(5000);
        // One read transaction, so the chain and its head come from the same snapshot.
        c.exec("BEGIN");
        workflow::audit_verification v;
        auto bad = [&](std::uint64_t seq, std::string problem) {
            v.ok = false;
            v.first_bad_seq = seq;
            v.problem = std::move(problem);
            return v;
        };
        SQLite::Statement q(c, "SELECT " + std::string(columns) + " FROM audit_log ORDER BY seq");
        std::uint64_t expected = 1;
        std::string prev(genesis_hash);
        while (q.executeStep()) {
            auto r = read_record(q);
            const auto n = std::to_string(r.seq);
            if (r.seq != expected)
                return bad(expected, "event " + std::to_string(expected) + " is missing: it was deleted");
            if (r.prev_hash != prev)
                return bad(r.seq, "event " + n + " does not follow the event before it: an event was inserted or deleted");
            if (hash_of(r.prev_hash, r.seq, r.event) != r.hash)
                return bad(r.seq, "event " + n + " was altered: its content does not match its hash");
            prev = r.hash;
            ++expected;
            ++v.checked;
        }
        SQLite::Statement head(c, "SELECT seq, hash FROM audit_head WHERE one = 1");
        const std::uint64_t last = expected - 1;
        if (head.executeStep()) {
            const auto head_seq = static_cast<std::uint64_t>(head.getColumn(0).getInt64());
            if (head_seq > last)
                return bad(last + 1, "events " + std::to_string(last + 1) + " to " + std::to_string(head_seq) +
                                         " are missing: the end of the log was deleted");
            if (head_seq < last)
                return bad(head_seq + 1, "event " + std::to_string(head_seq + 1) +
                                             " was inserted after the last event the log recorded");
            if (head.getColumn(1).getString() != prev)
                return bad(last, "event " + std::to_string(last) + " was altered: it is not the recorded last event");
        } else if (last > 0) {
            return bad(1, "the record of the last event is missing");
        }
        c.exec("COMMIT");
        return v;
    } catch (const std::exception& e) {
        return workflow::error{"storage_failed", e.what()};
    }
}

workflow::result<std::vector<workflow::audit_record>> audit_log::for_petition(const std::string& petition_id)
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<workflow::audit_record>> {
        auto q = c.use("SELECT seq, at, actor, action, reason, rule, petition_id, details, prev_hash, hash "
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
