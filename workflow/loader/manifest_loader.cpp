#include "workflow/loader/manifest_loader.hpp"

#include "workflow/command.hpp"
#include "workflow/loader/readers.hpp"

#include <algorithm>
#include <set>
#include <system_error>

namespace checkpoint::loader {

namespace wf = checkpoint::workflow;
using namespace detail;

void throw_exception_from_error(const manifest_errors& e, const boost::source_location&)
{
    throw std::runtime_error(format(e));
}

std::string format(const manifest_error& e)
{
    std::string out = e.file;
    if (e.line > 0)
        out += ":" + std::to_string(e.line);
    out += ": ";
    if (!e.field.empty())
        out += e.field + ": ";
    out += e.message;
    return out;
}

std::string format(const manifest_errors& e)
{
    std::string out;
    for (const auto& one : e.errors)
        out += format(one) + "\n";
    return out;
}

namespace {

// Reads one file; a YAML syntax error is reported at its line and the file is skipped.
std::optional<YAML::Node> parse_file(const std::filesystem::path& path, const std::string& shown,
                                     std::vector<manifest_error>& errors)
{
    try {
        return YAML::LoadFile(path.string());
    } catch (const YAML::ParserException& e) {
        errors.push_back({shown, static_cast<std::size_t>(std::max(e.mark.line, 0)) + 1, "", "not valid YAML: " + e.msg});
    } catch (const YAML::Exception& e) {
        errors.push_back({shown, 0, "", "cannot be read: " + e.msg});
    }
    return std::nullopt;
}

// The YAML files of a folder, by name, so that errors come out in a stable order.
std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        auto ext = it->path().extension();
        if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml"))
            out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string kind_name(ref_kind k)
{
    switch (k) {
    case ref_kind::team: return "team";
    case ref_kind::person: return "person";
    case ref_kind::group: return "group";
    case ref_kind::oncall: return "on-call rotation";
    case ref_kind::integration: return "integration";
    case ref_kind::bundle: return "bundle";
    }
    return "name";
}

// "unknown team "api-tem" (did you mean api-team?); teams are: …"
std::string unknown(ref_kind k, const std::string& name, const std::vector<std::string>& known)
{
    std::string msg = "unknown " + kind_name(k) + " \"" + name + "\"";
    std::string best;
    std::size_t best_d = std::max<std::size_t>(3, name.size() / 3 + 1);
    for (const auto& c : known)
        if (auto d = wf::edit_distance(name, c); d < best_d) {
            best_d = d;
            best = c;
        }
    if (!best.empty())
        msg += " (did you mean \"" + best + "\"?)";
    if (k == ref_kind::person) {
        msg += "; people are matched by id, then external_id, then email";
    } else if (known.empty()) {
        msg += "; none are defined";
    } else if (known.size() <= 12) {
        msg += "; known: ";
        for (std::size_t i = 0; i < known.size(); ++i)
            msg += (i ? ", " : "") + known[i];
    }
    return msg;
}

void check_references(const std::vector<reference>& refs, const wf::manifests& m, std::vector<manifest_error>& errors)
{
    std::vector<std::string> teams, groups, oncall, integrations, bundles;
    std::set<std::string> team_set;
    for (const auto& p : m.directory.people())
        if (!p.team.empty())
            team_set.insert(p.team);
    teams.assign(team_set.begin(), team_set.end());
    for (const auto& g : m.directory.groups())
        groups.push_back(g.name);
    for (const auto& o : m.directory.oncall())
        oncall.push_back(o.name);
    for (const auto& i : m.settings.integrations)
        integrations.push_back(i.name);
    for (const auto& b : m.catalog.bundles())
        bundles.push_back(b.name);
    for (const auto& r : refs) {
        bool ok = false;
        const std::vector<std::string>* known = nullptr;
        switch (r.kind) {
        case ref_kind::team: ok = m.directory.has_team(r.name); known = &teams; break;
        case ref_kind::person: ok = m.directory.find(r.name) != wf::no_person; break;
        case ref_kind::group: ok = m.directory.has_group(r.name); known = &groups; break;
        case ref_kind::oncall: ok = m.directory.has_oncall(r.name); known = &oncall; break;
        case ref_kind::integration: ok = m.settings.find_integration(r.name) != nullptr; known = &integrations; break;
        case ref_kind::bundle: ok = m.catalog.find(r.name) != nullptr; known = &bundles; break;
        }
        if (!ok)
            errors.push_back({r.file, r.line, r.field, unknown(r.kind, r.name, known ? *known : std::vector<std::string>{})});
    }
}

template <class Key>
void check_unique(const std::vector<Key>& keys, const std::vector<where>& at, std::string_view what,
                  std::vector<manifest_error>& errors)
{
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].empty())
            continue;
        for (std::size_t j = 0; j < i; ++j)
            if (keys[j] == keys[i]) {
                errors.push_back({at[i].file, at[i].line, at[i].field,
                                  std::string(what) + " \"" + keys[i] + "\" is already used at " + at[j].file + ":" +
                                      std::to_string(at[j].line)});
                break;
            }
    }
}

