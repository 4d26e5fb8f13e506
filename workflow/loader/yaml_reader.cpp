#include "workflow/loader/yaml_reader.hpp"

#include "workflow/command.hpp"

#include <algorithm>
#include <charconv>

namespace checkpoint::loader::detail {

namespace wf = checkpoint::workflow;

std::string join_field(std::string_view prefix, std::string_view key)
{
    if (prefix.empty())
        return std::string(key);
    return std::string(prefix) + "." + std::string(key);
}

std::string index_field(std::string_view prefix, std::size_t i)
{
    return std::string(prefix) + "[" + std::to_string(i) + "]";
}

std::size_t file_reader::line(const YAML::Node& n)
{
    // A missing key has no position (and Mark() would throw); the caller passes its parent instead.
    if (!n.IsDefined())
        return 0;
    auto m = n.Mark();
    return m.line < 0 ? 0 : static_cast<std::size_t>(m.line) + 1;
}

void file_reader::error(const YAML::Node& at, std::string field, std::string message)
{
    error_at(line(at), std::move(field), std::move(message));
}

void file_reader::error_at(std::size_t at, std::string field, std::string message)
{
    errors_.push_back(manifest_error{file_, at, std::move(field), std::move(message)});
}

void file_reader::refer(const YAML::Node& at, std::string field, ref_kind kind, std::string name)
{
    refs_.push_back(reference{file_, line(at), std::move(field), kind, std::move(name)});
}

bool file_reader::expect_map(const YAML::Node& n, std::string_view field)
{
    if (n.IsMap())
        return true;
    error(n, std::string(field), "must be a mapping of keys to values");
    return false;
}

bool file_reader::expect_list(const YAML::Node& n, std::string_view field)
{
    if (n.IsSequence())
        return true;
    error(n, std::string(field), "must be a list");
    return false;
}

void file_reader::check_keys(const YAML::Node& map, std::string_view prefix,
                             std::initializer_list<std::string_view> allowed)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        const auto key = it->first.Scalar();
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
            continue;
        std::string msg = "unknown key \"" + key + "\"";
        std::string_view best;
        std::size_t best_d = 3;
        for (auto a : allowed)
            if (auto d = wf::edit_distance(key, a); d < best_d) {
                best_d = d;
                best = a;
            }
        if (!best.empty())
            msg += " (did you mean \"" + std::string(best) + "\"?)";
        msg += "; allowed here:";
        bool first = true;
        for (auto a : allowed) {
            msg += first ? " " : ", ";
            msg += a;
            first = false;
        }
        error(it->first, join_field(prefix, key), std::move(msg));
    }
}

std::optional<std::string> file_reader::text(const YAML::Node& map, std::string_view key, std::string_view prefix,
                                             bool required)
{
    const YAML::Node n = map[std::string(key)];
    auto field = join_field(prefix, key);
    if (!n || n.IsNull()) {
        if (required)
            error(map, field, "is required");
        return std::nullopt;
    }
    if (!n.IsScalar()) {
        error(n, field, "must be a single value");
        return std::nullopt;
    }
    if (n.Scalar().empty()) {
        error(n, field, "must not be empty");
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<wf::duration> file_reader::duration(const YAML::Node& map, std::string_view key,
                                                  std::string_view prefix, bool required)
{
    const YAML::Node n = map[std::string(key)];
    auto field = join_field(prefix, key);
    if (!n || n.IsNull()) {
        if (required)
            error(map, field, "is required; use forms like " + std::string(wf::duration_forms));
        return std::nullopt;
    }
    if (!n.IsScalar()) {
        error(n, field, "must be a duration like " + std::string(wf::duration_forms));
        return std::nullopt;
    }
    auto d = wf::parse_duration(n.Scalar());
    if (!d) {
        error(n, field, d.error().message);
        return std::nullopt;
    }
    return *d;
}

std::optional<bool> file_reader::boolean(const YAML::Node& map, std::string_view key, std::string_view prefix)
{
    const YAML::Node n = map[std::string(key)];
    if (!n || n.IsNull())
        return std::nullopt;
    bool b = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b)) {
        error(n, join_field(prefix, key), "must be true or false");
        return std::nullopt;
    }
    return b;
}

