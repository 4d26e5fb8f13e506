#pragma once

#include <string>
#include <string_view>

namespace checkpoint::workflow {

// ASCII lower case, for names, emails and search terms compared without case.
std::string to_lower(std::string_view s);

} // namespace checkpoint::workflow
