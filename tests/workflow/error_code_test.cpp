#include "workflow/error_code.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace checkpoint;

TEST_CASE("every error code has one name that reads back")
{
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < workflow::error_code_count; ++i) {
        const auto c = static_cast<workflow::error_code>(i);
        const auto n = workflow::name(c);
        INFO(i << " " << n);
        CHECK_FALSE(n.empty());
        CHECK(seen.insert(n).second);
        CHECK(workflow::parse_error_code(n) == c);
    }
    CHECK_FALSE(workflow::parse_error_code("no_such_code"));
    CHECK_FALSE(workflow::parse_error_code(""));
}

// The enum is the whole list: every code the service's source gives is one of its names, so the
// mappings to people's words (blocks) and to API codes (bot/api) cover whatever can happen.
TEST_CASE("every error code the service's source gives is in the enum")
{
    const std::regex given(R"re((?:error\{|error_reply\(\{|storage_failed\(|constexpr std::string_view \w+ = )"([a-z_]+)")re");
    std::set<std::string> codes;
    std::size_t files = 0;
    for (const char* dir : {"workflow", "app", "storage", "bot", "blocks", "admin"}) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(CHECKPOINT_SOURCE_DIR) + "/" + dir)) {
            const auto ext = entry.path().extension();
            if (ext != ".cpp" && ext != ".hpp")
                continue;
            ++files;
            std::ifstream in(entry.path());
            std::stringstream text;
            text << in.rdbuf();
            const auto s = text.str();
            // Only error codes: the constants of route_error and petition_error, and error constructions.
            for (std::sregex_iterator it(s.begin(), s.end(), given), end; it != end; ++it) {
                const auto whole = (*it)[0].str();
                if (whole.starts_with("constexpr") &&
                    s.rfind("namespace route_error", it->position()) == std::string::npos &&
                    s.rfind("namespace petition_error", it->position()) == std::string::npos)
                    continue;
                codes.insert((*it)[1].str());
            }
        }
    }
    CHECK(files > 100);
    CHECK(codes.size() > 30);
    for (const auto& c : codes) {
        INFO(c);
        CHECK(workflow::parse_error_code(c));
    }
}