std::optional<std::size_t> file_reader::count(const YAML::Node& map, std::string_view key, std::string_view prefix)
{
    const YAML::Node n = map[std::string(key)];
    if (!n || n.IsNull())
        return std::nullopt;
    const auto& s = n.Scalar();
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n.IsScalar() || s.empty() || ec != std::errc{} || end != s.data() + s.size() || v == 0 || v > 100) {
        error(n, join_field(prefix, key), "must be a whole number from 1 to 100");
        return std::nullopt;
    }
    return v;
}

std::vector<std::string> file_reader::texts(const YAML::Node& map, std::string_view key, std::string_view prefix)
{
    const YAML::Node n = map[std::string(key)];
    std::vector<std::string> out;
    if (!n || n.IsNull())
        return out;
    auto field = join_field(prefix, key);
    if (!expect_list(n, field))
        return out;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const YAML::Node item = n[i];
        if (!item.IsScalar() || item.Scalar().empty())
            error(item, index_field(field, i), "must be a single non-empty value");
        else
            out.push_back(item.Scalar());
    }
    return out;
}

bool file_reader::check_slug(const YAML::Node& at, std::string_view field, std::string_view value)
{
    bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!ok)
        error(at, std::string(field),
              "\"" + std::string(value) + "\" may use only lowercase letters, digits and '-'");
    return ok;
}

std::vector<wf::reviewer_spec> file_reader::reviewers(const YAML::Node& list, std::string_view field)
{
    std::vector<wf::reviewer_spec> out;
    if (!expect_list(list, field))
        return out;
    const std::initializer_list<std::string_view> kinds{"person", "email", "group", "team", "oncall"};
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        auto f = index_field(field, i);
        if (!item.IsMap() || item.size() != 1) {
            error(item, f,
                  "each reviewer is one of {person: <id>}, {email: <address>}, {group: <name>}, {team: <name>}, "
                  "{oncall: <rotation>}");
            continue;
        }
        check_keys(item, f, kinds);
        auto it = item.begin();
        const auto key = it->first.Scalar();
        const YAML::Node value = it->second;
        if (!value.IsScalar() || value.Scalar().empty()) {
            if (std::find(kinds.begin(), kinds.end(), key) != kinds.end())
                error(value, join_field(f, key), "must be a single non-empty value");
            continue;
        }
        wf::reviewer_spec spec;
        spec.name = value.Scalar();
        if (key == "person") {
            spec.kind = wf::reviewer_kind::person;
            refer(value, join_field(f, key), ref_kind::person, spec.name);
        } else if (key == "email") {
            spec.kind = wf::reviewer_kind::email;
            refer(value, join_field(f, key), ref_kind::person, spec.name);
        } else if (key == "group") {
            spec.kind = wf::reviewer_kind::group;
            refer(value, join_field(f, key), ref_kind::group, spec.name);
        } else if (key == "team") {
            spec.kind = wf::reviewer_kind::team;
            refer(value, join_field(f, key), ref_kind::team, spec.name);
        } else if (key == "oncall") {
            spec.kind = wf::reviewer_kind::oncall;
            refer(value, join_field(f, key), ref_kind::oncall, spec.name);
        } else {
            continue;
        }
        out.push_back(std::move(spec));
    }
    return out;
}

wf::duration_policy file_reader::durations(const YAML::Node& map, std::string_view prefix)
{
    wf::duration_policy out;
    if (!expect_map(map, prefix))
        return out;
    check_keys(map, prefix, {"default", "max", "choices"});
    auto initial = duration(map, "default", prefix, true);
    auto max = duration(map, "max", prefix, true);
    if (initial)
        out.initial = *initial;
    if (max)
        out.max = *max;
    if (initial && max && *initial > *max)
        error(map["default"], join_field(prefix, "default"),
              wf::format_duration(*initial) + " is longer than the max, " + wf::format_duration(*max) +
                  "; the default must be at most the max");
    const YAML::Node choices = map["choices"];
    if (choices && !choices.IsNull() && expect_list(choices, join_field(prefix, "choices"))) {
        for (std::size_t i = 0; i < choices.size(); ++i) {
            const YAML::Node c = choices[i];
            auto f = index_field(join_field(prefix, "choices"), i);
            auto d = c.IsScalar() ? wf::parse_duration(c.Scalar())
                                  : wf::result<wf::duration>(wf::error{"bad_duration", "must be a duration like " +
                                                                                           std::string(wf::duration_forms)});
            if (!d) {
                error(c, f, d.error().message);
                continue;
            }
            if (max && *d > *max) {
                error(c, f,
                      wf::format_duration(*d) + " is longer than the max, " + wf::format_duration(*max) +
                          "; every choice must be at most the max");
                continue;
            }
            if (std::find(out.choices.begin(), out.choices.end(), *d) != out.choices.end()) {
                error(c, f, wf::format_duration(*d) + " is listed twice");
                continue;
            }
            out.choices.push_back(*d);
        }
        std::sort(out.choices.begin(), out.choices.end());
    }
    return out;
}

