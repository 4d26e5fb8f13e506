#include "cli/app.hpp"

#include "cli/api_client.hpp"
#include "admin/host_admin.hpp"
#include "cli/render.hpp"
#include "cli/resource_file.hpp"
#include "workflow/command.hpp"
#include "workflow/duration.hpp"
#include "workflow/loader/manifest_loader.hpp"

#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

namespace checkpoint::cli {

namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* version_text = "checkpoint 0.1.0";
// The longest wait one long-poll asks for (the server allows 1..60 s).
constexpr std::chrono::seconds max_poll{30};
// On a terminal the line is redrawn at least this often, so the elapsed time moves.
constexpr std::chrono::seconds tty_poll{5};

// Every option and positional the commands read; CLI11 binds into it.
struct options {
    bool json = false;
    std::string url;

    std::string target;
    std::string id;
    std::string duration;
    std::string reason;
    std::string ticket;
    bool break_glass = false;
    std::string requester;
    bool no_wait = false;
    bool wait = false;
    std::string timeout = "30m";

    bool awaiting = false;
    std::string state;
    std::string person;
    std::string bundle;
    std::string from;
    std::string until;
    std::string min;
    int limit = 50;
    std::string cursor;
    std::vector<std::string> words;

    std::string report;
    bool csv = false;

    std::string file;
    std::string kind;
    std::string format;

    std::string name;
    std::string scopes;
    std::string token_kind;
    std::string expires;
    std::string subject;
    std::string database;
    // db copy --from FILE --to URI
    std::string copy_from;
    std::string copy_to;
    std::string dir;
    std::string since;
    bool full = false;
    bool dry_run = false;
    std::vector<std::string> anchors;
};

class command_runner {
public:
    command_runner(environment& env, options& o) : env_(env), o_(o) {}

    // An error: the sentence on stderr, and {"error":…} on stdout for --json: the server's own error
    // object as it sent it when the error is the server's, else ours.
    int fail(const workflow::error& e, int code = exit_error)
    {
        if (o_.json && client_ && client_->last_error_body())
            env_.out << json_line(*client_->last_error_body());
        else if (o_.json)
            env_.out << json_line(json::object{{"error", json::object{{"code", e.code}, {"message", e.message}}}});
        env_.err << (e.message.starts_with("error: ") ? "" : "error: ") << e.message << "\n";
        return code;
    }

    int usage(const std::string& message) { return fail(workflow::error{"usage", message}, exit_usage); }

    // The API client, once the config is complete.
    workflow::result<api_client*> api()
    {
        if (client_)
            return client_.get();
        auto c = load_config(env_.env, env_.read_file);
        if (!c)
            return c.error();
        // Only the file's own token is at risk; one from the environment is not in it.
        if (auto file_config = env_.read_file(c->file); file_config && env_.file_mode) {
            auto parsed = parse_config(*file_config, c->file);
            if (auto mode = env_.file_mode(c->file); parsed && mode)
                if (auto warning = permission_warning(*parsed, *mode); !warning.empty())
                    env_.err << warning << "\n";
        }
        if (!o_.url.empty())
            c->url = o_.url;
        if (auto ok = check_for_server(*c); !ok)
            return ok.error();
        http_ = env_.make_http();
        client_ = std::make_unique<api_client>(*http_, c->url, c->token);
        return client_.get();
    }

    workflow::result<api_answer> call(std::string_view method, std::string_view path, const query& q = {},
                                      const std::optional<json::value>& body = std::nullopt,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30))
    {
        auto a = api();
        if (!a)
            return a.error();
        return (*a)->call(method, path, q, body, timeout);
    }

    // Calls the API and prints its answer: the JSON for --json, else `text(object)`; exit code from `code`.
    template <class Text>
    int show(workflow::result<api_answer> r, Text text)
    {
        if (!r)
            return fail(r.error());
        if (!r->body.is_object())
            return fail(workflow::error{"api", "the server answered without the JSON object expected"});
        if (o_.json)
            env_.out << json_line(r->body);
        else
            env_.out << text(r->body.get_object());
        return exit_ok;
    }

    // Prints what a command did on the server's files (no API): the JSON for --json, else `text(object)`.
    template <class Text>
    int show_local(const workflow::result<json::object>& r, Text text)
    {
        if (!r)
            return fail(r.error());
        if (o_.json)
            env_.out << json_line(*r);
        else
            env_.out << text(*r);
        return exit_ok;
    }

    // A list endpoint's items; the next cursor goes to stderr so stdout stays a clean table.
    template <class Text>
    int show_list(workflow::result<api_answer> r, Text text)
    {
        return show(std::move(r), [&](const json::object& o) {
            static const json::array none;
            auto it = o.find("items");
            const auto& items = it != o.end() && it->value().is_array() ? it->value().get_array() : none;
            auto next = o.find("next_cursor");
            if (next != o.end() && next->value().is_string())
                env_.err << "More: repeat with --cursor " << clean(next->value().get_string()) << "\n";
            return text(items);
        });
    }

