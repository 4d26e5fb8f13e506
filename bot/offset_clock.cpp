#include "bot/offset_clock.hpp"

#include <fstream>

namespace checkpoint::bot {

offset_clock::offset_clock(std::string path) : path_(std::move(path)) { reload(); }

workflow::time_point offset_clock::now() const
{
    return std::chrono::system_clock::now() + std::chrono::seconds{offset_seconds_.load()};
}

bool offset_clock::reload()
{
    std::ifstream in(path_);
    long long s = 0;
    if (!(in >> s))
        return false;
    offset_seconds_ = s;
    return true;
}

} // namespace checkpoint::bot
