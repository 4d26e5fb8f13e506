#include "tests/support/example_manifests.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace checkpoint::test {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

// "2026-11-20" or "2026-11-02T09:00:00Z" moved by `shift`, written back in the same form.
std::string shifted(const std::string& text, days shift, const fs::path& file)
{
    int y = 0;
    unsigned m = 0, d = 0, hh = 0, mm = 0, ss = 0;
    const bool date_only = text.size() == 10;
    const int read = date_only ? std::sscanf(text.c_str(), "%4d-%2u-%2u", &y, &m, &d)
                               : std::sscanf(text.c_str(), "%4d-%2u-%2uT%2u:%2u:%2uZ", &y, &m, &d, &hh, &mm, &ss);
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (read != (date_only ? 3 : 6) || !ymd.ok())
        throw std::runtime_error(file.string() + ": \"" + text + "\" is not a date this helper can move");
    const year_month_day moved{sys_days{ymd} + shift};
    char out[32];
    if (date_only)
        std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(moved.year()),
                      static_cast<unsigned>(moved.month()), static_cast<unsigned>(moved.day()));
    else
        std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02u:%02u:%02uZ", static_cast<int>(moved.year()),
                      static_cast<unsigned>(moved.month()), static_cast<unsigned>(moved.day()), hh, mm, ss);
    return out;
}

void shift_key(YAML::Node map, const char* key, days shift, const fs::path& file)
{
    if (map[key])
        map[key] = shifted(map[key].as<std::string>(), shift, file);
}

void write_yaml(const fs::path& file, const YAML::Node& doc)
{
    YAML::Emitter out;
    out << doc;
    std::ofstream(file, std::ios::trunc) << "# Written by a test from the example manifests, dates moved to its clock.\n"
                                         << out.c_str() << "\n";
}

} // namespace

fs::path write_example_manifests(const fs::path& dir, system_clock::time_point now)
{
    const fs::path src = fs::path(CHECKPOINT_SOURCE_DIR) / "manifests";
    const days shift = floor<days>(now) - example_day;
    fs::create_directories(dir / "directory");
    fs::copy_file(src / "checkpoint.yaml", dir / "checkpoint.yaml", fs::copy_options::overwrite_existing);
    fs::copy(src / "bundles", dir / "bundles", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    for (const auto& entry : fs::directory_iterator(src / "directory")) {
        const auto& file = entry.path();
        YAML::Node doc = YAML::LoadFile(file.string());
        if (auto people = doc["people"])
            for (auto person : people)
                if (auto away = person["out_of_office"]; away && away.IsMap()) {
                    shift_key(away, "from", shift, file);
                    shift_key(away, "until", shift, file);
                }
        if (auto rotations = doc["oncall"])
            for (auto rotation : rotations)
                shift_key(rotation, "starts", shift, file);
        write_yaml(dir / "directory" / file.filename(), doc);
    }
    return dir;
}

} // namespace checkpoint::test