    query paging() const
    {
        query q{{"limit", std::to_string(o_.limit)}};
        if (!o_.cursor.empty())
            q.emplace_back("cursor", o_.cursor);
        return q;
    }

    static void add_if(query& q, const char* key, const std::string& value)
    {
        if (!value.empty())
            q.emplace_back(key, value);
    }

    // `bundle` or `resource` in `body` for a target typed as a bundle name or KIND:ID; false when it is neither.
    static bool put_target(json::object& body, const std::string& target)
    {
        if (const auto colon = target.find(':'); colon != std::string::npos) {
            const auto kind = target.substr(0, colon);
            const auto id = target.substr(colon + 1);
            if (kind.empty() || id.empty())
                return false;
            body["resource"] = json::object{{"kind", kind}, {"id", id}};
        } else {
            body["bundle"] = target;
        }
        return true;
    }

    int request()
    {
        json::object body;
        if (!put_target(body, o_.target))
            return usage("\"" + o_.target + "\" is not a target; use a bundle name or KIND:ID such as customer:123.");
        body["duration"] = o_.duration;
        body["reason"] = o_.reason;
        if (!o_.ticket.empty())
            body["ticket"] = o_.ticket;
        if (o_.break_glass)
            body["break_glass"] = true;
        if (!o_.requester.empty())
            body["requester"] = o_.requester;
        auto timeout = parse_timeout();
        if (!timeout)
            return usage(timeout.error().message);

        auto r = call("POST", "/petitions", {}, json::value(body));
        if (!r)
            return fail(r.error());
        if (!r->body.is_object())
            return fail(workflow::error{"api", "the server answered without the petition expected"});
        const auto& p = r->body.get_object();
        if (o_.no_wait || !waiting(p)) {
            if (o_.json)
                env_.out << json_line(p);
            else
                env_.out << request_text(p);
            return exit_code_for_state(state_of(p));
        }
        if (!o_.json) {
            env_.out << request_header_text(p);
            if (state_of(p) == "pending")
                env_.out << "Request " << state_id(p)
                         << " filed; waiting for the decision (Ctrl-C stops waiting, the request stays open).\n";
        }
        return wait_for(p, *timeout);
    }

    // A manual override (admin): granted at once outside the approval flow, announced and audited.
    int grant()
    {
        json::object body{{"person", o_.person}, {"reason", o_.reason}};
        if (!put_target(body, o_.target))
            return usage("\"" + o_.target + "\" is not a target; use a bundle name or KIND:ID such as customer:123.");
        if (!o_.duration.empty())
            body["duration"] = o_.duration;
        if (!o_.ticket.empty())
            body["ticket"] = o_.ticket;
        auto r = call("POST", "/overrides", {}, json::value(body));
        if (!r)
            return fail(r.error());
        if (!r->body.is_object())
            return fail(workflow::error{"api", "the server answered without the petition expected"});
        const auto& p = r->body.get_object();
        if (o_.json)
            env_.out << json_line(p);
        else
            env_.out << grant_text(p);
        return exit_code_for_state(state_of(p));
    }

    int status()
    {
        auto r = call("GET", "/petitions/" + api_client::segment(o_.id));
        if (!r)
            return fail(r.error());
        if (!r->body.is_object())
            return fail(workflow::error{"api", "the server answered without the petition expected"});
        const auto& p = r->body.get_object();
        if (o_.wait && waiting(p)) {
            auto timeout = parse_timeout();
            if (!timeout)
                return usage(timeout.error().message);
            if (!o_.json)
                env_.out << status_text(p);
            return wait_for(p, *timeout);
        }
        if (o_.json)
            env_.out << json_line(p);
        else
            env_.out << status_text(p);
        return exit_code_for_state(state_of(p));
    }

    int decide(const char* action, const char* verb, json::object body)
    {
        return show(call("POST", "/petitions/" + api_client::segment(o_.id) + "/" + action, {}, json::value(body)),
                    [&](const json::object& p) { return changed_text(verb, p); });
    }

    int list()
    {
        query q = paging();
        if (o_.awaiting)
            q.emplace_back("awaiting", "me");
        else
            q.emplace_back("mine", "true");
        add_if(q, "state", o_.state);
        return show_list(call("GET", "/petitions", q), [&](const json::array& items) {
            return petitions_table(items, o_.awaiting ? "Nothing is waiting for your decision."
                                                      : "You have no requests. File one with: checkpoint request BUNDLE "
                                                        "--duration D --reason \"…\"");
        });
    }

    int log()
    {
        query q = paging();
        add_if(q, "person", o_.person);
        add_if(q, "bundle", o_.bundle);
        add_if(q, "state", o_.state);
        add_if(q, "from", o_.from);
        add_if(q, "until", o_.until);
        return show_list(call("GET", "/petitions", q),
                         [&](const json::array& items) { return petitions_table(items, "No requests match."); });
    }

    int catalog()
    {
        std::string words;
        for (const auto& w : o_.words)
            words += (words.empty() ? "" : " ") + w;
        query q = paging();
        add_if(q, "q", words);
        return show_list(call("GET", "/bundles", q),
                         [&](const json::array& items) { return catalog_text(items, words); });
    }

