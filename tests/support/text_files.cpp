#include "tests/support/text_files.hpp"

#include <fstream>
#include <sstream>

namespace checkpoint::test {

std::string read_text(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const std::filesystem::path& p, const std::string& text)
{
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

bool edit_text(const std::filesystem::path& p, const std::string& from, const std::string& to)
{
    auto text = read_text(p);
    const auto at = text.find(from);
    if (at == std::string::npos)
        return false;
    text.replace(at, from.size(), to);
    write_text(p, text);
    return true;
}

} // namespace checkpoint::test
