#pragma once

#include "workflow/clock.hpp"
#include "workflow/duration.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace checkpoint::workflow {

using person_index = std::uint32_t;
constexpr person_index no_person = std::numeric_limits<person_index>::max();

struct out_of_office {
    time_point from;
    // Exclusive: the first moment the person is back; none for a leave with no return date announced.
    std::optional<time_point> until;
    // A person reference (id, external id or email); empty for none.
    std::string delegate;

    bool covers(time_point t) const { return from <= t && (!until || t < *until); }
};

struct person {
    std::string id;
    std::string external_id;
    std::string email;
    std::string name;
    std::string slack_id;
    // A person reference: matched against id, then external_id, then email.
    std::string manager_id;
    std::string team;
    std::optional<out_of_office> away;
};

struct group {
    std::string name;
    std::vector<std::string> members;
};

struct oncall_rotation {
    std::string name;
    std::vector<std::string> rotation;
    time_point starts;
    duration every{};
};

// Lets maps keyed by std::string be searched with a string_view, without a copy.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

// Out of office as set at run time (`/checkpoint ooo`), laid over the manifests' by person id: a value
// replaces the manifest's entry; nullopt means back, even where the manifests say away. Plain data:
// the bot reads it from storage and hands it to the routing.
using away_overlay = string_map<std::optional<out_of_office>>;

// People, teams, groups and on-call, indexed once so that routing is a handful of lookups.
class directory {
public:
    directory() = default;
    directory(std::vector<person> people, std::vector<group> groups, std::vector<oncall_rotation> oncall);

    std::span<const person> people() const noexcept { return people_; }
    const person& at(person_index i) const { return people_[i]; }
    std::size_t size() const noexcept { return people_.size(); }

    // A reference as manifests write it: id, then external_id, then email (case-insensitive).
    person_index find(std::string_view ref) const;
    person_index find_by_slack_id(std::string_view slack_id) const;
    person_index find_by_email(std::string_view email) const;

    // Resolved at construction; no_person when unset or unknown.
    person_index manager_of(person_index p) const { return manager_[p]; }
    person_index delegate_of(person_index p) const { return delegate_[p]; }
    bool is_away(person_index p, time_point now) const;

    bool has_team(std::string_view team) const;
    std::span<const person_index> team_members(std::string_view team) const;
    bool has_group(std::string_view name) const;
    // Members that resolve to people; unknown references are the loader's to report.
    std::span<const person_index> group_members(std::string_view name) const;
    bool has_oncall(std::string_view name) const;
    const oncall_rotation* find_oncall(std::string_view name) const;
    // Who holds the rotation at `now`; no_person for an unknown or empty rotation.
    person_index on_call(std::string_view name, time_point now) const;

    std::span<const group> groups() const noexcept { return groups_; }
    std::span<const oncall_rotation> oncall() const noexcept { return oncall_; }

    // `/checkpoint ooo` overrides what the manifests say, until the next load.
    void set_out_of_office(person_index p, std::optional<out_of_office> away);

private:
    std::vector<person> people_;
    std::vector<group> groups_;
    std::vector<oncall_rotation> oncall_;
    std::vector<person_index> manager_;
    std::vector<person_index> delegate_;
    string_map<person_index> by_id_;
    string_map<person_index> by_external_id_;
    string_map<person_index> by_email_;
    string_map<person_index> by_slack_id_;
    string_map<std::vector<person_index>> teams_;
    string_map<std::vector<person_index>> group_members_;
    string_map<std::size_t> oncall_by_name_;
    std::vector<std::vector<person_index>> oncall_members_;
};

// "30 Nov": how a card names a day.
std::string describe_day(time_point t);

} // namespace checkpoint::workflow