    int explain()
    {
        query q{{"bundle", o_.bundle}};
        add_if(q, "duration", o_.duration);
        add_if(q, "requester", o_.requester);
        return show(call("GET", "/explain", q), [](const json::object& e) { return explain_text(e); });
    }

    int report()
    {
        query q;
        add_if(q, "from", o_.from);
        add_if(q, "until", o_.until);
        add_if(q, "bundle", o_.bundle);
        add_if(q, "min", o_.min);
        const std::string path = "/reports/" + api_client::segment(o_.report);
        if (o_.csv) {
            q.emplace_back("format", "csv");
            auto r = call("GET", path, q);
            if (!r)
                return fail(r.error());
            env_.out << r->text;
            if (!r->text.empty() && r->text.back() != '\n')
                env_.out << "\n";
            return exit_ok;
        }
        q.emplace_back("format", "json");
        return show(call("GET", path, q), [](const json::object& rep) { return report_text(rep); });
    }

    int upload()
    {
        auto text = read_bounded(o_.file, max_upload_bytes);
        if (!text)
            return fail(text.error());
        resource_format format = guess_format(o_.file, *text);
        if (o_.format == "json")
            format = resource_format::json;
        else if (o_.format == "csv")
            format = resource_format::csv;
        auto resources = read_resources(*text, format, o_.kind);
        if (!resources)
            return fail(workflow::error{resources.error().code, o_.file + ": " + resources.error().message});
        const std::size_t sent = resources->size();
        json::object body{{"resources", std::move(*resources)}};
        return show(call("PUT", "/resources", {}, json::value(std::move(body)), std::chrono::seconds(120)),
                    [&](const json::object& a) { return upload_text(a, sent); });
    }

    int resources_sync()
    {
        query q;
        add_if(q, "kind", o_.kind);
        return show(call("POST", "/resources/sync", q), [&](const json::object& a) { return sync_text(a, o_.kind); });
    }

    int resources_list()
    {
        std::string words;
        for (const auto& w : o_.words)
            words += (words.empty() ? "" : " ") + w;
        query q = paging();
        add_if(q, "kind", o_.kind);
        add_if(q, "q", words);
        return show_list(call("GET", "/resources", q), [](const json::array& items) { return resources_table(items); });
    }

    int tokens_create()
    {
        json::array scopes;
        for (const auto& s : CLI::detail::split(o_.scopes, ','))
            if (!s.empty())
                scopes.emplace_back(s);
        if (scopes.empty())
            return usage("--scopes needs at least one of requests, review, resources:write, audit:read, denials:write, scim, admin.");
        // --person alone means a personal token.
        const std::string kind = !o_.token_kind.empty() ? o_.token_kind : o_.person.empty() ? "service" : "personal";
        if (!o_.database.empty()) {
            std::vector<std::string> list;
            for (const auto& s : scopes)
                list.emplace_back(s.as_string());
            auto dir = env_.env("CHECKPOINT_MANIFESTS");
            auto made = admin::create_token_in_file(o_.database, admin::open_mode::existing, o_.name, kind, o_.person,
                                                    list, o_.expires, dir && !dir->empty() ? *dir : "manifests",
                                                    "checkpoint-cli",
                                                    admin::audit_key_settings_from(env_.env));
            if (!made)
                return fail(made.error(), made.error().code == "usage" ? exit_usage : exit_error);
            if (o_.json)
                env_.out << json_line(*made);
            else
                env_.out << token_created_text(*made);
            return exit_ok;
        }
        json::object body{{"name", o_.name}, {"kind", kind}, {"scopes", std::move(scopes)}};
        if (!o_.person.empty())
            body["person"] = o_.person;
        if (!o_.expires.empty())
            body["expires"] = o_.expires;
        return show(call("POST", "/tokens", {}, json::value(std::move(body))),
                    [](const json::object& t) { return token_created_text(t); });
    }

    int tokens_list()
    {
        return show_list(call("GET", "/tokens", paging()), [](const json::array& items) { return tokens_table(items); });
    }

    int tokens_revoke()
    {
        auto r = call("DELETE", "/tokens/" + api_client::segment(o_.id));
        if (!r)
            return fail(r.error());
        if (o_.json)
            env_.out << json_line(json::object{{"revoked", o_.id}});
        else
            env_.out << "✓ Token " << o_.id << " revoked; requests that use it are refused from now on.\n";
        return exit_ok;
    }

    int manifests_check()
    {
        std::string dir = o_.dir;
        if (dir.empty()) {
            auto from_env = env_.env("CHECKPOINT_MANIFESTS");
            dir = from_env && !from_env->empty() ? *from_env : "manifests";
        }
        const auto check = admin::check_manifests(dir);
        if (o_.json)
            env_.out << json_line(check);
        else
            env_.out << manifests_check_text(check);
        return check.at("ok").as_bool() ? exit_ok : exit_error;
    }

