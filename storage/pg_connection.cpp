#include "storage/pg_connection.hpp"

#include <libpq-fe.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <charconv>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

namespace checkpoint::storage {

namespace {

sql_error failure(const char* what, const PGresult* r)
{
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    auto k = sql_error::kind::other;
    if (state && std::strcmp(state, "23505") == 0)
        k = sql_error::kind::unique_violation;
    else if (state && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0))
        k = sql_error::kind::serialization;
    std::string message = what;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return sql_error(message, k);
}

// Owns one PGresult.
struct result_holder {
    PGresult* r = nullptr;
    explicit result_holder(PGresult* p = nullptr) : r(p) {}
    result_holder(const result_holder&) = delete;
    result_holder& operator=(const result_holder&) = delete;
    ~result_holder() { PQclear(r); }
    void reset(PGresult* p = nullptr)
    {
        PQclear(r);
        r = p;
    }
};

void check(PGconn* c, const result_holder& res)
{
    const auto status = res.r ? PQresultStatus(res.r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw failure(res.r ? PQresultErrorMessage(res.r) : PQerrorMessage(c), res.r);
}

class pg_statement final : public statement {
public:
    pg_statement(pg_connection& c, std::string_view sql) : c_(c), sql_(number_parameters(sql))
    {
        params_.resize(static_cast<std::size_t>(sql_.parameters));
    }

    bool executeStep() override
    {
        if (!res_.r) {
            run();
            row_ = -1;
        }
        ++row_;
        return row_ < PQntuples(res_.r);
    }
    int exec() override
    {
        run();
        const char* n = PQcmdTuples(res_.r);
        int changed = 0;
        std::from_chars(n, n + std::strlen(n), changed);
        return changed;
    }
    void reset() override
    {
        res_.reset();
        row_ = -1;
        for (auto& p : params_)
            p.reset();
    }
    int column_count() override { return res_.r ? PQnfields(res_.r) : 0; }
    std::string column_name(int index) override
    {
        if (!res_.r || index < 0 || index >= PQnfields(res_.r))
            throw sql_error("column " + std::to_string(index) + " is out of range");
        return PQfname(res_.r, index);
    }
    std::int64_t int64_at(int index) override
    {
        const char* v = value(index);
        if (v[0] == 't' && v[1] == '\0')
            return 1;
        if (v[0] == 'f' && v[1] == '\0')
            return 0;
        std::int64_t out = 0;
        std::from_chars(v, v + std::strlen(v), out);
        return out;
    }
    std::string text_at(int index) override
    {
        const char* v = value(index);
        return std::string(v, static_cast<std::size_t>(PQgetlength(res_.r, row_, index)));
    }
    bool null_at(int index) override
    {
        value(index);
        return PQgetisnull(res_.r, row_, index) != 0;
    }

protected:
    void bind_int64(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
    void bind_text(int index, std::string_view value) override { slot(index) = std::string(value); }
    void bind_null(int index) override { slot(index).reset(); }
    int index_of(const char* name) override
    {
        const std::string_view n = name[0] == ':' ? name + 1 : name;
        for (std::size_t i = 0; i < sql_.names.size(); ++i)
            if (sql_.names[i] == n)
                return static_cast<int>(i) + 1;
        throw sql_error("no parameter :" + std::string(n) + " in the statement");
    }

private:
    std::optional<std::string>& slot(int index)
    {
        if (index < 1 || index > sql_.parameters)
            throw sql_error("parameter " + std::to_string(index) + " is out of range (the statement has " +
                            std::to_string(sql_.parameters) + ")");
        return params_[static_cast<std::size_t>(index - 1)];
    }
    const char* value(int index)
    {
        if (!res_.r || row_ < 0 || row_ >= PQntuples(res_.r))
            throw sql_error("no row to read");
        if (index < 0 || index >= PQnfields(res_.r))
            throw sql_error("column " + std::to_string(index) + " is out of range");
        return PQgetvalue(res_.r, row_, index);
    }
    void run()
    {
        PGconn* c = c_.raw();
        if (name_.empty()) {
            auto name = c_.next_statement_name();
            result_holder prepared(PQprepare(c, name.c_str(), sql_.sql.c_str(), 0, nullptr));
            check(c, prepared);
            name_ = std::move(name);
        }
        std::vector<const char*> values(params_.size());
        for (std::size_t i = 0; i < params_.size(); ++i)
            values[i] = params_[i] ? params_[i]->c_str() : nullptr;
        res_.reset(PQexecPrepared(c, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
        try {
            check(c, res_);
        } catch (...) {
            res_.reset();
            throw;
        }
    }

    pg_connection& c_;
    numbered_sql sql_;
    std::string name_;
    std::vector<std::optional<std::string>> params_;
    result_holder res_;
    int row_ = -1;
};

} // namespace

numbered_sql number_parameters(std::string_view sql)
{
    numbered_sql out;
    out.sql.reserve(sql.size() + 8);
    int next = 0;
    auto is_ident = [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    };
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char ch = sql[i];
        if (ch == '\'' || ch == '"') {
            const auto end = sql.find(ch, i + 1);
            const auto stop = end == std::string_view::npos ? sql.size() : end + 1;
            out.sql.append(sql.substr(i, stop - i));
            i = stop - 1;
            continue;
        }
        if (ch == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
            out.sql += "::";
            ++i;
            continue;
        }
        if (ch == '?') {
            std::size_t j = i + 1;
            while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9')
                ++j;
            // As SQLite numbers them: `?N` is N, a bare `?` one more than the largest so far.
            int n = next + 1;
            if (j > i + 1)
                std::from_chars(sql.data() + i + 1, sql.data() + j, n);
            next = std::max(next, n);
            out.parameters = std::max(out.parameters, n);
            out.sql += "$" + std::to_string(n);
            i = j - 1;
            continue;
        }
        if (ch == ':' && i + 1 < sql.size() && is_ident(sql[i + 1]) && !(i > 0 && is_ident(sql[i - 1]))) {
            std::size_t j = i + 1;
            while (j < sql.size() && is_ident(sql[j]))
                ++j;
            const std::string name(sql.substr(i + 1, j - i - 1));
            std::size_t k = 0;
            while (k < out.names.size() && out.names[k] != name)
                ++k;
            if (k == out.names.size())
                out.names.push_back(name);
            const int n = static_cast<int>(k) + 1;
            out.parameters = std::max(out.parameters, n);
            out.sql += "$" + std::to_string(n);
            i = j - 1;
            continue;
        }
        out.sql += ch;
    }
    return out;
}

std::string tagged_payload(std::string_view origin, std::string_view payload)
{
    if (origin.empty())
        return std::string(payload);
    std::string out;
    out.reserve(origin.size() + 1 + payload.size());
    out.append(origin).append(1, ':').append(payload);
    return out;
}

std::string new_notification_origin()
{
    std::random_device random;
    std::string out;
    for (int i = 0; i < 16; ++i)
        out += "0123456789abcdef"[random() & 0xfu];
    return out;
}

std::optional<std::string> notification_payload(std::string_view heard, std::string_view own_origin)
{
    // An origin is what new_notification_origin() makes: 16 hex digits.
    const bool tagged = heard.size() > 16 && heard[16] == ':' &&
                        heard.substr(0, 16).find_first_not_of("0123456789abcdef") == std::string_view::npos;
    if (!tagged)
        return std::string(heard);
    if (heard.substr(0, 16) == own_origin)
        return std::nullopt;
    return std::string(heard.substr(17));
}

std::string redacted_uri(std::string_view uri)
{
    auto u = boost::urls::parse_uri(uri);
    if (!u)
        return "(a PostgreSQL address that is not a valid URI)";
    boost::urls::url copy(*u);
    if (copy.has_password())
        copy.set_password("***");
    return std::string(copy.buffer());
}

pg_connection::pg_connection(const std::string& uri) : conn_(PQconnectdb(uri.c_str()))
{
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
        while (!why.empty() && why.back() == '\n')
            why.pop_back();
        PQfinish(conn_);
        conn_ = nullptr;
        throw sql_error("cannot connect to PostgreSQL at " + redacted_uri(uri) + ": " + why);
    }
    // Quiet: NOTICEs (an IF NOT EXISTS that found the table) are not errors and not worth a log line.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    exec_script("SET TIME ZONE 'UTC'; SET synchronous_commit = on");
    auto q = use("SELECT current_schema()");
    if (q->executeStep() && !q->null_at(0))
        schema_ = q->text_at(0);
}

std::string pg_connection::server_channel(std::string_view channel) const
{
    if (schema_.empty() || schema_ == "public")
        return std::string(channel);
    // At most 63 bytes, PostgreSQL's longest name: a longer one shares its channel with schemas of the same prefix,
    // which only wakes them for nothing.
    return (std::string(channel) + "_" + schema_).substr(0, 63);
}

pg_connection::~pg_connection()
{
    forget_statements();
    PQfinish(conn_);
}

std::string pg_connection::next_statement_name() { return "checkpoint_" + std::to_string(++named_); }

std::unique_ptr<statement> pg_connection::prepare(const std::string& sql)
{
    return std::make_unique<pg_statement>(*this, sql);
}

void pg_connection::exec_script(const std::string& sql)
{
    result_holder r(PQexec(conn_, sql.c_str()));
    if (r.r && PQresultStatus(r.r) == PGRES_EMPTY_QUERY)
        return;
    check(conn_, r);
}

// Every write transaction of every replica takes this lock first and holds it to its commit (a transaction
// advisory lock; any constant of our own, "ckpt-wrt" in ASCII). So writes on one database are serialized as
// SQLite's single writer serializes them: the audit chain stays one line (each append reads the head the last
// one left), a compare-and-set never waits on a row another replica's batch holds, and no two batches can
// deadlock. Each replica still batches its writers' work into one transaction and one commit.
void pg_connection::begin_write() { exec_script("BEGIN; SELECT pg_advisory_xact_lock(7722022632045474420)"); }

void pg_connection::commit()
{
    // A transaction a failed statement aborted would answer COMMIT with a silent ROLLBACK: never report it durable.
    // (The writer already rolls back to the savepoint of the write that failed; this is the last guard.)
    if (transaction_aborted())
        throw sql_error("a statement of the transaction failed, so PostgreSQL aborted it: nothing of it was written");
    // One round trip: each NOTIFY, then COMMIT, as one simple query inside the open transaction. A NOTIFY that
    // fails (a payload over 8000 bytes) fails the query before the COMMIT, and the writer rolls back.
    std::string sql;
    auto literal = [&](const std::string& text) {
        char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
        if (!quoted)
            throw sql_error(std::string("cannot quote a notification: ") + PQerrorMessage(conn_));
        sql.append(quoted);
        PQfreemem(quoted);
    };
    for (const auto& [channel, payload] : notifications_) {
        sql += "SELECT pg_notify(";
        literal(server_channel(channel));
        sql += ", ";
        literal(tagged_payload(origin_, payload));
        sql += "); ";
    }
    notifications_.clear();
    sql += "COMMIT";
    exec_script(sql);
}

void pg_connection::begin_read() { exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

bool pg_connection::transaction_aborted() { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

bool pg_connection::in_transaction()
{
    const auto s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

void pg_connection::ensure_open()
{
    if (PQstatus(conn_) == CONNECTION_OK)
        return;
    PQreset(conn_);
    forget_statements();
    named_ = 0;
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string why = PQerrorMessage(conn_);
        while (!why.empty() && why.back() == '\n')
            why.pop_back();
        throw sql_error("the connection to PostgreSQL was lost and cannot be opened again: " + why);
    }
    exec_script("SET TIME ZONE 'UTC'; SET synchronous_commit = on");
}

} // namespace checkpoint::storage
