#pragma once

#include <string>

namespace checkpoint::test {

// The database a test opens where it would open the SQLite file `path`: that file, or, in the PostgreSQL
// conformance run (CHECKPOINT_TEST_PG names the test server, see tests/CMakeLists.txt), a schema of its own on
// that server, the same one each time the same path is asked for.
std::string database_for(const std::string& path);

// Whether this run stores in PostgreSQL.
bool on_postgresql();

} // namespace checkpoint::test
