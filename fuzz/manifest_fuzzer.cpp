// Manifest YAML: the input as one manifest file. It is read directly as service settings, a directory
// file and a bundle (the readers load_manifests runs per file), then, when it is YAML, loaded as a whole
// folder beside the example manifests (manifests/): as checkpoint.yaml when it looks like settings, else
// as a directory file and a bundle, so the cross-file checks (references, duplicates, manager cycles)
// run on it too.

#include "fuzz_support.hpp"
#include "workflow/loader/manifest_loader.hpp"
#include "workflow/loader/readers.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using namespace checkpoint;
namespace fs = std::filesystem;
namespace ld = checkpoint::loader;

// Two copies of manifests/ in a folder of this process's own: one takes the input as a bundle and a
// directory file, the other as checkpoint.yaml. Removed when the process exits.
struct folders {
    fs::path root;
    fs::path beside;
    fs::path settings;

    folders()
    {
        root = fs::temp_directory_path() / ("checkpoint-manifest-fuzz-" + std::to_string(::getpid()));
        fs::remove_all(root);
        beside = root / "beside";
        settings = root / "settings";
        fs::create_directories(root);
        for (const auto& to : {beside, settings})
            fs::copy(CHECKPOINT_MANIFESTS_DIR, to, fs::copy_options::recursive);
        // The Slack app manifests are not ours to load, and three bundles are enough company: every file is
        // parsed again on every run.
        for (const auto& to : {beside, settings}) {
            fs::remove(to / "slack-app.yaml");
            fs::remove(to / "slack-app-socket-mode.yaml");
            for (const auto& b : fs::directory_iterator(to / "bundles"))
                if (const auto n = b.path().filename().string();
                    n != "api-production.yaml" && n != "api-staging.yaml" && n != "kubernetes-prod-debug.yaml")
                    fs::remove(b.path());
        }
    }
    ~folders()
    {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

folders& dirs()
{
    static folders f;
    return f;
}

void write(const fs::path& p, std::string_view text)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

void check_errors(const ld::load_result& r)
{
    if (r)
        return;
    fuzz::check(!r.error().errors.empty(), "a refused load lists its problems");
    for (const auto& e : r.error().errors)
        fuzz::check(!e.message.empty() && !ld::format(e).empty(), "every problem says what is wrong");
}

enum class shape { not_yaml, settings, other };

// The per-file readers on the parsed input, each with its own error list, as load() calls them.
shape read_directly(std::string_view text)
{
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception&) {
        return shape::not_yaml;
    }
    bool settings_like = false;
    try {
        std::vector<ld::manifest_error> errors;
        std::vector<ld::detail::reference> refs;
        {
            ld::detail::file_reader r("checkpoint.yaml", errors, refs);
            workflow::settings s;
            ld::detail::read_settings(r, root, s);
        }
        {
            ld::detail::file_reader r("directory/fuzz.yaml", errors, refs);
            ld::detail::directory_parts d;
            ld::detail::read_directory(r, root, d);
            fuzz::check(d.people.size() == d.people_at.size() && d.people.size() == d.manager_at.size() &&
                            d.groups.size() == d.groups_at.size() && d.oncall.size() == d.oncall_at.size(),
                        "every person, group and rotation read has its place in the file");
        }
        {
            ld::detail::file_reader r("bundles/fuzz.yaml", errors, refs);
            ld::detail::bundle_parts b;
            ld::detail::read_bundle(r, root, b);
            fuzz::check(b.bundles.size() == b.names_at.size(), "every bundle read has its place in the file");
        }
        const YAML::Node& map = root;
        if (map.IsMap())
            for (const auto* key : {"matrix", "platform_team", "channels", "break_glass", "reminders", "integrations",
                                    "resources"})
                settings_like = settings_like || map[key].IsDefined();
    } catch (const std::exception&) {
        // load_manifests reports anything thrown as a problem with the manifests; the full load below checks it.
    }
    return settings_like ? shape::settings : shape::other;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    // A whole load costs a parse of every file: only for input that is YAML (a syntax error stops at the file).
    const auto read = read_directly(text);
    auto& d = dirs();
    if (read == shape::settings) {
        write(d.settings / "checkpoint.yaml", text);
        check_errors(ld::load_manifests(d.settings));
    } else if (read == shape::other) {
        write(d.beside / "bundles" / "zz-fuzz.yaml", text);
        write(d.beside / "directory" / "zz-fuzz.yaml", text);
        check_errors(ld::load_manifests(d.beside));
    }
    return 0;
}