    // The manifests folder `dir` as POST /policy/preview takes it: each file load_manifests reads, by its path
    // under the folder.
    int policy_diff()
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!fs::is_directory(o_.dir, ec))
            return usage(o_.dir + " is not a folder of manifests (checkpoint.yaml, bundles/, directory/).");
        json::object files;
        std::size_t total = 0;
        for (const auto& f : loader::manifest_files(o_.dir)) {
            auto text = read_bounded(f.string(), max_upload_bytes);
            if (!text)
                return fail(text.error());
            total += text->size();
            if (total > max_upload_bytes)
                return fail(workflow::error{"too_large", "The manifests in " + o_.dir + " are larger than " +
                                                             std::to_string(max_upload_bytes / (1024 * 1024)) + " MiB."});
            files[f.lexically_relative(o_.dir).generic_string()] = std::move(*text);
        }
        if (files.empty())
            return usage(o_.dir + " holds no manifests (checkpoint.yaml, bundles/*.yaml, directory/*.yaml).");
        json::object body{{"files", std::move(files)}};
        if (!o_.since.empty())
            body["since"] = o_.since;
        return show(call("POST", "/policy/preview", {}, json::value(std::move(body)), std::chrono::minutes(5)),
                    [](const json::object& p) { return policy_preview_text(p); });
    }

    int directory_import()
    {
        auto text = read_bounded(o_.file, max_upload_bytes);
        if (!text)
            return fail(text.error());
        auto people = read_people(*text, guess_format(o_.file, *text));
        if (!people)
            return fail(workflow::error{people.error().code, o_.file + ": " + people.error().message});
        json::object body{{"people", std::move(*people)}, {"full", o_.full}, {"dry_run", o_.dry_run}};
        if (!o_.since.empty())
            body["since"] = o_.since;
        const auto title = "Directory import preview of " + o_.file + " against the directory in force";
        return show(call("POST", "/directory/import", {}, json::value(std::move(body)), std::chrono::minutes(5)),
                    [&](const json::object& r) {
                        return o_.dry_run ? preview_text(r, title) : directory_import_text(r);
                    });
    }

    int manifests_reload()
    {
        return show(call("POST", "/manifests/reload", {}, std::nullopt, std::chrono::minutes(5)),
                    [](const json::object& r) { return manifests_reload_text(r); });
    }

    int audit_events()
    {
        query q = paging();
        add_if(q, "person", o_.person);
        add_if(q, "subject", o_.subject);
        add_if(q, "petition", o_.id);
        add_if(q, "from", o_.from);
        add_if(q, "until", o_.until);
        return show_list(call("GET", "/audit", q), [](const json::array& items) { return audit_events_table(items); });
    }

    int audit_verify()
    {
        json::object v;
        for (const auto& a : o_.anchors)
            if (auto parsed = admin::check_told_anchor(a); !parsed)
                return usage(parsed.error().message);
        if (!o_.database.empty()) {
            auto local = admin::verify_audit_file(o_.database, admin::audit_key_settings_from(env_.env), o_.anchors);
            if (!local)
                return fail(local.error());
            v = std::move(*local);
        } else {
            query q;
            for (const auto& a : o_.anchors)
                q.emplace_back("anchor", a);
            auto r = call("GET", "/audit/verify", q);
            if (!r)
                return fail(r.error());
            if (!r->body.is_object())
                return fail(workflow::error{"api", "the server answered without the verification expected"});
            v = r->body.get_object();
        }
        if (o_.json)
            env_.out << json_line(v);
        else
            env_.out << audit_verify_text(v);
        const auto* ok = v.if_contains("ok");
        return ok && ok->is_bool() && ok->get_bool() ? exit_ok : exit_error;
    }

    int audit_anchor()
    {
        return show(call("POST", "/audit/anchor"), [](const json::object& a) { return audit_anchor_text(a); });
    }

    int db_backup()
    {
        return show_local(admin::backup_database(o_.database, o_.file), [](const json::object& b) { return backup_text(b); });
    }

    int db_copy()
    {
        return show_local(admin::copy_database(o_.copy_from, o_.copy_to, admin::audit_key_settings_from(env_.env)),
                          [](const json::object& c) { return copy_text(c); });
    }

