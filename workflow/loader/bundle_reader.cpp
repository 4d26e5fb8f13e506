#include "workflow/loader/readers.hpp"

#include "workflow/text.hpp"

#include <algorithm>

namespace checkpoint::loader::detail {

namespace wf = checkpoint::workflow;

namespace {

// `entitlements:` — a list of `{ description: "…" }`, each one line people read in the grant DM, the
// Home tab and the CLI.
std::vector<wf::entitlement> read_entitlements(file_reader& r, const YAML::Node& list)
{
    std::vector<wf::entitlement> out;
    if (!r.expect_list(list, "entitlements"))
        return out;
    if (list.size() == 0)
        r.error(list, "entitlements", "must list at least one entitlement, or be left out");
    if (list.size() > wf::max_entitlements)
        r.error(list, "entitlements",
                "lists " + std::to_string(list.size()) + " entitlements; at most " +
                    std::to_string(wf::max_entitlements) + " fit where they are shown");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const auto f = index_field("entitlements", i);
        if (!item.IsMap()) {
            r.error(item, f, "must be a mapping like { description: \"Read access to the prod S3 bucket\" }");
            continue;
        }
        r.check_keys(item, f, {"description"});
        auto text = r.text(item, "description", f, true);
        if (!text)
            continue;
        const auto field = join_field(f, "description");
        const std::string desc(wf::trim(*text));
        if (desc.empty()) {
            r.error(item["description"], field, "must not be empty");
            continue;
        }
        if (desc.find_first_of("\r\n") != std::string::npos) {
            r.error(item["description"], field, "must be one line");
            continue;
        }
        if (const auto n = wf::char_count(desc); n > wf::max_entitlement_chars) {
            r.error(item["description"], field,
                    "is " + std::to_string(n) + " characters; at most " + std::to_string(wf::max_entitlement_chars) +
                        " are allowed");
            continue;
        }
        if (std::any_of(out.begin(), out.end(), [&](const auto& e) { return e.description == desc; })) {
            r.error(item["description"], field, "\"" + desc + "\" is listed twice");
            continue;
        }
        out.push_back(wf::entitlement{desc});
    }
    return out;
}

} // namespace

void read_bundle(file_reader& r, const YAML::Node& root, bundle_parts& out)
{
    if (!r.expect_map(root, ""))
        return;
    r.check_keys(root, "",
                 {"name", "description", "owner_team", "risk", "durations", "approval", "channels", "provision",
                  "entitlements", "deprecated"});
    wf::bundle b;
    b.name = r.text(root, "name", "", true).value_or("");
    if (!b.name.empty())
        r.check_slug(root["name"], "name", b.name);
    b.description = r.text(root, "description", "", false).value_or("");
    b.owner_team = r.text(root, "owner_team", "", true).value_or("");
    if (!b.owner_team.empty())
        r.refer(root["owner_team"], "owner_team", ref_kind::team, b.owner_team);
    if (auto risk = r.text(root, "risk", "", true)) {
        if (auto level = wf::parse_risk(*risk))
            b.level = *level;
        else
            r.error(root["risk"], "risk", "\"" + *risk + "\" is not allowed; use low, medium, high or critical");
    }
    if (const YAML::Node d = root["durations"])
        b.durations = r.durations(d, "durations");
    else
        r.error(root, "durations", "is required, e.g. { default: 1d, max: 7d, choices: [4h, 1d, 7d] }");
    if (const YAML::Node a = root["approval"]; a && !a.IsNull())
        b.approval = r.approval(a, "approval");
    b.channels = r.texts(root, "channels", "");

    if (const YAML::Node p = root["provision"]; !p) {
        r.error(root, "provision", "is required: { integration: <name in checkpoint.yaml>, params: {…} }");
    } else if (r.expect_map(p, "provision")) {
        r.check_keys(p, "provision", {"integration", "params"});
        b.provision.integration = r.text(p, "integration", "provision", true).value_or("");
        if (!b.provision.integration.empty())
            r.refer(p["integration"], "provision.integration", ref_kind::integration, b.provision.integration);
        if (const YAML::Node params = p["params"]; params && !params.IsNull() && r.expect_map(params, "provision.params")) {
            for (auto it = params.begin(); it != params.end(); ++it) {
                wf::provision_param param;
                param.key = it->first.Scalar();
                auto f = join_field("provision.params", param.key);
                if (it->second.IsScalar()) {
                    param.values.push_back(it->second.Scalar());
                } else if (it->second.IsSequence()) {
                    param.is_list = true;
                    for (std::size_t i = 0; i < it->second.size(); ++i) {
                        if (!it->second[i].IsScalar())
                            r.error(it->second[i], index_field(f, i), "must be a single value");
                        else
                            param.values.push_back(it->second[i].Scalar());
                    }
                } else {
                    r.error(it->second, f, "must be a value or a list of values");
                    continue;
                }
                b.provision.params.push_back(std::move(param));
            }
        }
    }

    if (const YAML::Node e = root["entitlements"]; e && !e.IsNull())
        b.entitlements = read_entitlements(r, e);

    if (const YAML::Node dep = root["deprecated"]; dep && !dep.IsNull()) {
        bool flag = false;
        if (dep.IsScalar() && YAML::convert<bool>::decode(dep, flag)) {
            b.deprecated = flag;
        } else if (r.expect_map(dep, "deprecated")) {
            r.check_keys(dep, "deprecated", {"successor"});
            b.deprecated = true;
            b.successor = r.text(dep, "successor", "deprecated", false).value_or("");
            if (!b.successor.empty())
                r.refer(dep["successor"], "deprecated.successor", ref_kind::bundle, b.successor);
        }
    }
    out.names_at.push_back(where{r.file(), file_reader::line(root["name"]), "name"});
    out.bundles.push_back(std::move(b));
}

} // namespace checkpoint::loader::detail
