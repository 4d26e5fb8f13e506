#include "workflow/loader/readers.hpp"

#include <algorithm>

namespace checkpoint::loader::detail {

namespace wf = checkpoint::workflow;

namespace {

void read_matrix(file_reader& r, const YAML::Node& m, wf::approval_matrix& out)
{
    if (!r.expect_map(m, "matrix"))
        return;
    r.check_keys(m, "matrix", {"up_to", "low", "medium", "high", "critical"});
    const YAML::Node up = m["up_to"];
    if (!up) {
        r.error(m, "matrix.up_to", "is required: the three column bounds, e.g. [1d, 7d, 14d]");
    } else if (r.expect_list(up, "matrix.up_to")) {
        if (up.size() != out.up_to.size()) {
            r.error(up, "matrix.up_to", "needs exactly 3 bounds, e.g. [1d, 7d, 14d]; a fourth column holds the rest");
        } else {
            for (std::size_t i = 0; i < up.size(); ++i) {
                auto d = wf::parse_duration(up[i].Scalar());
                if (!d) {
                    r.error(up[i], index_field("matrix.up_to", i), d.error().message);
                    continue;
                }
                if (i > 0 && *d <= out.up_to[i - 1])
                    r.error(up[i], index_field("matrix.up_to", i), "bounds must grow from left to right");
                out.up_to[i] = *d;
            }
        }
    }
    for (auto level : {wf::risk::low, wf::risk::medium, wf::risk::high, wf::risk::critical}) {
        auto field = "matrix." + std::string(wf::name(level));
        const YAML::Node row = m[std::string(wf::name(level))];
        if (!row) {
            r.error(m, field, "is required: four cells of auto, auto_owner, owner or platform");
            continue;
        }
        if (!r.expect_list(row, field))
            continue;
        if (row.size() != wf::approval_matrix::columns) {
            r.error(row, field, "needs exactly 4 cells, one per column");
            continue;
        }
        for (std::size_t c = 0; c < row.size(); ++c) {
            auto rule = wf::parse_approval_rule(row[c].Scalar());
            if (!rule) {
                r.error(row[c], index_field(field, c),
                        "\"" + row[c].Scalar() + "\" is not a rule; use auto, auto_owner, owner or platform");
                continue;
            }
            out.cells[static_cast<std::size_t>(level)][c] = *rule;
        }
    }
}

bool env_name(std::string_view s)
{
    return !s.empty() && !(s[0] >= '0' && s[0] <= '9') && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

void read_integration(file_reader& r, const YAML::Node& n, const std::string& f, wf::settings& out)
{
    if (!r.expect_map(n, f))
        return;
    r.check_keys(n, f, {"name", "kind", "url", "secret_env", "format", "timeout", "command", "max_in_flight"});
    wf::integration in;
    in.name = r.text(n, "name", f, true).value_or("");
    if (!in.name.empty()) {
        r.check_slug(n["name"], join_field(f, "name"), in.name);
        if (out.find_integration(in.name))
            r.error(n["name"], join_field(f, "name"), "another integration is already named \"" + in.name + "\"");
    }
    auto kind = r.text(n, "kind", f, true);
    if (kind) {
        if (*kind == "webhook")
            in.kind = wf::integration_kind::webhook;
        else if (*kind == "exec")
            in.kind = wf::integration_kind::exec;
        else if (*kind == "log")
            in.kind = wf::integration_kind::log;
        else
            r.error(n["kind"], join_field(f, "kind"), "\"" + *kind + "\" is not allowed; use webhook, exec or log");
    }
    in.timeout = r.duration(n, "timeout", f, false).value_or(wf::duration{30});
    in.max_in_flight = r.count(n, "max_in_flight", f).value_or(in.max_in_flight);
    auto only_for = [&](std::string_view key, std::string_view kinds) {
        if (n[std::string(key)])
            r.error(n[std::string(key)], join_field(f, key),
                    "applies only to " + std::string(kinds) + " integrations");
    };
    if (in.kind == wf::integration_kind::webhook && kind) {
        in.url = r.text(n, "url", f, true).value_or("");
        if (!in.url.empty() && !in.url.starts_with("https://") && !in.url.starts_with("http://"))
            r.error(n["url"], join_field(f, "url"), "must start with https:// (or http:// for a local receiver)");
        in.secret_env = r.text(n, "secret_env", f, true).value_or("");
        if (!in.secret_env.empty() && !env_name(in.secret_env))
            r.error(n["secret_env"], join_field(f, "secret_env"),
                    "names an environment variable (like PROVISIONER_WEBHOOK_SECRET), never the secret itself");
        if (auto fmt = r.text(n, "format", f, false)) {
            if (*fmt == "checkpoint")
                in.format = wf::webhook_format::checkpoint;
            else if (*fmt == "indent")
                in.format = wf::webhook_format::indent;
            else
                r.error(n["format"], join_field(f, "format"), "\"" + *fmt + "\" is not allowed; use checkpoint or indent");
        }
        only_for("command", "exec");
    } else if (in.kind == wf::integration_kind::exec && kind) {
        in.command = r.texts(n, "command", f);
        if (in.command.empty())
            r.error(n, join_field(f, "command"), "is required: the program and its arguments, as a list");
        only_for("url", "webhook");
        only_for("secret_env", "webhook");
        only_for("format", "webhook");
    } else if (kind) {
        only_for("url", "webhook");
        only_for("secret_env", "webhook");
        only_for("format", "webhook");
        only_for("command", "exec");
    }
    out.integrations.push_back(std::move(in));
}

void read_resource(file_reader& r, const YAML::Node& n, const std::string& f, wf::settings& out)
{
    if (!r.expect_map(n, f))
        return;
    r.check_keys(n, f, {"kind", "description", "integration", "owner_team", "risk", "durations", "approval", "channels"});
    wf::resource_kind rk;
    rk.kind = r.text(n, "kind", f, true).value_or("");
    if (!rk.kind.empty()) {
        r.check_slug(n["kind"], join_field(f, "kind"), rk.kind);
        if (out.find_resource(rk.kind))
            r.error(n["kind"], join_field(f, "kind"), "resource kind \"" + rk.kind + "\" is defined twice");
    }
    rk.description = r.text(n, "description", f, false).value_or("");
    rk.integration = r.text(n, "integration", f, true).value_or("");
    if (!rk.integration.empty())
        r.refer(n["integration"], join_field(f, "integration"), ref_kind::integration, rk.integration);
    rk.owner_team = r.text(n, "owner_team", f, false).value_or("");
    if (!rk.owner_team.empty())
        r.refer(n["owner_team"], join_field(f, "owner_team"), ref_kind::team, rk.owner_team);
    if (auto risk = r.text(n, "risk", f, true)) {
        if (auto level = wf::parse_risk(*risk))
            rk.level = *level;
        else
            r.error(n["risk"], join_field(f, "risk"), "\"" + *risk + "\" is not allowed; use low, medium, high or critical");
    }
    if (n["durations"])
        rk.durations = r.durations(n["durations"], join_field(f, "durations"));
    if (n["approval"])
        rk.approval = r.approval(n["approval"], join_field(f, "approval"));
    rk.channels = r.texts(n, "channels", f);
    out.resources.push_back(std::move(rk));
}

} // namespace

void read_settings(file_reader& r, const YAML::Node& root, wf::settings& out)
{
    if (!r.expect_map(root, ""))
        return;
    r.check_keys(root, "",
                 {"matrix", "platform_team", "channels", "break_glass", "reminders", "integrations", "resources",
                  "anomaly_alert", "auditors"});
    if (root["matrix"])
        read_matrix(r, root["matrix"], out.matrix);
    out.platform_team = r.text(root, "platform_team", "", true).value_or("");
    if (!out.platform_team.empty())
        r.refer(root["platform_team"], "platform_team", ref_kind::team, out.platform_team);

    if (const YAML::Node ch = root["channels"]; ch && r.expect_map(ch, "channels")) {
        r.check_keys(ch, "channels", {"default", "security"});
        out.default_channel = r.text(ch, "default", "channels", false).value_or("");
        out.security_channel = r.text(ch, "security", "channels", false).value_or("");
    }

    if (const YAML::Node bg = root["break_glass"]; bg && r.expect_map(bg, "break_glass")) {
        r.check_keys(bg, "break_glass", {"who", "max_duration", "review_by"});
        if (bg["who"])
            out.break_glass.who = r.reviewers(bg["who"], "break_glass.who");
        else
            r.error(bg, "break_glass.who", "is required: who may break glass, e.g. [ {oncall: production} ]");
        out.break_glass.max_duration =
            r.duration(bg, "max_duration", "break_glass", false).value_or(out.break_glass.max_duration);
        out.break_glass.review_by = r.text(bg, "review_by", "break_glass", false).value_or("");
        if (!out.break_glass.review_by.empty())
            r.refer(bg["review_by"], "break_glass.review_by", ref_kind::team, out.break_glass.review_by);
    }

    if (root["auditors"])
        out.auditors = r.reviewers(root["auditors"], "auditors");

    if (const YAML::Node rm = root["reminders"]; rm && r.expect_map(rm, "reminders")) {
        r.check_keys(rm, "reminders", {"pending_after", "escalate_after", "expiring_before"});
        auto& rem = out.reminders;
        rem.pending_after = r.duration(rm, "pending_after", "reminders", false).value_or(rem.pending_after);
        rem.escalate_after = r.duration(rm, "escalate_after", "reminders", false).value_or(rem.escalate_after);
        rem.expiring_before = r.duration(rm, "expiring_before", "reminders", false).value_or(rem.expiring_before);
    }

    if (const YAML::Node an = root["anomaly_alert"]; an && r.expect_map(an, "anomaly_alert")) {
        r.check_keys(an, "anomaly_alert", {"enabled", "risks", "window", "baseline", "factor", "min_requests"});
        auto& a = out.demand_alert;
        a.enabled = r.boolean(an, "enabled", "anomaly_alert").value_or(a.enabled);
        if (an["risks"]) {
            a.risks.clear();
            for (const auto& name : r.texts(an, "risks", "anomaly_alert")) {
                if (auto level = wf::parse_risk(name))
                    a.risks.push_back(*level);
                else
                    r.error(an["risks"], "anomaly_alert.risks",
                            "\"" + name + "\" is not allowed; use low, medium, high or critical");
            }
        }
        a.window = r.duration(an, "window", "anomaly_alert", false).value_or(a.window);
        a.baseline = r.duration(an, "baseline", "anomaly_alert", false).value_or(a.baseline);
        if (a.baseline < a.window)
            r.error(an["baseline"] ? an["baseline"] : an, "anomaly_alert.baseline",
                    "must be at least the window (" + wf::format_duration(a.window) +
                        "): it is what a window is compared against, e.g. 7d");
        // count() holds each to 1..100.
        a.factor = r.count(an, "factor", "anomaly_alert").value_or(a.factor);
        a.min_requests = r.count(an, "min_requests", "anomaly_alert").value_or(a.min_requests);
    }

    if (const YAML::Node list = root["integrations"]; list && r.expect_list(list, "integrations"))
        for (std::size_t i = 0; i < list.size(); ++i)
            read_integration(r, list[i], index_field("integrations", i), out);

    if (const YAML::Node list = root["resources"]; list && r.expect_list(list, "resources"))
        for (std::size_t i = 0; i < list.size(); ++i)
            read_resource(r, list[i], index_field("resources", i), out);
}

} // namespace checkpoint::loader::detail