private:
    static std::string state_of(const json::object& p) { return str(p, "state"); }

    static bool waiting(const json::object& p) { return is_waiting_state(state_of(p)); }

    workflow::result<std::chrono::seconds> parse_timeout() const
    {
        auto d = workflow::parse_duration(o_.timeout);
        if (!d)
            return workflow::error{"usage", "--timeout: " + d.error().message};
        return *d;
    }

    // Long-polls until the petition leaves pending/approved/provisioning or `timeout` passes, with a
    // progress line: redrawn in place on a terminal, else one line per change.
    int wait_for(json::object p, std::chrono::seconds timeout)
    {
        const std::string id = state_id(p);
        const auto start = steady::now();
        const auto deadline = start + timeout;
        std::string last_key;
        bool drew = false;
        // Only a live request gets a progress line; setting up access right after an automatic approval
        // is quiet when not on a terminal, so the output stays the seed's few lines.
        auto draw = [&] {
            if (o_.json || !waiting(p))
                return;
            const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(steady::now() - start);
            if (env_.out_is_tty) {
                env_.out << "\r" << progress_line(p, elapsed) << "\x1b[K" << std::flush;
                drew = true;
            } else if (auto key = progress_key(p); key != last_key && (state_of(p) == "pending" || !last_key.empty())) {
                env_.out << key << "\n" << std::flush;
                last_key = key;
            }
        };
        // On a terminal the progress line is erased: the outcome takes its place.
        auto end_line = [&] {
            if (drew)
                env_.out << "\r\x1b[K" << std::flush;
            drew = false;
        };
        draw();
        while (waiting(p)) {
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - steady::now());
            if (left.count() <= 0)
                break;
            const auto poll = std::clamp(left, std::chrono::seconds(1), env_.out_is_tty ? tty_poll : max_poll);
            auto r = call("GET", "/petitions/" + api_client::segment(id) + "/wait",
                          {{"timeout", std::to_string(poll.count())}}, std::nullopt, poll + std::chrono::seconds(15));
            if (!r) {
                end_line();
                env_.err << "Stopped waiting; the request is still open: checkpoint status " << id << "\n";
                return fail(r.error());
            }
            if (!r->body.is_object()) {
                end_line();
                return fail(workflow::error{"api", "the server answered the wait without the petition expected"});
            }
            p = r->body.get_object();
            draw();
        }
        end_line();
        if (o_.json)
            env_.out << json_line(p);
        else if (waiting(p))
            env_.out << "⏳ Still " << state_of(p) << " after " << workflow::describe_duration(timeout)
                     << "; follow it with: checkpoint status " << id << " --wait\n";
        else
            env_.out << outcome_text(p);
        const auto s = state_of(p);
        // Approved but not yet set up when the wait ran out counts as still waiting.
        return waiting(p) ? exit_waiting : exit_code_for_state(s);
    }

    static std::string state_id(const json::object& p) { return str(p, "id"); }

    workflow::result<std::string> read_bounded(const std::string& path, std::size_t max) const
    {
        auto text = env_.read_file(path);
        if (!text)
            return workflow::error{"not_found", "cannot read " + path + "."};
        if (text->size() > max)
            return workflow::error{"too_large", path + " is larger than " + std::to_string(max / (1024 * 1024)) +
                                                    " MiB; split it."};
        return workflow::result<std::string>(boost::system::in_place_value, std::move(*text));
    }

    environment& env_;
    options& o_;
    std::unique_ptr<outbound::http_client> http_;
    std::unique_ptr<api_client> client_;
};

} // namespace

