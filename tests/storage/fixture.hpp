#pragma once

#include "storage/database.hpp"
#include "storage/sqlite_connection.hpp"
#include "workflow/petition_json.hpp"
#include "workflow/petition.hpp"
#include "workflow/petition_store.hpp"
#include "workflow/route.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace checkpoint::storage::test {

// 2026-11-25 10:00 UTC plus `minutes`: a fixed "now" for every storage test.
workflow::time_point at(int minutes = 0);

// A one-step route: `reviewer` of `team` approves `requester`'s 4 hours of `target`.
workflow::route sample_route(std::string requester = "sam", std::string target = "prod-db",
                             std::string reviewer = "mary",
                             workflow::route_outcome outcome = workflow::route_outcome::needs_approval);

// workflow::file() of a sample route, as the bot would store it: with its audit event and jobs.
workflow::petition_write filing(const std::string& id, workflow::time_point now, std::string requester = "sam",
                                std::string target = "prod-db",
                                workflow::route_outcome outcome = workflow::route_outcome::needs_approval);

// workflow::apply() of `e` to `p`, planned into a write; fails the test on a domain error.
workflow::petition_write transition(const workflow::petition& p, const workflow::event& e);

// Opens a fresh database at `path`, failing the test if it cannot.
std::unique_ptr<database> open_db(const std::string& path, database_options options = {});

// A single number, or text, from the read connection.
long long scalar(database& db, const std::string& sql);
std::string text(database& db, const std::string& sql);

// What an attacker with write access to the database does first: the append-only triggers of the audit log and
// its anchors go.
void drop_audit_triggers(connection& c);

// The SQLite handle behind a connection, for the tests of what only SQLite has (PRAGMAs, query plans).
SQLite::Database& sqlite_of(connection& c);

} // namespace checkpoint::storage::test

// What Catch prints for a result in a failed check: the error's code and words, or that it held a value.
namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, checkpoint::workflow::error>> {
    static std::string convert(const boost::system::result<T, checkpoint::workflow::error>& r)
    {
        return r ? std::string("a value") : "error " + r.error().code + ": " + r.error().message;
    }
};
} // namespace Catch
