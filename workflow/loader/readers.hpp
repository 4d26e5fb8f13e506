#pragma once

#include "workflow/loader/yaml_reader.hpp"

namespace checkpoint::loader::detail {

struct where {
    std::string file;
    std::size_t line = 0;
    std::string field;
};

struct directory_parts {
    std::vector<workflow::person> people;
    std::vector<where> people_at;
    std::vector<where> manager_at;
    std::vector<workflow::group> groups;
    std::vector<where> groups_at;
    std::vector<workflow::oncall_rotation> oncall;
    std::vector<where> oncall_at;
};

struct bundle_parts {
    std::vector<workflow::bundle> bundles;
    std::vector<where> names_at;
};

void read_settings(file_reader& r, const YAML::Node& root, workflow::settings& out);
void read_directory(file_reader& r, const YAML::Node& root, directory_parts& out);
void read_bundle(file_reader& r, const YAML::Node& root, bundle_parts& out);

} // namespace checkpoint::loader::detail
