#pragma once

#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace checkpoint::storage {

struct table_copied {
    std::string table;
    std::uint64_t rows = 0;
};

// Copies every row of every table of `from` (an SQLite database, say) into `to` (an empty PostgreSQL database
// at the same schema version) in one transaction: petitions and their steps, reviewers and decisions, grants,
// jobs, cards, tokens, sessions, directory records and the audit chain as stored, hashes, keyed hashes, head,
// seal and anchors included, so `audit verify` on the copy checks the same chain. Ids keep their values and
// `to`'s identity sequences continue after them. Refused, with nothing written, when `to` holds any row or the
// two are at different schema versions. Nothing must be writing to either meanwhile (stop checkpointd).
workflow::result<std::vector<table_copied>> copy_database(database& from, database& to);

} // namespace checkpoint::storage
