#include "workflow/text.hpp"

#include <cctype>

namespace checkpoint::workflow {

std::string to_lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace checkpoint::workflow
