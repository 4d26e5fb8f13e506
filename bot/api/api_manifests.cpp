#include "bot/api/api_internal.hpp"

#include "app/policy_changes.hpp"
#include "bot/manifests_reload.hpp"

#include "workflow/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <random>

namespace checkpoint::bot::api {

namespace {

namespace fs = std::filesystem;

// What a preview may upload: the files of a manifests folder, and no more.
constexpr std::size_t max_preview_files = 5'000;
// People in one directory import.
constexpr std::size_t max_import_people = 50'000;

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
    json::array departures;
    for (const auto& d : p.departures)
        departures.push_back(json::object{{"petition", d.petition_id},
                                          {"requester", names({d.requester}, now.directory, next.directory).at(0)},
                                          {"target", d.target},
                                          {"reason", d.change.reason}});
    return json::object{{"since", since},
                        {"replayed", p.replayed},
                        {"decisions_changed", p.decisions_changed},
                        {"reviewers_changed", p.reviewers_changed},
                        {"changes", app::diff_json(p.diff)},
                        {"targets", std::move(targets)},
                        {"waiting", std::move(waiting)},
                        {"access_ending", std::move(departures)}};
}

json::array strings(const std::vector<std::string>& v)
{
    json::array out;
    for (const auto& s : v)
        out.push_back(json::value(s));
    return out;
}

// What a reload or a directory change did: changed, the changes, the requests re-routed, the grants revoked.
json::object effects_json(const app::reload_result& r)
{
    json::array rerouted;
    for (const auto& w : r.rerouted)
        rerouted.push_back(json::object{{"petition", w.petition_id},
                                        {"outcome", std::string(workflow::name(w.plan.what))},
                                        {"waiting_before", strings(w.plan.waiting_before)},
                                        {"waiting_after", strings(w.plan.waiting_after)}});
    json::array ended;
    for (const auto& d : r.ended)
        ended.push_back(json::object{{"petition", d.petition_id}, {"requester", d.requester}, {"target", d.target}});
    return json::object{{"changed", r.changed},
                        {"changes", app::diff_json(r.diff)},
                        {"rerouted", std::move(rerouted)},
                        {"access_ended", std::move(ended)},
                        {"failures", strings(r.failures)}};
}

// One row of an HR export as the import reads it (POST /directory/import): keys id (or email), name, email,
// manager, team, active, external_id, slack_id; values strings (active also a boolean).
workflow::directory_record import_row(const json::value& v, std::size_t n, workflow::time_point now)
{
    const std::string where = "people[" + std::to_string(n) + "]";
    if (!v.is_object())
        fail(code::invalid_request, where + " must be an object.");
    const auto& o = v.get_object();
    static constexpr std::string_view keys[] = {"id", "name", "email", "manager", "team", "active", "external_id", "slack_id"};
    for (const auto& kv : o)
        if (std::find(std::begin(keys), std::end(keys), kv.key()) == std::end(keys))
            fail(code::invalid_request, where + ": unknown field \"" + std::string(kv.key()).substr(0, 40) +
                                            "\"; the fields are id, name, email, manager, team, active, external_id and "
                                            "slack_id.");
    workflow::directory_record r;
    r.source = "import";
    const auto field = [&](std::string_view key) { return text_field(o, key, 256, where).value_or(""); };
    r.user_name = field("id");
    r.email = field("email");
    if (r.user_name.empty())
        r.user_name = r.email;
    if (r.user_name.empty())
        fail(code::invalid_request, where + ": needs an id or an email.");
    if (workflow::to_lower(r.user_name) == "checkpoint")
        fail(code::invalid_request, where + ": the id \"checkpoint\" is reserved for the service itself.");
    if (!r.email.empty() && r.email.find('@') == std::string::npos)
        fail(code::invalid_request, where + ": \"" + r.email.substr(0, 80) + "\" is not an email address.");
    r.key = workflow::to_lower(r.user_name);
    r.name = field("name");
    r.manager = workflow::to_lower(field("manager"));
    if (!r.manager.empty() && r.manager == r.key)
        fail(code::invalid_request, where + ": a person cannot be their own manager.");
    r.team = workflow::slug_of(field("team"));
    r.external_id = field("external_id");
    r.slack_id = field("slack_id");
    if (const auto* a = o.if_contains("active"); a && !a->is_null()) {
        const auto t = a->is_string() ? workflow::to_lower(a->get_string()) : std::string();
        if (a->is_bool())
            r.active = a->get_bool();
        else if (t == "true" || t == "yes" || t == "1" || t.empty())
            r.active = true;
        else if (t == "false" || t == "no" || t == "0")
            r.active = false;
        else
            fail(code::invalid_request, where + ": active must be true or false (yes/no, 1/0), not \"" +
                                            t.substr(0, 20) + "\".");
    }
    r.created = r.modified = now;
    return r;
}

// A preview's window: the body's `since` as given ("90d" when absent) and as a duration.
std::pair<std::string, workflow::duration> since_of(const json::object& body)
{
    auto text = text_field(body, "since", 16).value_or("90d");
    const auto d = duration_field(text, "since").value_or(app::preview_window);
    return {std::move(text), d};
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
        auto out = effects_json(r);
        out["version"] = version_json(r.version);
        out["previous"] = version_json(r.previous);
        return ok(c, out);
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
        const auto [since_text, since] = since_of(body);
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
        const auto next = ctx_.policy.composed(*read.manifests);
        auto preview = must(app::preview_policy(c.m(), next, ctx_.access, ctx_.petitions, since, now));
        auto out = preview_json(preview, c.m(), next, since_text);
        out["version"] = version_json(read.version);
        out["in_force"] = version_json(ctx_.policy.version());
        return ok(c, out);
    }
    case endpoint::directory_import: {
        need(c.who, scope::admin, "importing the directory");
        if (!ctx_.directory)
            fail(code::refused, "This server keeps no directory records.");
        const auto body = c.body();
        const auto* people = body.if_contains("people");
        if (!people || !people->is_array() || people->as_array().empty())
            fail(code::invalid_request, "`people` is required: an array of the people in the export, each with id (or "
                                        "email), name, email, manager, team, active, external_id, slack_id.");
        if (people->as_array().size() > max_import_people)
            fail(code::invalid_request, "`people` holds more than " + std::to_string(max_import_people) + " people.");
        const auto* full = body.if_contains("full");
        const auto* dry = body.if_contains("dry_run");
        if ((full && !full->is_bool()) || (dry && !dry->is_bool()))
            fail(code::invalid_request, "`full` and `dry_run` must be true or false.");
        const auto now = ctx_.clock.now();
        std::vector<workflow::directory_record> rows;
        std::unordered_set<std::string> seen;
        for (std::size_t i = 0; i < people->as_array().size(); ++i) {
            auto r = import_row(people->as_array()[i], i, now);
            if (!seen.insert(r.key).second)
                fail(code::invalid_request, "people[" + std::to_string(i) + "]: \"" + r.user_name +
                                                "\" appears twice in the export.");
            rows.push_back(std::move(r));
        }
        const bool whole = full && full->get_bool();
        // The export over the records in force: earlier imports keep their first-seen time; with `full`, whom it no
        // longer lists is deactivated.
        const auto make = [&](const workflow::directory_overlay& in_force) {
            workflow::directory_change change;
            change.source = "import";
            change.put_people = rows;
            std::unordered_map<std::string, std::size_t> at;
            for (std::size_t i = 0; i < change.put_people.size(); ++i)
                at.emplace(change.put_people[i].key, i);
            for (const auto& r : in_force.people) {
                if (r.source != "import")
                    continue;
                if (auto it = at.find(r.key); it != at.end())
                    change.put_people[it->second].created = r.created;
                else if (whole && r.active) {
                    auto gone = r;
                    gone.active = false;
                    gone.modified = now;
                    change.put_people.push_back(std::move(gone));
                }
            }
            return change;
        };
        if (dry && dry->get_bool()) {
            const auto [since_text, since] = since_of(body);
            const auto change = make(ctx_.policy.records());
            const auto next = ctx_.policy.with_records(workflow::apply_change(ctx_.policy.records(), change));
            auto preview = must(ctx_.directory->preview(change, since));
            auto out = preview_json(preview, c.m(), next, since_text);
            out["people"] = people->as_array().size();
            return ok(c, out);
        }
        auto r = must(ctx_.directory->apply(make, "directory.imported", c.who.actor(), origin_of(c)));
        for (const auto& f : r.failures)
            spdlog::error("directory import: {}", f);
        spdlog::info("directory import by {}: {}; {} waiting request(s) re-routed, {} grant(s) revoked", c.who.actor(),
                     r.diff.summary(), r.rerouted.size(), r.ended.size());
        ctx_.runner.wake();
        auto out = effects_json(r);
        out["people"] = people->as_array().size();
        return ok(c, out);
    }
    default: break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
