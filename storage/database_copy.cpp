#include "storage/database_copy.hpp"

#include <array>
#include <set>
#include <string_view>

namespace checkpoint::storage {

namespace {

// Every table of the schema, parents before the tables whose foreign keys name them. A table a later migration
// adds must be listed here: copy_database refuses a source with a table it does not know rather than leave it out.
constexpr std::array tables{
    "slack_events",     "petitions",      "petition_steps",   "step_reviewers",   "decisions",
    "grants",           "card_messages",  "resources",        "slack_users",      "jobs",
    "audit_log",        "audit_head",     "audit_seal",       "audit_anchors",    "api_tokens",
    "out_of_office",    "rotations",      "directory_people", "directory_groups", "directory_follow",
    "web_sessions",
};

std::set<std::string> tables_in(connection& c)
{
    std::set<std::string> out;
    auto q = c.use(c.backend() == backend::sqlite
                       ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                       : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                         "AND table_type = 'BASE TABLE' AND table_name <> 'checkpoint_schema'");
    while (q->executeStep())
        out.insert(q->getColumn(0).getString());
    return out;
}

std::int64_t rows_in(connection& c, std::string_view table)
{
    auto q = c.use("SELECT count(*) FROM " + std::string(table));
    q->executeStep();
    return q->getColumn(0).getInt64();
}

// The identity columns of `table` on PostgreSQL: their sequences continue after the copied ids.
void continue_identities(connection& to, std::string_view table)
{
    std::vector<std::string> columns;
    {
        auto q = to.use("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                        "AND table_name = ? AND is_identity = 'YES'");
        q->bind(1, table);
        while (q->executeStep())
            columns.push_back(q->getColumn(0).getString());
    }
    for (const auto& column : columns) {
        // setval(…, max, true): the next id is max + 1; an empty table starts at 1 (is_called false).
        auto q = to.use("SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max(" + column + ") FROM " +
                        std::string(table) + "), 1), (SELECT count(*) > 0 FROM " + std::string(table) + "))");
        q->bind(1, table);
        q->bind(2, column);
        q->executeStep();
    }
}

} // namespace

workflow::result<std::vector<table_copied>> copy_database(database& from, database& to)
{
    if (to.backend() != backend::postgresql)
        return workflow::error{"not_supported", "the copy goes to a PostgreSQL database (a postgresql:// address); "
                                                "to copy an SQLite file, use `checkpoint db backup`"};
    if (from.schema_version() != to.schema_version())
        return workflow::error{"conflict", "the source is at schema version " + std::to_string(from.schema_version()) +
                                               " and the destination at " + std::to_string(to.schema_version()) +
                                               "; both are opened by this checkpoint, so this should not happen"};
    auto from_guard = from.lock();
    auto to_guard = to.lock();
    auto& src = from.connection();
    auto& dst = to.connection();
    try {
        const std::set<std::string> known(tables.begin(), tables.end());
        for (const auto& t : tables_in(src))
            if (!known.contains(t))
                return workflow::error{"not_supported", "the source has a table, " + t +
                                                            ", that this checkpoint's copy does not know; use the "
                                                            "checkpoint that wrote it"};
        for (const char* t : tables)
            if (rows_in(dst, t) > 0)
                return workflow::error{"exists", "the destination already holds data (table " + std::string(t) +
                                                     " has rows); copy into an empty database"};
        std::vector<table_copied> out;
        src.begin_read();
        dst.begin_write();
        try {
            for (const char* t : tables) {
                table_copied done{t, 0};
                auto read = src.use("SELECT * FROM " + std::string(t));
                std::string insert;
                int columns = 0;
                while (read->executeStep()) {
                    if (insert.empty()) {
                        columns = read->column_count();
                        std::string names, marks;
                        for (int i = 0; i < columns; ++i) {
                            names += (i ? ", " : "") + read->column_name(i);
                            marks += i ? ", ?" : "?";
                        }
                        insert = "INSERT INTO " + std::string(t) + " (" + names + ") VALUES (" + marks + ")";
                    }
                    auto write = dst.use(insert);
                    for (int i = 0; i < columns; ++i) {
                        if (read->null_at(i))
                            write->bind(i + 1);
                        else
                            write->bind(i + 1, read->text_at(i));
                    }
                    write->exec();
                    ++done.rows;
                }
                continue_identities(dst, t);
                out.push_back(std::move(done));
            }
            dst.exec("COMMIT");
            src.exec("COMMIT");
        } catch (...) {
            if (dst.in_transaction())
                dst.exec("ROLLBACK");
            if (src.in_transaction())
                src.exec("ROLLBACK");
            throw;
        }
        return out;
    } catch (const std::exception& e) {
        return workflow::error{"storage_failed", std::string("the copy failed and wrote nothing: ") + e.what()};
    }
}

} // namespace checkpoint::storage
