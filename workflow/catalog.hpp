#pragma once

#include "workflow/approval_policy.hpp"
#include "workflow/directory.hpp"
#include "workflow/risk.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// One `provision.params` entry, handed to the integration as a label.
struct provision_param {
    std::string key;
    std::vector<std::string> values;
    bool is_list = false;
};

struct provision_spec {
    // An integration named in checkpoint.yaml.
    std::string integration;
    std::vector<provision_param> params;
};

// One thing a grant of a bundle gives, in words people understand:
// "AWS permission set via IAM Identity Center (prod IAM role for S3)".
struct entitlement {
    std::string description;
};

// Bounds on a bundle's `entitlements:`, so every surface that lists them (a DM, the Home tab, a terminal) has room.
inline constexpr std::size_t max_entitlements = 10;
inline constexpr std::size_t max_entitlement_chars = 150;

// A service-owned bundle: what people request by name.
struct bundle {
    std::string name;
    std::string description;
    std::string owner_team;
    risk level = risk::low;
    duration_policy durations;
    approval_policy approval;
    // Public approval channels; empty means the default channel.
    std::vector<std::string> channels;
    provision_spec provision;
    // Set when the bundle takes no new requests.
    bool deprecated = false;
    std::string successor;
    // What a grant gives, in the manifest's words; empty when the manifest does not say.
    std::vector<entitlement> entitlements{};
};

// What a grant of `b` gives, one line each: its entitlements' descriptions, or, when the manifest
// has none, its raw provision params as `key: value`.
std::vector<std::string> entitlement_lines(const bundle& b);

// A kind of requestable resource (`customer:123`): every resource of the kind shares this policy.
struct resource_kind {
    std::string kind;
    std::string description;
    std::string integration;
    // May be empty: owner approval then goes to the platform team.
    std::string owner_team;
    risk level = risk::high;
    duration_policy durations;
    approval_policy approval;
    std::vector<std::string> channels;
};

// The bundles, indexed by name.
class catalog {
public:
    catalog() = default;
    explicit catalog(std::vector<bundle> bundles);

    std::span<const bundle> bundles() const noexcept { return bundles_; }
    const bundle* find(std::string_view name) const;
    // Names closest to a mistyped one, best first, for "did you mean".
    std::vector<std::string_view> closest(std::string_view name, std::size_t at_most = 3) const;
    // Bundles whose name, description or owner contains every word (case-insensitive), by name.
    std::vector<const bundle*> search(std::string_view words) const;

private:
    std::vector<bundle> bundles_;
    string_map<std::size_t> by_name_;
};

} // namespace checkpoint::workflow
