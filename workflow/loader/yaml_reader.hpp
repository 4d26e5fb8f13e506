#pragma once

#include "workflow/loader/manifest_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::loader::detail {

// What a name in a manifest must refer to; checked once everything is read.
enum class ref_kind { team, person, group, oncall, integration, bundle };

struct reference {
    std::string file;
    std::size_t line = 0;
    std::string field;
    ref_kind kind = ref_kind::team;
    std::string name;
};

// "durations" + "max" -> "durations.max"; "" + "name" -> "name".
std::string join_field(std::string_view prefix, std::string_view key);
std::string index_field(std::string_view prefix, std::size_t i);

// Reads one YAML file into domain values, recording every problem instead of stopping at the first.
class file_reader {
public:
    file_reader(std::string file, std::vector<manifest_error>& errors, std::vector<reference>& refs)
        : file_(std::move(file)), errors_(errors), refs_(refs)
    {
    }

    const std::string& file() const noexcept { return file_; }
    static std::size_t line(const YAML::Node& n);

    void error(const YAML::Node& at, std::string field, std::string message);
    void error_at(std::size_t line, std::string field, std::string message);
    void refer(const YAML::Node& at, std::string field, ref_kind kind, std::string name);

    bool expect_map(const YAML::Node& n, std::string_view field);
    bool expect_list(const YAML::Node& n, std::string_view field);
    // Unknown keys are errors: a typo must not silently weaken a policy.
    void check_keys(const YAML::Node& map, std::string_view prefix, std::initializer_list<std::string_view> allowed);

    std::optional<std::string> text(const YAML::Node& map, std::string_view key, std::string_view prefix,
                                    bool required);
    std::optional<workflow::duration> duration(const YAML::Node& map, std::string_view key, std::string_view prefix,
                                               bool required);
    std::optional<bool> boolean(const YAML::Node& map, std::string_view key, std::string_view prefix);
    std::optional<std::size_t> count(const YAML::Node& map, std::string_view key, std::string_view prefix);
    std::vector<std::string> texts(const YAML::Node& map, std::string_view key, std::string_view prefix);
    // `[a-z0-9-]+`, for names people type.
    bool check_slug(const YAML::Node& at, std::string_view field, std::string_view value);

    std::vector<workflow::reviewer_spec> reviewers(const YAML::Node& list, std::string_view field);
    workflow::duration_policy durations(const YAML::Node& map, std::string_view prefix);
    workflow::approval_policy approval(const YAML::Node& map, std::string_view prefix);

private:
    std::string file_;
    std::vector<manifest_error>& errors_;
    std::vector<reference>& refs_;
};

// Calendar dates and times as the directory writes them: `2026-11-20`, `2026-11-02T09:00:00Z`.
// With `end_of_day`, a bare date means the moment that day ends.
std::optional<workflow::time_point> parse_time(std::string_view s, bool end_of_day);

} // namespace checkpoint::loader::detail
