#include "bot/api/api_internal.hpp"

#include "app/policy_changes.hpp"
#include "bot/manifests_reload.hpp"

#include <fstream>
#include <random>

namespace checkpoint::bot::api {

namespace {

namespace fs = std::filesystem;

// What a preview may upload: the files of a manifests folder, and no more.
constexpr std::size_t max_preview_files = 5'000;

// checkpoint.yaml, bundles/NAME.yaml or directory/NAME.yaml (.yml too), NAME of letters, digits, '.', '_', '-'.
bool is_manifest_path(std::string_view p)
{
    if (p.size() > 200)
        return false;
    if (p == "checkpoint.yaml")
        return true;
    const auto slash = p.find('/');
    if (slash == std::string_view::npos)
        return false;
    const auto folder = p.substr(0, slash);
    const auto file = p.substr(slash + 1);
    if ((folder != "bundles" && folder != "directory") || file.empty() || file.front() == '.' ||
        (!file.ends_with(".yaml") && !file.ends_with(".yml")))
        return false;
    return file.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
           std::string_view::npos;
}

json::array problems_json(const std::vector<loader::manifest_error>& problems)
{
    json::array out;
    for (const auto& p : problems)
        out.push_back(json::object{{"file", p.file},
                                   {"line", p.line},
                                   {"field", p.field},
                                   {"message", p.message},
                                   {"text", loader::format(p)}});
    return out;
}

response invalid_manifests(const std::vector<loader::manifest_error>& problems, std::string_view lead, unsigned version)
{
    std::string message(lead);
    for (const auto& p : problems)
        message += "\n" + loader::format(p);
    while (!message.empty() && message.back() == '\n')
        message.pop_back();
    return json_response(status_of(code::refused),
                         json::object{{"error", json::object{{"code", "invalid_manifests"},
                                                             {"message", message},
                                                             {"problems", problems_json(problems)}}}},
                         version);
}

// A private folder for an uploaded set of manifests, removed when it goes out of scope.
struct scratch_folder {
    fs::path root;
    scratch_folder()
    {
        std::random_device rd;
        for (int i = 0; i < 10 && root.empty(); ++i) {
            auto p = fs::temp_directory_path() / ("checkpoint-preview-" + std::to_string(rd()) + std::to_string(rd()));
            std::error_code ec;
            if (fs::create_directory(p, ec)) {
                fs::permissions(p, fs::perms::owner_all, ec);
                root = p;
            }
        }
        if (root.empty())
            fail(code::internal, "cannot make a folder for the manifests to preview");
    }
    ~scratch_folder()
    {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    scratch_folder(const scratch_folder&) = delete;
    scratch_folder& operator=(const scratch_folder&) = delete;
};

json::array names(const std::vector<std::string>& ids, const workflow::directory& a, const workflow::directory& b)
{
    json::array out;
    for (const auto& id : ids) {
        auto i = a.find(id);
        const auto* d = &a;
        if (i == workflow::no_person) {
            i = b.find(id);
            d = &b;
        }
        out.push_back(json::object{{"id", id}, {"name", i == workflow::no_person ? id : d->at(i).name}});
    }
    return out;
}

json::object preview_json(const workflow::policy_preview& p, const workflow::manifests& now, const workflow::manifests& next,
                          std::string_view since)
{
    json::array targets;
    for (const auto& t : p.targets) {
        json::array shifts;
        for (const auto& s : t.shifts)
            shifts.push_back(json::object{{"from", s.from}, {"to", s.to}, {"count", s.count}});
        targets.push_back(json::object{{"target", t.target},
                                       {"replayed", t.replayed},
                                       {"decisions_changed", t.decisions_changed},
                                       {"shifts", std::move(shifts)},
                                       {"reviewers_changed", t.reviewers_changed},
                                       {"reviewers_added", names(t.reviewers_added, next.directory, now.directory)},
                                       {"reviewers_removed", names(t.reviewers_removed, now.directory, next.directory)}});
    }
    json::array waiting;
    for (const auto& w : p.waiting)
        waiting.push_back(json::object{{"petition", w.petition_id},
                                       {"requester", w.requester},
                                       {"target", w.target},
                                       {"outcome", std::string(workflow::name(w.plan.what))},
                                       {"extension", w.plan.extension},
                                       {"step", w.plan.step_name},
                                       {"reason", w.plan.reason},
                                       {"waiting_before", names(w.plan.waiting_before, now.directory, next.directory)},
                                       {"waiting_after", names(w.plan.waiting_after, next.directory, now.directory)}});
    return json::object{{"since", since},
                        {"replayed", p.replayed},
                        {"decisions_changed", p.decisions_changed},
                        {"reviewers_changed", p.reviewers_changed},
                        {"changes", app::diff_json(p.diff)},
                        {"targets", std::move(targets)},
                        {"waiting", std::move(waiting)}};
}

json::array strings(const std::vector<std::string>& v)
{
    json::array out;
    for (const auto& s : v)
        out.push_back(json::value(s));
    return out;
}

json::value version_json(const app::manifests_version& v)
{
    return json::object{{"hash", v.hash}, {"commit", v.commit.empty() ? json::value(nullptr) : json::value(v.commit)}};
}

} // namespace

// POST /manifests/reload: an admin re-reads the manifests folder. POST /policy/preview: what a set of manifests
// would change, replayed over the stored requests.
response api_router::manifests(call& c)
{
    const auto version = c.req.version();
    switch (c.which) {
    case endpoint::manifests_reload: {
        need(c.who, scope::admin, "reloading the manifests");
        auto answer = reload_from_disk(ctx_, c.who.actor(), origin_of(c));
        if (!answer.problems.empty())
            return invalid_manifests(answer.problems,
                                     "The manifests have " + std::to_string(answer.problems.size()) +
                                         " problem(s); the ones in force stay:",
                                     version);
        if (answer.refused)
            fail(code::refused, answer.refused->message);
        const auto& r = *answer.done;
        json::array rerouted;
        for (const auto& w : r.rerouted)
            rerouted.push_back(json::object{{"petition", w.petition_id},
                                            {"outcome", std::string(workflow::name(w.plan.what))},
                                            {"waiting_before", strings(w.plan.waiting_before)},
                                            {"waiting_after", strings(w.plan.waiting_after)}});
        return ok(c, json::object{{"changed", r.changed},
                                  {"version", version_json(r.version)},
                                  {"previous", version_json(r.previous)},
                                  {"changes", app::diff_json(r.diff)},
                                  {"rerouted", std::move(rerouted)},
                                  {"failures", strings(r.failures)}});
    }
    case endpoint::policy_preview: {
        need(c.who, scope::audit_read, "previewing a policy change");
        const auto body = c.body();
        const auto* files = body.if_contains("files");
        if (!files || !files->is_object() || files->as_object().empty())
            fail(code::invalid_request, "`files` is required: an object of the manifests folder's files, path to "
                                        "content (checkpoint.yaml, bundles/NAME.yaml, directory/NAME.yaml).");
        if (files->as_object().size() > max_preview_files)
            fail(code::invalid_request, "`files` holds more than " + std::to_string(max_preview_files) + " files.");
        const auto since_text = text_field(body, "since", 16).value_or("90d");
        const auto since = duration_field(since_text, "since").value_or(app::preview_window);
        scratch_folder scratch;
        const auto dir = scratch.root / "manifests";
        std::error_code ec;
        fs::create_directories(dir / "bundles", ec);
        fs::create_directories(dir / "directory", ec);
        for (const auto& [path, content] : files->as_object()) {
            if (!is_manifest_path(path))
                fail(code::invalid_request, "`files`: \"" + std::string(path).substr(0, 80) +
                                                "\" is not a manifests file; allowed are checkpoint.yaml, "
                                                "bundles/NAME.yaml and directory/NAME.yaml (.yml too).");
            if (!content.is_string())
                fail(code::invalid_request, "`files`: \"" + std::string(path) + "\" must be the file's text.");
            std::ofstream out(dir / std::string(path), std::ios::binary);
            out << std::string_view(content.as_string());
            if (!out)
                fail(code::internal, "cannot write the manifests to preview");
        }
        auto read = read_manifests(dir);
        if (!read.manifests)
            return invalid_manifests(read.problems,
                                     "The manifests to preview have " + std::to_string(read.problems.size()) +
                                         " problem(s):",
                                     version);
        const auto now = ctx_.clock.now();
        auto preview = must(app::preview_policy(c.m(), *read.manifests, ctx_.access, ctx_.petitions, since, now));
        auto out = preview_json(preview, c.m(), *read.manifests, since_text);
        out["version"] = version_json(read.version);
        out["in_force"] = version_json(ctx_.policy.version());
        return ok(c, out);
    }
    default: break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
