#include "tests/support/test_database.hpp"

#include "storage/pg_connection.hpp"

#include <cstdlib>
#include <map>
#include <mutex>
#include <random>

namespace checkpoint::test {

namespace {

const char* server() { return std::getenv("CHECKPOINT_TEST_PG"); }

std::string fresh_schema()
{
    static std::mt19937_64 random{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string name = "t_";
    for (int i = 0; i < 16; ++i)
        name += hex[random() % 16];
    return name;
}

} // namespace

bool on_postgresql()
{
    const char* s = server();
    return s && *s;
}

std::string database_for(const std::string& path)
{
    if (!on_postgresql())
        return path;
    static std::mutex mutex;
    static std::map<std::string, std::string> schemas;
    std::lock_guard lock(mutex);
    auto it = schemas.find(path);
    if (it == schemas.end()) {
        const std::string base = server();
        const auto schema = fresh_schema();
        storage::pg_connection admin(base);
        admin.exec_script("CREATE SCHEMA " + schema);
        // Every connection of the test's database looks in its schema only.
        const auto uri = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
        it = schemas.emplace(path, uri).first;
    }
    return it->second;
}

} // namespace checkpoint::test
