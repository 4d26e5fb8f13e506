#pragma once

#include "workflow/manifests.hpp"

#include <string>
#include <vector>

namespace checkpoint::workflow {

// A person as an identity provider (SCIM) or an HR export gives them. Records are kept in the database and laid
// over the manifests' directory (lay_over), so a change reaches routing without editing YAML.
struct directory_record {
    // Unique within its source: the SCIM id Checkpoint gave the user, or the export's id column.
    std::string key;
    // "scim" or "import".
    std::string source;
    // Matched to a manifests person by id, external id or email; a person no one matches joins with this id.
    std::string user_name;
    std::string external_id;
    std::string email;
    std::string name;
    std::string slack_id;
    // The key of another record of the same source (SCIM's manager.value), or a person reference.
    std::string manager;
    std::string team;
    // False: deactivated. The person leaves the directory (and with it their access; see plan_departures).
    bool active = true;
    // The person this record is bound to, fixed when it is first written (bind_records): a later change of
    // user name or email changes that person, never whom the record describes. Empty: matched by lay_over.
    std::string person;
    // The resource as the source last wrote it (SCIM JSON, without id and meta), to answer a GET; empty for imports.
    std::string resource;
    time_point created{};
    time_point modified{};
};

struct directory_group_record {
    std::string key;
    std::string source;
    // Replaces the members of a manifests group of the same name, or adds a group.
    std::string name;
    std::string external_id;
    // Record keys of the same source, or person references.
    std::vector<std::string> members;
    std::string resource;
    time_point created{};
    time_point modified{};
};

struct directory_overlay {
    std::vector<directory_record> people;
    std::vector<directory_group_record> groups;

    bool empty() const { return people.empty() && groups.empty(); }
};

// One change to the stored directory records: a SCIM call, or an import.
struct directory_change {
    std::vector<directory_record> put_people;
    std::vector<directory_group_record> put_groups;
    // Keys of the `source` records to delete.
    std::string source;
    std::vector<std::string> remove_people;
    std::vector<std::string> remove_groups;
};

// `o` with `c` applied: records of `c.source` removed by key, and put (replacing the one of the same source and key
// in its place, or added last).
directory_overlay apply_change(directory_overlay o, const directory_change& c);

// `base` with `o` laid over its directory, records applied in order (a later one wins):
// - an active record updates its person (`person`, else the one it matches by user name, external id or email,
//   as references are matched) with every field it sets, keeping what it leaves empty and the manifests' out of
//   office; a person no one in `base` is adds a person with that id;
// - an inactive record, of any source, removes its person: gone from teams, groups, rotations and as anyone's
//   manager, whatever another source says;
// - a group record sets the members of the group of its name.
// Bundles and settings are `base`'s.
manifests lay_over(const manifests& base, const directory_overlay& o);

// The person `r` describes, for a record written now: the person of the record it replaces (same source and
// key), else of another record that names the same user name, email or external id, else the one `base`'s
// directory finds by those (ids without regard to case), else its user name lower-cased (a new person).
std::string bind_record(const directory_record& r, const directory& base, const directory_overlay& records);

// Identities two people of `d` share (an email without regard to case, an external id, a Slack id): "email
// ann@example.com: u-1 and u-2". Records must not make one person answer for another.
std::vector<std::string> identity_conflicts(const directory& d);

} // namespace checkpoint::workflow