wf::approval_policy file_reader::approval(const YAML::Node& map, std::string_view prefix)
{
    wf::approval_policy out;
    if (!expect_map(map, prefix))
        return out;
    check_keys(map, prefix, {"max_auto_approve", "require_owner_approval", "require_manager", "steps", "break_glass"});
    out.max_auto_approve = duration(map, "max_auto_approve", prefix, false);
    out.require_owner_approval = boolean(map, "require_owner_approval", prefix).value_or(false);
    out.require_manager = boolean(map, "require_manager", prefix).value_or(false);
    out.break_glass = boolean(map, "break_glass", prefix).value_or(false);
    const YAML::Node steps = map["steps"];
    auto steps_field = join_field(prefix, "steps");
    if (!steps || steps.IsNull() || !expect_list(steps, steps_field))
        return out;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const YAML::Node s = steps[i];
        auto f = index_field(steps_field, i);
        if (!expect_map(s, f))
            continue;
        check_keys(s, f, {"name", "reviewers", "min_approvals", "assign"});
        wf::step_spec step;
        step.name = text(s, "name", f, true).value_or("");
        if (!step.name.empty()) {
            check_slug(s["name"], join_field(f, "name"), step.name);
            for (const auto& other : out.steps)
                if (other.name == step.name)
                    error(s["name"], join_field(f, "name"), "another step is already named \"" + step.name + "\"");
        }
        const YAML::Node rv = s["reviewers"];
        if (!rv || rv.IsNull())
            error(s, join_field(f, "reviewers"), "is required: who approves this step");
        else
            step.reviewers = reviewers(rv, join_field(f, "reviewers"));
        if (rv && rv.IsSequence() && rv.size() == 0)
            error(rv, join_field(f, "reviewers"), "must name at least one reviewer");
        step.min_approvals = count(s, "min_approvals", f).value_or(1);
        // Only people count one each; a group or team may hold any number.
        bool all_people = !step.reviewers.empty() &&
                          std::all_of(step.reviewers.begin(), step.reviewers.end(), [](const auto& r) {
                              return r.kind == wf::reviewer_kind::person || r.kind == wf::reviewer_kind::email ||
                                     r.kind == wf::reviewer_kind::oncall;
                          });
        if (all_people && step.min_approvals > step.reviewers.size())
            error(s["min_approvals"], join_field(f, "min_approvals"),
                  std::to_string(step.min_approvals) + " approvals needed but only " +
                      std::to_string(step.reviewers.size()) + " reviewers named");
        if (auto a = text(s, "assign", f, false)) {
            if (*a == "broadcast")
                step.assign = wf::assign_mode::broadcast;
            else if (*a == "round_robin")
                step.assign = wf::assign_mode::round_robin;
            else
                error(s["assign"], join_field(f, "assign"), "\"" + *a + "\" is not allowed; use broadcast or round_robin");
        }
        out.steps.push_back(std::move(step));
    }
    return out;
}

namespace {

bool digits(std::string_view s, std::size_t from, std::size_t n, int& out)
{
    out = 0;
    if (from + n > s.size())
        return false;
    for (std::size_t i = from; i < from + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

} // namespace

std::optional<wf::time_point> parse_time(std::string_view s, bool end_of_day)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || y < wf::first_year || y > wf::last_year)
        return std::nullopt;
    wf::time_point day{std::chrono::sys_days{ymd}};
    if (s.size() == 10)
        return end_of_day ? day + std::chrono::days{1} : day;
    if (s.size() != 20 || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se) || s[19] != 'Z' || h > 23 || mi > 59 ||
        se > 59)
        return std::nullopt;
    return day + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{se};
}

} // namespace checkpoint::loader::detail