int run(const std::vector<std::string>& args, environment& env)
{
    options o;
    command_runner runner(env, o);
    std::function<int()> action;

    CLI::App app{"checkpoint: request, review and audit temporary access through a Checkpoint server.\n"
                 "Configured by CHECKPOINT_URL and CHECKPOINT_TOKEN, or `url = …` and `token = …` in\n"
                 "$XDG_CONFIG_HOME/checkpoint/config (else ~/.config/checkpoint/config).\n"
                 "Exit codes: 0 ok or access granted, 1 error, 2 still waiting, 3 denied or closed, 64 usage.",
                 "checkpoint"};
    app.set_version_flag("--version", version_text);
    app.fallthrough();
    app.require_subcommand(1);
    app.add_flag("--json", o.json, "Print the API's JSON instead of text (for scripts)");
    app.add_option("--url", o.url, "Server URL, overriding CHECKPOINT_URL and the config file");

    auto on = [&](CLI::App* sub, std::function<int()> f) { sub->callback([&action, f] { action = f; }); };
    auto add_paging = [&](CLI::App* sub) {
        sub->add_option("--limit", o.limit, "Rows in one page (1-200)")->check(CLI::Range(1, 200));
        sub->add_option("--cursor", o.cursor, "The cursor printed after the previous page");
    };

    auto* request = app.add_subcommand("request", "Request access to a bundle (or KIND:ID resource) and wait for the decision");
    request->add_option("target", o.target, "Bundle name, or KIND:ID such as customer:123")->required();
    request->add_option("-d,--duration", o.duration, "How long, e.g. 4h, 1d, 7d")->required();
    request->add_option("-r,--reason", o.reason, "Why you need it (shown to reviewers)")->required();
    request->add_option("-t,--ticket", o.ticket, "A ticket reference, e.g. PROJ-1234");
    request->add_flag("--break-glass", o.break_glass, "Emergency access now, reviewed afterwards");
    request->add_option("--for", o.requester, "File for this person id (service tokens only)");
    request->add_flag("--no-wait", o.no_wait, "Return at once instead of waiting for approval (exit 2 while pending)");
    request->add_option("--timeout", o.timeout, "Stop waiting after this long (default 30m)");
    on(request, [&] { return runner.request(); });

    auto* grant = app.add_subcommand("grant", "Grant access outside the approval flow (admin): an exception, announced "
                                               "in the security channel and audited");
    grant->add_option("--person", o.person, "Who gets access: directory id or email")->required();
    auto* gbundle = grant->add_option("--bundle", o.target, "Bundle name");
    auto* gresource = grant->add_option("--resource", o.target, "A resource as KIND:ID, such as customer:123");
    gbundle->excludes(gresource);
    grant->add_option("-d,--duration", o.duration, "How long, e.g. 4h, 1d (default: the bundle's usual duration)");
    grant->add_option("-r,--reason", o.reason, "The justification (required; the security channel reads it)")
        ->required();
    grant->add_option("-t,--ticket", o.ticket, "A ticket reference, e.g. INC-1234");
    on(grant, [&] {
        if (o.target.empty())
            return runner.usage("Give --bundle NAME or --resource KIND:ID.");
        if (gbundle->count() > 0 && o.target.find(':') != std::string::npos)
            return runner.usage("--bundle takes a bundle name; give a resource as --resource KIND:ID.");
        if (gresource->count() > 0 && o.target.find(':') == std::string::npos)
            return runner.usage("--resource takes KIND:ID, such as customer:123.");
        return runner.grant();
    });

    auto* status = app.add_subcommand("status", "Show one request: state, steps, decisions, expiry");
    status->add_option("id", o.id, "Request id")->required();
    status->add_flag("--wait", o.wait, "Wait until it is decided");
    status->add_option("--timeout", o.timeout, "Stop waiting after this long (default 30m)");
    on(status, [&] { return runner.status(); });

    auto* list = app.add_subcommand("list", "Your requests, or with --awaiting those waiting on your decision");
    list->add_flag("--awaiting", o.awaiting, "Requests you may approve or deny now");
    list->add_option("--state", o.state, "Only this state (pending, active, …)");
    add_paging(list);
    on(list, [&] { return runner.list(); });

    auto* approve = app.add_subcommand("approve", "Approve a request waiting on you");
    approve->add_option("id", o.id, "Request id")->required();
    approve->add_option("-r,--reason", o.reason, "A note for the requester");
    approve->add_option("-d,--duration", o.duration, "Approve for less than was asked, e.g. 1d");
    on(approve, [&] {
        json::object body;
        if (!o.reason.empty())
            body["reason"] = o.reason;
        if (!o.duration.empty())
            body["duration"] = o.duration;
        return runner.decide("approve", "Approved", std::move(body));
    });

    auto* deny = app.add_subcommand("deny", "Deny a request waiting on you");
    deny->add_option("id", o.id, "Request id")->required();
    deny->add_option("-r,--reason", o.reason, "Why (required; the requester sees it)")->required();
    on(deny, [&] { return runner.decide("deny", "Denied", json::object{{"reason", o.reason}}); });

    auto* cancel = app.add_subcommand("cancel", "Cancel your own open request");
    cancel->add_option("id", o.id, "Request id")->required();
    on(cancel, [&] { return runner.decide("cancel", "Cancelled", json::object{}); });

    auto* revoke = app.add_subcommand("revoke", "End access now");
    revoke->add_option("id", o.id, "Request id")->required();
    revoke->add_option("-r,--reason", o.reason, "Why");
    on(revoke, [&] {
        json::object body;
        if (!o.reason.empty())
            body["reason"] = o.reason;
        return runner.decide("revoke", "Revoked", std::move(body));
    });

    auto* extend = app.add_subcommand("extend", "Ask for more time on your active access");
    extend->add_option("id", o.id, "Request id")->required();
    extend->add_option("-d,--duration", o.duration, "How much longer, e.g. 1d")->required();
    extend->add_option("-r,--reason", o.reason, "Why");
    on(extend, [&] {
        json::object body{{"duration", o.duration}};
        if (!o.reason.empty())
            body["reason"] = o.reason;
        return runner.decide("extend", "Extension asked for", std::move(body));
    });

    auto* catalog = app.add_subcommand("catalog", "Search the bundles you can request");
    catalog->add_option("words", o.words, "Search words (name, title, description)");
    add_paging(catalog);
    on(catalog, [&] { return runner.catalog(); });

    auto* log = app.add_subcommand("log", "The public request log, newest first");
    log->add_option("--person", o.person, "Only this requester (person id)");
    log->add_option("--bundle", o.bundle, "Only this bundle");
    log->add_option("--state", o.state, "Only this state");
    log->add_option("--from", o.from, "From this day or time (2026-11-01, or RFC 3339 such as 2026-11-01T09:00:00Z)");
    log->add_option("--until", o.until, "Until this day (inclusive) or time (2026-11-30, or RFC 3339)");
    add_paging(log);
    on(log, [&] { return runner.log(); });

    auto* explain = app.add_subcommand("explain", "Who would have to approve a request, and why; nothing is filed");
    explain->add_option("bundle", o.bundle, "Bundle name, or KIND:ID such as customer:123")->required();
    explain->add_option("-d,--duration", o.duration, "How long, e.g. 7d");
    explain->add_option("--for", o.requester, "As this person id instead of you");
    on(explain, [&] { return runner.explain(); });

    auto* report = app.add_subcommand("report", "Compliance reports (audit:read)");
    report->add_option("name", o.report,
                       "access-during, time-to-access, time-to-decision, bypassed-approval, duration-by-bundle, never-requested, "
                       "auto-approval-rate or long-lived-grants")
        ->required();
    report->add_option("--from", o.from, "Period start: a day (2026-11-01) or an RFC 3339 time");
    report->add_option("--until", o.until, "Period end: a day (inclusive) or an RFC 3339 time");
    report->add_option("--bundle", o.bundle, "Only this bundle (access-during)");
    report->add_option("--min", o.min, "Shortest grant to list (long-lived-grants), e.g. 30d");
    report->add_flag("--csv", o.csv, "Print CSV with a header row");
    on(report, [&] { return runner.report(); });

    auto* resources = app.add_subcommand("resources", "Per-customer (and other) resources");
    resources->require_subcommand(1);
    auto* upload = resources->add_subcommand("upload", "Create or update resources from a JSON or CSV file");
    upload->add_option("file", o.file, "JSON (array, {\"resources\":[…]} or one object) or CSV with a header row "
                                       "such as id,displayName,label.tier")
        ->required();
    upload->add_option("--kind", o.kind, "Kind for rows without one, e.g. customer");
    upload->add_option("--format", o.format, "json or csv (default: from the file)")
        ->check(CLI::IsMember({"json", "csv"}));
    on(upload, [&] { return runner.upload(); });
    auto* rlist = resources->add_subcommand("list", "Find resources by id or name");
    rlist->add_option("words", o.words, "Words matched against id and display name");
    rlist->add_option("--kind", o.kind, "Only this kind, e.g. customer");
    add_paging(rlist);
    on(rlist, [&] { return runner.resources_list(); });
    auto* rsync = resources->add_subcommand("sync", "Ask the integrations for their current resources now (pull/update)");
    rsync->add_option("--kind", o.kind, "Only this kind, e.g. customer (default: every kind a webhook lists)");
    on(rsync, [&] { return runner.resources_sync(); });

    auto* tokens = app.add_subcommand("tokens", "API tokens (admin)");
    tokens->require_subcommand(1);
    auto* tcreate = tokens->add_subcommand("create", "Create a token; it is shown once");
    tcreate->add_option("name", o.name, "A name for the token, e.g. deploy-bot")->required();
    tcreate->add_option("--scopes", o.scopes, "Comma-separated: requests, review, resources:write, audit:read, denials:write, scim, admin")
        ->required();
    tcreate->add_option("--kind", o.token_kind, "service, or personal (the default with --person)")
        ->check(CLI::IsMember({"service", "personal"}));
    tcreate->add_option("--person", o.person, "Person id a personal token acts as");
    tcreate->add_option("--expires", o.expires,
                        "How long it works, e.g. 30d (personal tokens: 90d by default, at most 365d; "
                        "service tokens: never by default)");
    tcreate->add_option("--database", o.database, "Create it directly in this SQLite file (the first admin token)");
    on(tcreate, [&] { return runner.tokens_create(); });
    auto* tlist = tokens->add_subcommand("list", "List tokens (never their secret)");
    add_paging(tlist);
    on(tlist, [&] { return runner.tokens_list(); });
    auto* trevoke = tokens->add_subcommand("revoke", "Revoke a token");
    trevoke->add_option("id", o.id, "Token id")->required();
    on(trevoke, [&] { return runner.tokens_revoke(); });

    auto* manifests = app.add_subcommand("manifests", "Policy manifests");
    manifests->require_subcommand(1);
    auto* mcheck = manifests->add_subcommand("check", "Validate manifests locally (no server needed)");
    mcheck->add_option("dir", o.dir, "Manifests folder (default $CHECKPOINT_MANIFESTS, else ./manifests)");
    on(mcheck, [&] { return runner.manifests_check(); });
    auto* mreload = manifests->add_subcommand("reload", "Re-read the server's manifests now (admin): invalid ones are "
                                                      "refused with every problem and the old stay in force");
    on(mreload, [&] { return runner.manifests_reload(); });

    auto* policy = app.add_subcommand("policy", "What a change of manifests would do, before it applies");
    policy->require_subcommand(1);
    auto* pdiff = policy->add_subcommand("diff", "Replay the stored requests under the manifests in DIR and list the "
                                                  "waiting requests that would re-route (audit:read); nothing changes");
    pdiff->add_option("dir", o.dir, "The manifests folder to compare with the server's")->required();
    pdiff->add_option("--since", o.since, "How far back to replay (default 90d)");
    on(pdiff, [&] { return runner.policy_diff(); });

    auto* directory = app.add_subcommand("directory", "The people routing uses, from an HR system");
    directory->require_subcommand(1);
    auto* dimport = directory->add_subcommand(
        "import", "Import an HR export (CSV or JSON: id, name, email, manager, team, active, external_id, slack_id) "
                  "over the manifests' directory (admin); --dry-run previews what it would change");
    dimport->add_option("file", o.file, "The export: .csv with a header row, or .json")->required();
    dimport->add_flag("--full", o.full, "The file lists everyone: people an earlier import listed and this one does "
                                        "not are deactivated");
    dimport->add_flag("--dry-run", o.dry_run, "Show what the import would change, to decisions and waiting requests, "
                                              "and change nothing");
    dimport->add_option("--since", o.since, "With --dry-run: how far back to replay (default 90d)");
    on(dimport, [&] { return runner.directory_import(); });

    auto* audit = app.add_subcommand("audit", "The audit log");
    audit->require_subcommand(1);
    auto* averify = audit->add_subcommand("verify", "Check the audit log's keyed hash chain and its anchors");
    averify->add_option("--database", o.database,
                        "Check this SQLite file directly instead of asking the server (its key: CHECKPOINT_AUDIT_KEY "
                        "or CHECKPOINT_AUDIT_KEY_FILE, else the key file beside it)");
    averify->add_option("--anchor", o.anchors,
                        "SEQ:HASH of an anchor as the security channel shows it; the log must still hold it (repeatable)");
    on(averify, [&] { return runner.audit_verify(); });
    auto* aanchor = audit->add_subcommand("anchor", "Anchor the audit log's head now: recorded, and posted to the "
                                                    "security channel (admin)");
    on(aanchor, [&] { return runner.audit_anchor(); });
    auto* aevents = audit->add_subcommand("events", "Audit events, oldest first (audit:read)");
    aevents->add_option("--person", o.person, "Only this actor (person id, or token:<name>)");
    aevents->add_option("--subject", o.subject,
                        "Only events someone else did about this person (e.g. a token made to act as them)");
    aevents->add_option("--petition", o.id, "Only events about this request");
    aevents->add_option("--from", o.from, "From this day or time (2026-11-01, or RFC 3339)");
    aevents->add_option("--until", o.until, "Until this day (inclusive) or time (2026-11-30, or RFC 3339)");
    add_paging(aevents);
    on(aevents, [&] { return runner.audit_events(); });

    auto* db = app.add_subcommand("db", "The server's database (local)");
    db->require_subcommand(1);
    auto* backup = db->add_subcommand("backup", "Consistent online backup of the SQLite database");
    backup->add_option("file", o.file, "Backup file to write (must not exist)")->required();
    backup->add_option("--database", o.database, "The server's SQLite file (CHECKPOINT_DB)")->required();
    on(backup, [&] { return runner.db_backup(); });
    auto* copy = db->add_subcommand("copy", "Copy the SQLite database whole into an empty PostgreSQL database, and "
                                            "verify the copy's audit chain (stop checkpointd first)");
    copy->add_option("--from", o.copy_from, "The server's SQLite file (CHECKPOINT_DB)")->required();
    copy->add_option("--to", o.copy_to, "The PostgreSQL database: postgresql://user:password@host:port/db")->required();
    on(copy, [&] { return runner.db_copy(); });

    // --json and --url work after any command too, and each command's --help lists them.
    std::function<void(CLI::App*)> add_common = [&](CLI::App* parent) {
        for (auto* s : parent->get_subcommands([](const CLI::App*) { return true; })) {
            s->add_flag("--json", o.json, "Print the API's JSON instead of text (for scripts)");
            s->add_option("--url", o.url, "Server URL, overriding CHECKPOINT_URL and the config file");
            add_common(s);
        }
    };
    add_common(&app);

    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        // A mistyped command: say which one was meant, as Slack's /checkpoint does.
        std::string hint;
        const auto word = std::find_if(args.begin(), args.end(), [](const std::string& a) { return !a.starts_with("-"); });
        const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
        const bool known = word != args.end() && std::any_of(subs.begin(), subs.end(), [&](const CLI::App* sub) {
                               return sub->get_name() == *word;
                           });
        if (word != args.end() && !known) {
            std::string best;
            std::size_t best_distance = 3;
            for (const auto* sub : subs)
                if (const auto d = workflow::edit_distance(*word, sub->get_name()); d < best_distance) {
                    best_distance = d;
                    best = sub->get_name();
                }
            if (!best.empty())
                hint = "`" + *word + "` is not a checkpoint command. Did you mean `checkpoint " + best + "`?";
        }
        const bool json_asked = std::find(args.begin(), args.end(), "--json") != args.end();
        if (e.get_exit_code() != 0 && (!hint.empty() || json_asked)) {
            // The hint replaces CLI11's sentence; scripts that asked for JSON get the error as JSON too.
            const std::string message = hint.empty() ? std::string(e.what()) : hint;
            env.err << "error: " << message << "\n";
            if (json_asked)
                env.out << json_line(json::object{{"error", json::object{{"code", "usage"}, {"message", message}}}});
            return exit_usage;
        }
        const int code = app.exit(e, env.out, env.err);
        return code == 0 ? exit_ok : exit_usage;
    }
    if (!action)
        return exit_usage;
    return action();
}

} // namespace checkpoint::cli
