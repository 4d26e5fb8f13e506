#include "storage/token_store.hpp"

#include "storage/audit_log.hpp"
#include "storage/job_queue.hpp"
#include "workflow/petition_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <boost/algorithm/hex.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace checkpoint::storage {

namespace {

constexpr std::size_t secret_chars = 40;
constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string join_scopes(const std::vector<std::string>& scopes)
{
    std::string out;
    for (const auto& s : scopes) {
        if (!out.empty())
            out += ' ';
        out += s;
    }
    return out;
}

std::vector<std::string> split_scopes(const std::string& text)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto j = text.find(' ', i);
        if (j == std::string::npos)
            j = text.size();
        if (j > i)
            out.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::optional<workflow::time_point> optional_time(statement& q, int column)
{
    if (q.getColumn(column).isNull())
        return std::nullopt;
    return from_millis(q.getColumn(column).getInt64());
}

constexpr std::string_view token_columns =
    "SELECT id, name, kind, COALESCE(person_id, ''), scopes, created_at, revoked_at, last_used_at, expires_at "
    "FROM api_tokens";

api_token read_token(statement& q)
{
    api_token t;
    t.id = q.getColumn(0).getInt64();
    t.name = q.getColumn(1).getString();
    t.kind = q.getColumn(2).getString();
    t.person_id = q.getColumn(3).getString();
    t.scopes = split_scopes(q.getColumn(4).getString());
    t.created_at = from_millis(q.getColumn(5).getInt64());
    t.revoked_at = optional_time(q, 6);
    t.last_used_at = optional_time(q, 7);
    t.expires_at = optional_time(q, 8);
    return t;
}

} // namespace

std::string token_store::generate_secret(std::string_view prefix)
{
    std::string out(prefix);
    // Rejection sampling keeps every character equally likely: bytes >= 248 (4 * 62) are drawn again.
    while (out.size() < prefix.size() + secret_chars) {
        std::array<unsigned char, 64> bytes{};
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
            throw std::runtime_error("OpenSSL RAND_bytes failed");
        for (unsigned char b : bytes) {
            if (b >= 248 || out.size() == prefix.size() + secret_chars)
                continue;
            out += base62[b % 62];
        }
    }
    return out;
}

std::string token_store::hash_of(std::string_view secret)
{
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_Digest(secret.data(), secret.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL SHA-256 failed");
    std::string out;
    boost::algorithm::hex_lower(digest.data(), digest.data() + len, std::back_inserter(out));
    return out;
}

bool token_store::looks_like_token(std::string_view s, std::string_view prefix)
{
    if (s.size() != prefix.size() + secret_chars || s.substr(0, prefix.size()) != prefix)
        return false;
    for (char c : s.substr(prefix.size()))
        if (base62.find(c) == std::string_view::npos)
            return false;
    return true;
}

workflow::result<new_token> token_store::create(const api_token& spec, workflow::time_point now,
                                                const workflow::audit_event& audit, const teller& tell)
{
    new_token out;
    out.secret = generate_secret();
    out.token = spec;
    out.token.created_at = from_millis(to_millis(now));
    out.token.revoked_at.reset();
    out.token.last_used_at.reset();
    if (spec.expires_at)
        out.token.expires_at = from_millis(to_millis(*spec.expires_at));
    const auto hash = hash_of(out.secret);
    auto id = db_.write([&](connection& c) -> workflow::result<std::int64_t> {
        auto q = c.use("INSERT INTO api_tokens (name, kind, person_id, scopes, sha256, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
        q->bind(1, spec.name);
        q->bind(2, spec.kind);
        if (spec.person_id.empty())
            q->bind(3);
        else
            q->bind(3, spec.person_id);
        q->bind(4, join_scopes(spec.scopes));
        q->bind(5, hash);
        q->bind(6, to_millis(now));
        if (spec.expires_at)
            q->bind(7, to_millis(*spec.expires_at));
        else
            q->bind(7);
        q->executeStep();
        const auto token_id = q->getColumn(0).getInt64();
        // The audit event names the token by the id it just got.
        auto event = audit;
        auto details = event.details.empty() ? boost::json::object{} : boost::json::parse(event.details).as_object();
        details["token_id"] = token_id;
        event.details = boost::json::serialize(details);
        audit_log::append_in(c, audit_log::normalized(event));
        if (tell) {
            auto stored = out.token;
            stored.id = token_id;
            if (auto spec_job = tell(stored))
                job_queue::enqueue_in(c, *spec_job, now);
        }
        return token_id;
    });
    if (!id)
        return id.error();
    out.token.id = *id;
    return out;
}

workflow::result<std::optional<api_token>> token_store::find_by_secret(std::string_view secret)
{
    if (!looks_like_token(secret))
        return std::optional<api_token>();
    const auto hash = hash_of(secret);
    return db_.read([&](connection& c) -> workflow::result<std::optional<api_token>> {
        auto q = c.use(std::string(token_columns) + " WHERE sha256 = ?");
        q->bind(1, hash);
        if (!q->executeStep())
            return std::optional<api_token>();
        return std::optional<api_token>(read_token(*q));
    });
}

workflow::result<std::vector<api_token>> token_store::list()
{
    return db_.read([&](connection& c) -> workflow::result<std::vector<api_token>> {
        auto q = c.use(std::string(token_columns) + " ORDER BY id");
        std::vector<api_token> out;
        while (q->executeStep())
            out.push_back(read_token(*q));
        return out;
    });
}

workflow::result<bool> token_store::revoke(std::int64_t id, workflow::time_point now,
                                           const workflow::audit_event& audit)
{
    return audit_log::end_once(db_, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", id,
                               now, audit);
}

workflow::result<void> token_store::touch(const api_token& t, workflow::time_point now)
{
    if (t.last_used_at && now - *t.last_used_at < std::chrono::minutes(1))
        return {};
    return db_.write([&](connection& c) -> workflow::result<void> {
        auto q = c.use("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
        q->bind(1, to_millis(now));
        q->bind(2, t.id);
        q->exec();
        return {};
    });
}

} // namespace checkpoint::storage