void check_people(const directory_parts& d, std::vector<manifest_error>& errors)
{
    std::vector<std::string> ids, external, emails, slack;
    for (const auto& p : d.people) {
        ids.push_back(p.id);
        external.push_back(p.external_id);
        std::string e = p.email;
        std::transform(e.begin(), e.end(), e.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
        emails.push_back(e);
        slack.push_back(p.slack_id);
    }
    auto field = [&](std::string_view key) {
        std::vector<where> at = d.people_at;
        for (auto& w : at)
            w.field += "." + std::string(key);
        return at;
    };
    check_unique(ids, field("id"), "id", errors);
    check_unique(external, field("external_id"), "external_id", errors);
    check_unique(emails, field("email"), "email", errors);
    check_unique(slack, field("slack_id"), "slack_id", errors);
    std::vector<std::string> names;
    for (const auto& g : d.groups)
        names.push_back(g.name);
    check_unique(names, d.groups_at, "group name", errors);
    names.clear();
    for (const auto& o : d.oncall)
        names.push_back(o.name);
    check_unique(names, d.oncall_at, "on-call rotation", errors);
}

// Each management cycle is reported once, at its first member in file order.
void check_manager_cycles(const wf::directory& dir, const directory_parts& d, std::vector<manifest_error>& errors)
{
    enum : std::uint8_t { unseen, on_path, done };
    std::vector<std::uint8_t> state(dir.size(), unseen);
    for (wf::person_index start = 0; start < dir.size(); ++start) {
        std::vector<wf::person_index> path;
        auto cur = start;
        while (cur != wf::no_person && state[cur] == unseen) {
            state[cur] = on_path;
            path.push_back(cur);
            cur = dir.manager_of(cur);
        }
        if (cur != wf::no_person && state[cur] == on_path) {
            auto from = std::find(path.begin(), path.end(), cur);
            std::vector<wf::person_index> cycle(from, path.end());
            auto first = *std::min_element(cycle.begin(), cycle.end());
            std::string chain;
            auto rotated = std::find(cycle.begin(), cycle.end(), first);
            std::rotate(cycle.begin(), rotated, cycle.end());
            for (auto p : cycle)
                chain += dir.at(p).id + " -> ";
            chain += dir.at(first).id;
            const auto& w = d.manager_at[first];
            errors.push_back({w.file, w.line, w.field,
                              cycle.size() == 1 ? "a person cannot be their own manager"
                                                : "managers form a cycle: " + chain +
                                                      "; every chain of managers must end at someone with none"});
        }
        for (auto p : path)
            state[p] = done;
    }
}

std::string shown_path(const std::filesystem::path& p) { return p.lexically_normal().generic_string(); }

load_result load(const std::filesystem::path& dir)
{
    std::vector<manifest_error> errors;
    std::vector<reference> refs;
    wf::settings settings;
    directory_parts people;
    bundle_parts bundles;

    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return manifest_errors{{{shown_path(dir), 0, "", "is not a folder of manifests (checkpoint.yaml, bundles/, directory/)"}}};

    auto settings_path = dir / "checkpoint.yaml";
    auto shown = shown_path(settings_path);
    if (!std::filesystem::exists(settings_path, ec)) {
        errors.push_back({shown, 0, "", "is missing: the service settings (matrix, platform_team, channels, integrations)"});
    } else if (auto root = parse_file(settings_path, shown, errors)) {
        file_reader r(shown, errors, refs);
        read_settings(r, *root, settings);
    }
    for (const auto& path : yaml_files(dir / "directory")) {
        auto name = shown_path(path);
        if (auto root = parse_file(path, name, errors)) {
            file_reader r(name, errors, refs);
            read_directory(r, *root, people);
        }
    }
    for (const auto& path : yaml_files(dir / "bundles")) {
        auto name = shown_path(path);
        if (auto root = parse_file(path, name, errors)) {
            file_reader r(name, errors, refs);
            read_bundle(r, *root, bundles);
        }
    }

    check_people(people, errors);
    std::vector<std::string> names;
    for (const auto& b : bundles.bundles)
        names.push_back(b.name);
    check_unique(names, bundles.names_at, "bundle name", errors);

    wf::manifests m;
    m.directory = wf::directory(std::move(people.people), std::move(people.groups), std::move(people.oncall));
    m.catalog = wf::catalog(std::move(bundles.bundles));
    m.settings = std::move(settings);
    check_references(refs, m, errors);
    check_manager_cycles(m.directory, people, errors);
    if (!m.settings.platform_team.empty() && m.directory.team_members(m.settings.platform_team).empty() &&
        m.directory.has_team(m.settings.platform_team))
        errors.push_back({shown, 0, "platform_team", "has no members"});

    if (!errors.empty()) {
        std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
            return std::tie(a.file, a.line) < std::tie(b.file, b.line);
        });
        return manifest_errors{std::move(errors)};
    }
    return m;
}

} // namespace

std::vector<std::filesystem::path> manifest_files(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    if (std::filesystem::exists(dir / "checkpoint.yaml", ec))
        out.push_back(dir / "checkpoint.yaml");
    for (const auto* sub : {"directory", "bundles"})
        for (auto& f : yaml_files(dir / sub))
            out.push_back(std::move(f));
    return out;
}

load_result load_manifests(const std::filesystem::path& dir)
{
    // Nothing thrown below may cross into the service: report it as a problem with the manifests.
    try {
        return load(dir);
    } catch (const std::exception& e) {
        return manifest_errors{{{shown_path(dir), 0, "", std::string("cannot be loaded: ") + e.what()}}};
    }
}

} // namespace checkpoint::loader
