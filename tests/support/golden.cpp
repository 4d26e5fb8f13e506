#include "tests/support/golden.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace checkpoint::test {

namespace {

void write_pretty(std::ostream& os, const boost::json::value& v, int indent)
{
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    switch (v.kind()) {
    case boost::json::kind::object: {
        const auto& o = v.get_object();
        if (o.empty()) {
            os << "{}";
            return;
        }
        os << "{\n";
        std::size_t i = 0;
        for (const auto& kv : o) {
            os << pad << "  " << boost::json::serialize(boost::json::string(kv.key())) << ": ";
            write_pretty(os, kv.value(), indent + 1);
            os << (++i == o.size() ? "\n" : ",\n");
        }
        os << pad << "}";
        return;
    }
    case boost::json::kind::array: {
        const auto& a = v.get_array();
        if (a.empty()) {
            os << "[]";
            return;
        }
        os << "[\n";
        for (std::size_t i = 0; i < a.size(); ++i) {
            os << pad << "  ";
            write_pretty(os, a[i], indent + 1);
            os << (i + 1 == a.size() ? "\n" : ",\n");
        }
        os << pad << "]";
        return;
    }
    default:
        os << boost::json::serialize(v);
    }
}

} // namespace

std::string pretty(const boost::json::value& v)
{
    std::ostringstream os;
    write_pretty(os, v, 0);
    os << "\n";
    return os.str();
}

std::string compare_golden(const std::string& name, const boost::json::value& actual)
{
    const std::string path = std::string(CHECKPOINT_SOURCE_DIR) + "/tests/golden/" + name + ".json";
    const std::string text = pretty(actual);
    if (const char* update = std::getenv("CHECKPOINT_UPDATE_GOLDEN"); update && std::string(update) == "1") {
        std::ofstream(path) << text;
        return {};
    }
    std::ifstream in(path);
    if (!in)
        return "golden file " + path + " is missing; run with CHECKPOINT_UPDATE_GOLDEN=1 to create it";
    std::stringstream expected;
    expected << in.rdbuf();
    boost::system::error_code ec;
    auto want = boost::json::parse(expected.str(), ec);
    if (ec)
        return "golden file " + path + " is not JSON: " + ec.message();
    if (want == actual)
        return {};
    return "rendered JSON differs from " + path + "\n--- expected\n" + pretty(want) + "--- actual\n" + text;
}

} // namespace checkpoint::test
